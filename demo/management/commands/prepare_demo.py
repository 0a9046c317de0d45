"""python manage.py prepare_demo: the demo clock inside the window and a province with life.

Run by `make setup` (so by `make run`) after the demo accounts; see demo/life.py. Never in
production. A second run builds nothing and only puts the clock back inside the window if it
has run out of it.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.thai import format_datetime
from demo.dataset import DatasetError
from demo.demo_accounts import DemoPlacesMissing


class Command(BaseCommand):
    help = (
        "Set the demo clock inside the verification window and build Nakhon Phanom's generated "
        "demo data (LAOs verified, in progress, returned, not started; units logged in). Never "
        "in production; a second run builds nothing."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_FEATURES:
            self.stdout.write("ELAAS_ENV=production: no demo clock and no demo data.")
            return
        from demo.life import prepare_demo

        try:
            result = prepare_demo()
        except (DatasetError, DemoPlacesMissing) as exc:
            raise CommandError(f"Cannot prepare the demo: {exc}") from None
        at = format_datetime(result.clock_at, "en")
        if result.clock_set:
            self.stdout.write(f"Demo clock set to {at} (inside the verification window).")
        else:
            self.stdout.write(f"Demo clock left at {at} (inside the verification window).")
        if result.data is None:
            self.stdout.write(
                f"Demo data already here ({result.existing_requests:,} generated requests)."
            )
        else:
            for line in result.data.lines():
                self.stdout.write(f"Demo data: {line}")
