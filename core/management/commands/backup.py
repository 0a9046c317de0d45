"""`manage.py backup DIR`: the database and the evidence files, together (core.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database (pg_dump, custom format, at one snapshot) and the "
        "evidence files its rows name (PRIVATE_MEDIA_ROOT, with SHA-256 checksums) into one "
        "folder DIR/elaas-backup-<UTC time>/ with a manifest. Prints the folder's path last."
    )

    def add_arguments(self, parser):
        parser.add_argument("dir", help="The folder to write the backup folder in.")

    def handle(self, *args, dir, **options):
        try:
            result = backup(Path(dir))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"backed up {result.tables} tables, {result.rows} rows "
            f"({result.dump_bytes} bytes dumped) and {result.files} evidence files "
            f"({result.file_bytes} bytes) in {result.seconds:.1f} s"
        )
        if result.missing:
            self.stderr.write(
                f"warning: rows name {len(result.missing)} files the evidence folder does not "
                f"hold (listed in the manifest under evidence.missing): {result.missing[:5]}"
            )
        if result.not_named:
            self.stdout.write(
                f"left out {len(result.not_named)} files no row names (uploads after the "
                "snapshot, or never committed; listed in the manifest under evidence.not_named)"
            )
        self.stdout.write(str(result.path))
