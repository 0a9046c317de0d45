import json

from django.core.management.base import BaseCommand

from onboarding.retention import purge_evidence


class Command(BaseCommand):
    help = (
        "Delete the evidence files of withdrawn and rejected requests closed more than "
        "EVIDENCE_RETENTION_DAYS ago (the requests and their history stay). Safe to run again: "
        'prints {"requests": n, "files": n, "retention_days": d}.'
    )

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(purge_evidence()))
