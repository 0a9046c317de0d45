from django.core.management.base import BaseCommand, CommandError

from circulars.services import DEFAULT_DATA, CircularDataError, load_circulars


class Command(BaseCommand):
    help = (
        "Load circulars and the access rules they carry from a JSON file "
        "(default: the reference letters)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_DATA))

    def handle(self, *args, path, **options):
        try:
            report = load_circulars(path)
        except (CircularDataError, KeyError, ValueError, OSError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        if not report.created and not report.updated:
            self.stdout.write(f"No changes. {report.summary()}")
        else:
            self.stdout.write(self.style.SUCCESS(report.summary()))
