"""python manage.py generate_national_dataset [--seed S]

The national data set for measuring the compliance dashboards, on top of the loaded registry
and circulars: generated units and accounts, ~25,000 verification requests with their
histories, LAOs verified, units' first logins, a month of notifications. Never in production;
refuses to run twice. See compliance/generate.py.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.dataset import DEFAULT_SEED, DatasetError, generate_dataset


class Command(BaseCommand):
    help = (
        "Build the national data set for measurement (never in production): generated units "
        "(--national profile) and accounts, about 25,000 verification requests with their "
        "histories (5-21 April 2568), ~60%% of LAOs verified, units' first logins and a month of "
        "notifications. Deterministic with --seed; refuses to run a second time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)"
        )

    def handle(self, *args, seed=DEFAULT_SEED, **options):
        if not settings.DEMO_FEATURES:
            raise CommandError("ELAAS_ENV=production: the generated data set is never built there.")
        started = time.monotonic()

        def progress(message):
            self.stderr.write(f"[{time.monotonic() - started:6.1f}s] {message}")

        try:
            result = generate_dataset(
                seed=seed, progress=progress if options["verbosity"] >= 1 else None
            )
        except DatasetError as exc:
            raise CommandError(str(exc)) from None
        for line in result.lines():
            self.stdout.write(line)
