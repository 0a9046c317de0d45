"""python manage.py load_registry [PATH_OR_URL]: load or refresh the LAO registry."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from registry.loader import RegistryError, load_registry


class Command(BaseCommand):
    help = (
        "Load provinces, districts and LAOs from a directory of the reference files "
        "(tgj_provinces.json, tgj_districts.json, dla_lao_registry.csv), from "
        "dla_lao_registry.csv or siahra_localAuthorities.json alone, or from an http(s) URL "
        "to one such file. Checks everything first and writes nothing if any row is bad; "
        "upserts by code (with history), never deletes. Default: settings.REGISTRY_DATA_DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "source",
            nargs="?",
            metavar="PATH_OR_URL",
            help="directory, CSV or SIAHRA JSON file, or http(s) URL (default: %(default)s)",
            default=None,
        )

    def handle(self, *args, source=None, verbosity=1, **options):
        source = source or str(settings.REGISTRY_DATA_DIR)
        started = time.monotonic()

        def progress(message):
            self.stderr.write(f"[{time.monotonic() - started:6.1f}s] {message}")

        try:
            result = load_registry(source, progress=progress if verbosity >= 1 else None)
        except RegistryError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(result.summary())
        if verbosity >= 1:
            progress("Done")
