"""python manage.py generate_national_accounts [--province CODE] [--password P]

Three staff per LAO, an officer per district and per province, one DLA officer: generated
accounts (@generated.invalid) for benchmarks and demos, never in production. See
accounts/generate.py.
"""

import re
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.accounts import DOMAIN, GENERATED_PASSWORD, generate_accounts
from registry.models import Organization, Province


class Command(BaseCommand):
    help = (
        "Create generated accounts (never in production): for every LAO a permanent secretary, "
        "a finance director and a finance officer; an officer for every district and province; "
        f"one DLA officer. Addresses @{DOMAIN}, names marked (generated), all e-mail addresses "
        "verified, one password. Idempotent: a second run creates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--province", metavar="CODE", help="only this province's LAOs and areas"
        )
        parser.add_argument(
            "--password",
            default=GENERATED_PASSWORD,
            help="the password of every generated account (default: %(default)s)",
        )

    def handle(self, *args, province=None, password=GENERATED_PASSWORD, **options):
        if not settings.DEMO_FEATURES:
            raise CommandError("ELAAS_ENV=production: generated accounts are never created.")
        if province is not None:
            if not re.fullmatch(r"[0-9]{1,2}", province):
                raise CommandError(f"--province {province!r}: give a 2-digit province code.")
            province = province.zfill(2)
            if not Province.objects.filter(code=province).exists():
                raise CommandError(f"--province {province}: no such province in the registry.")
        if not Organization.objects.laos().exists():
            raise CommandError("There are no LAOs yet: run load_registry first.")
        started = time.monotonic()

        def progress(message):
            self.stderr.write(f"[{time.monotonic() - started:6.1f}s] {message}")

        result = generate_accounts(
            province=province,
            password=password,
            progress=progress if options["verbosity"] >= 1 else None,
        )
        self.stdout.write(result.summary())
