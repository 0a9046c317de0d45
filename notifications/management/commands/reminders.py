"""Run the daily reminder pass as if it were a given Bangkok day, then deliver what it wrote.

    python manage.py reminders --day 2025-04-18
    {"created": 312, "sent": 312, "failed": 0, "already_existed": 0}

Run again for the same day, it creates nothing.
"""

import json

from django.conf import settings
from django.core.mail import get_connection
from django.core.management.base import BaseCommand, CommandError

from core.thai import ThaiDateError, parse_date
from notifications.delivery import deliver_due
from notifications.reminders import run_pass, today


class Command(BaseCommand):
    help = "Run the daily reminder pass for a Bangkok day (default today) and send what it wrote."

    def add_arguments(self, parser):
        parser.add_argument(
            "--day", help="YYYY-MM-DD (Buddhist-era years and Thai digits accepted); default today"
        )
        parser.add_argument(
            "--no-send", action="store_true", help="Only write the rows; workers send them."
        )

    def handle(self, *args, day=None, no_send=False, **options):

        if day:
            try:
                the_day = parse_date(day)
            except ThaiDateError:
                raise CommandError(
                    f"--day {day!r} is not a date: use YYYY-MM-DD, e.g. 2025-04-18"
                ) from None
        else:
            the_day = today()
        result = run_pass(the_day, trigger="command", nudge_workers=False)
        if no_send:
            counts = {"sent": 0, "failed": 0}
        else:
            # The console backend (development) writes mail to stderr: stdout keeps one JSON line.
            connection = None
            if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
                connection = get_connection(stream=self.stderr._out)
            counts = deliver_due(mail_connection=connection)
        self.stdout.write(
            json.dumps(
                {
                    "created": result.created,
                    "sent": counts.get("sent", 0),
                    "failed": counts.get("failed", 0),
                    "already_existed": result.already_existed,
                }
            )
        )
