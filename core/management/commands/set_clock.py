"""Set the portal's clock for a demo or a test (never in production)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import clock
from core.clock import ParamError, parse_instant
from core.thai import BANGKOK, format_datetime


class Command(BaseCommand):
    help = (
        "Set the portal's clock: `set_clock 2025-04-03T09:00` (Bangkok time unless an offset is "
        "given; Buddhist-era years and Thai digits accepted), or `set_clock --reset` for the real "
        "time."
    )

    def add_arguments(self, parser):
        parser.add_argument("instant", nargs="?")
        parser.add_argument("--reset", action="store_true", help="Use the real clock again.")

    def handle(self, *args, instant=None, reset=False, **options):
        if not settings.DEMO_FEATURES:
            raise CommandError("ELAAS_ENV=production: the portal's clock cannot be set.")
        if reset:
            clock.reset_clock()
            self.stdout.write("The portal uses the real clock.")
            return
        if not instant:
            raise CommandError("Give an instant, e.g. 2025-04-03T09:00, or --reset.")
        try:
            at = parse_instant(instant, "instant")
        except ParamError as exc:
            raise CommandError(exc.message) from None
        clock.set_clock(at, by="set_clock command")
        self.stdout.write(
            f"The portal's clock now reads {format_datetime(at.astimezone(BANGKOK), 'en')} "
            "and runs on."
        )
