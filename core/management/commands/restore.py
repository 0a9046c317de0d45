"""`manage.py restore PATH`: a backup into an empty database and evidence folder (core.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder made by `manage.py backup` into this portal's database "
        "(DATABASE_URL, which must be empty) and evidence folder (PRIVATE_MEDIA_ROOT, which must "
        "be empty), after checking every checksum; --replace drops what they hold first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup folder (DIR/elaas-backup-<UTC time>).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Drop every table of the database and overwrite files of the same name.",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="pg_restore jobs; above 1 faster, but no longer all-or-nothing.",
        )

    def handle(self, *args, path, replace=False, jobs=1, **options):
        try:
            result = restore(Path(path), replace=replace, jobs=jobs, log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"restored the backup of {result.created_at} (portal {result.portal_commit}): "
            f"{result.tables} tables, {result.rows} rows, {result.files} evidence files "
            f"({result.file_bytes} bytes), checksums and rows per table checked, "
            f"in {result.seconds:.1f} s"
        )
        if result.not_named:
            self.stdout.write(
                f"not restored: {len(result.not_named)} files no row of the backup names "
                "(the manifest's evidence.not_named)"
            )
        if result.migrations_to_apply:
            self.stdout.write(
                f"this code has {len(result.migrations_to_apply)} migrations the backup has not: "
                "run `manage.py migrate` before starting the portal"
            )
        if result.migrations_unknown:
            self.stderr.write(
                f"warning: the backup has {len(result.migrations_unknown)} migrations this code "
                f"does not know ({', '.join(result.migrations_unknown[:3])} …): run the code of "
                f"commit {result.portal_commit}"
            )
