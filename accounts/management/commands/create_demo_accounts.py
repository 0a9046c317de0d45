from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, create_demo_accounts


class Command(BaseCommand):
    help = "Create the demo accounts listed in README.md (never in production)."

    def handle(self, *args, **options):
        if not settings.DEMO_FEATURES:
            self.stdout.write("ELAAS_ENV=production: no demo accounts are created.")
            return
        created = create_demo_accounts()
        if created:
            self.stdout.write(f"Demo accounts created: {', '.join(created)} (password {DEMO_PASSWORD})")
        else:
            self.stdout.write("Demo accounts already exist.")
