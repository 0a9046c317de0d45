from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.demo_accounts import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DemoPlacesMissing,
    create_demo_accounts,
)


class Command(BaseCommand):
    help = "Create the demo accounts listed in README.md (never in production)."

    def handle(self, *args, **options):
        if not settings.DEMO_FEATURES:
            self.stdout.write("ELAAS_ENV=production: no demo accounts are created.")
            return
        try:
            created = create_demo_accounts()
        except DemoPlacesMissing as exc:
            raise CommandError(f"Cannot create the demo accounts: {exc}") from None
        if created:
            self.stdout.write(
                f"Demo accounts created: {', '.join(created)} "
                f"(password {DEMO_PASSWORD}; officers' TOTP secret {DEMO_TOTP_SECRET})"
            )
        else:
            self.stdout.write("Demo accounts already exist.")
