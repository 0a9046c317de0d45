"""Backup and restore of a portal: the PostgreSQL database and the evidence files, together.

A backup is one folder, `<dir>/elaas-backup-<UTC time>/`, written under a `.partial` name and
renamed when complete:

    database.dump   pg_dump --format=custom of the database, at one snapshot
    evidence.tar    the files of PRIVATE_MEDIA_ROOT that rows of that snapshot name
    manifest.json   when, which portal commit, the migrations applied, rows per table, and the
                    size and SHA-256 of the dump, of the archive and of every file in it

Consistency: the dump is taken at a snapshot exported from a transaction that stays open while
pg_dump runs (`pg_dump --snapshot`); the same transaction reads which files the rows name. An
evidence file is written before the row that names it commits, never changed, and named by a
random id, so every file a row of the snapshot names is on disk when the archive is made after
the dump. Files no row of the snapshot names (uploads of transactions that commit later, or
rolled back) are not archived, and the manifest lists them.

A restore goes into an empty database and an empty evidence folder (or, when told, replaces
what is there): it checks every checksum before touching anything, restores the dump with
pg_restore in one transaction, writes the files (0600), and checks rows per table against the
manifest. Core depends on no app: the files are found through every model's FileField whose
storage is under PRIVATE_MEDIA_ROOT.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader

FORMAT = "elaas-backup/1"
DUMP, ARCHIVE, MANIFEST = "database.dump", "evidence.tar", "manifest.json"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _libpq_env() -> dict[str, str]:
    """The default database's connection as libpq's variables, for pg_dump and pg_restore."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].rsplit(".", 1)[-1] != "postgresql" and "postgresql" not in db["ENGINE"]:
        raise BackupError(
            "Backup and restore need PostgreSQL (DATABASE_URL=postgres://...); "
            f"this portal uses {db['ENGINE']}."
        )
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    env["PGDATABASE"] = db["NAME"]
    return env


def _major(version_text: str) -> int:
    found = re.search(r"(\d+)(?:\.\d+)?", version_text)
    return int(found.group(1)) if found else 0


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} is not installed: apt-get install postgresql-client")
    return path


def tool_version(name: str) -> str:
    out = subprocess.run([_tool(name), "--version"], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def server_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def check_tool_matches_server(name: str) -> str:
    """pg_dump older than the server refuses to dump it; newer writes what an older pg_restore
    cannot read. Insist on the server's major version."""
    tool, server = tool_version(name), server_version()
    if _major(tool.partition("(PostgreSQL)")[2]) != _major(server):
        raise BackupError(
            f"{tool} does not match the server (PostgreSQL {server}): install the client of the "
            f"server's major version (postgresql-client-{_major(server)})."
        )
    return tool


def portal_commit() -> str:
    """The git commit of the code running, or PORTAL_COMMIT where there is no git folder."""
    if os.environ.get("PORTAL_COMMIT"):
        return os.environ["PORTAL_COMMIT"]
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if out.returncode != 0:
        return "unknown"
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout.strip()
    return out.stdout.strip() + ("+changes" if dirty else "")


def evidence_root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT).resolve()


def _private_file_fields() -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every FileField stored under PRIVATE_MEDIA_ROOT; simple_history's
    historical models keep their FileFields, so the files history rows name are found too."""
    root = str(evidence_root())
    found = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                location = os.path.abspath(getattr(f.storage, "location", "") or "")
                if location == root:
                    found.append((model, f.name))
    return found


def named_files() -> set[str]:
    """Every file name a row names (in the current transaction's snapshot)."""
    names: set[str] = set()
    for model, name in _private_file_fields():
        names.update(
            model._base_manager.exclude(**{name: ""})
            .exclude(**{f"{name}__isnull": True})
            .values_list(name, flat=True)
            .distinct()
        )
    return names


def files_in_folder(root: Path) -> set[str]:
    if not root.exists():
        return set()
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        return [row[0] for row in cursor.fetchall()]


def rows_per_table() -> dict[str, int]:
    out = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from pg_tables
            out[table] = cursor.fetchone()[0]
    return out


def applied_migrations() -> list[list[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [list(row) for row in cursor.fetchall()]


def _migrations_summary(applied: list[list[str]]) -> dict:
    latest: dict[str, str] = {}
    for app, name in applied:
        latest[app] = max(latest.get(app, ""), name)
    text = "\n".join(f"{app}.{name}" for app, name in applied)
    return {
        "applied": len(applied),
        "latest": latest,
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
        "all": applied,
    }


@dataclass
class BackupResult:
    path: Path
    tables: int
    rows: int
    files: int
    file_bytes: int
    dump_bytes: int
    seconds: float
    not_named: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def backup(target_dir: Path, *, now: dt.datetime | None = None) -> BackupResult:
    """Write a backup folder under `target_dir`; returns what it holds."""
    started = time.monotonic()
    env = _libpq_env()
    pg_dump_version = check_tool_matches_server("pg_dump")
    now = now or dt.datetime.now(dt.UTC)
    target_dir = Path(target_dir).resolve()
    target_dir.mkdir(parents=True, exist_ok=True)
    name = f"elaas-backup-{now:%Y%m%dT%H%M%SZ}"
    final, partial = target_dir / name, target_dir / f".{name}.partial"
    if final.exists():
        raise BackupError(f"{final} exists already: one backup per second, or another folder.")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(mode=0o700)
    root = evidence_root()
    umask = os.umask(0o077)  # national IDs and evidence inside: the portal's user alone reads them
    try:
        connection.ensure_connection()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            dumped = subprocess.run(
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={partial / DUMP}",
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if dumped.returncode != 0:
                raise BackupError(f"pg_dump failed: {dumped.stderr.strip()}")
            # The same snapshot as the dump: what it holds, and which files its rows name.
            names = named_files()
            rows = rows_per_table()
            migrations = _migrations_summary(applied_migrations())
            server = server_version()
        on_disk = files_in_folder(root)
        missing = sorted(names - on_disk)
        archived = sorted(names & on_disk)
        entries = []
        with tarfile.open(partial / ARCHIVE, "w", format=tarfile.PAX_FORMAT) as tar:
            for rel in archived:
                path = root / rel
                entries.append(
                    {"name": rel, "bytes": path.stat().st_size, "sha256": sha256_of(path)}
                )
                tar.add(path, arcname=rel, recursive=False)
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "portal_commit": portal_commit(),
            "database": {
                "file": DUMP,
                "bytes": (partial / DUMP).stat().st_size,
                "sha256": sha256_of(partial / DUMP),
                "name": env["PGDATABASE"],
                "server_version": server,
                "pg_dump": pg_dump_version,
                "rows": rows,
            },
            "migrations": migrations,
            "evidence": {
                "file": ARCHIVE,
                "bytes": (partial / ARCHIVE).stat().st_size,
                "sha256": sha256_of(partial / ARCHIVE),
                "root": str(root),
                "files": entries,
                "missing": missing,
                "not_named": sorted(on_disk - names),
            },
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        os.replace(partial, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        os.umask(umask)
    return BackupResult(
        path=final,
        tables=len(rows),
        rows=sum(rows.values()),
        files=len(entries),
        file_bytes=sum(e["bytes"] for e in entries),
        dump_bytes=manifest["database"]["bytes"],
        seconds=time.monotonic() - started,
        not_named=manifest["evidence"]["not_named"],
        missing=missing,
    )


def read_manifest(path: Path) -> dict:
    path = Path(path)
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(
            f"{path} holds no {MANIFEST}: not a backup folder (or one that did not finish)."
        ) from None
    except json.JSONDecodeError as exc:
        raise BackupError(f"{path / MANIFEST} is damaged: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is of format {manifest.get('format')!r}, not {FORMAT}.")
    return manifest


def verify(path: Path, manifest: dict) -> None:
    """Every checksum of the manifest, before anything is restored."""
    for part in (manifest["database"], manifest["evidence"]):
        file = path / part["file"]
        if not file.exists():
            raise BackupError(f"{file} is missing.")
        if sha256_of(file) != part["sha256"]:
            raise BackupError(f"{file} does not match its checksum in the manifest: damaged.")
    expected = {e["name"]: e for e in manifest["evidence"]["files"]}
    seen = set()
    with tarfile.open(path / ARCHIVE) as tar:
        for member in tar:
            entry = expected.get(member.name)
            if entry is None or not member.isfile():
                raise BackupError(f"{ARCHIVE} holds {member.name!r}, which the manifest does not.")
            digest = hashlib.sha256()
            with tar.extractfile(member) as f:
                while block := f.read(CHUNK):
                    digest.update(block)
            if digest.hexdigest() != entry["sha256"]:
                raise BackupError(f"{member.name} in {ARCHIVE} does not match its checksum.")
            seen.add(member.name)
    if seen != set(expected):
        raise BackupError(f"{ARCHIVE} lacks {len(set(expected) - seen)} files of the manifest.")


@dataclass
class RestoreResult:
    tables: int
    rows: int
    files: int
    file_bytes: int
    seconds: float
    portal_commit: str
    created_at: str
    migrations_to_apply: list[str]
    migrations_unknown: list[str]
    not_named: list[str]


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public'"
        )
        return cursor.fetchone()[0] == 0


def _safe_name(name: str) -> str:
    path = Path(name)
    if path.is_absolute() or ".." in path.parts:
        raise BackupError(f"{ARCHIVE} names {name!r}, outside the evidence folder.")
    return name


def restore(path: Path, *, replace: bool = False, jobs: int = 1, log=print) -> RestoreResult:
    """Restore the backup folder `path` into this portal's database and evidence folder."""
    started = time.monotonic()
    path = Path(path).resolve()
    env = _libpq_env()
    manifest = read_manifest(path)
    check_tool_matches_server("pg_restore")
    root = evidence_root()
    log(f"checking the checksums of {path} …")
    verify(path, manifest)
    names = [_safe_name(e["name"]) for e in manifest["evidence"]["files"]]
    present = files_in_folder(root)
    if not replace:
        if not _database_is_empty():
            raise BackupError(
                f"The database {env['PGDATABASE']} is not empty: restore goes into an empty one "
                "(createdb NAME, then DATABASE_URL=.../NAME), or say --replace to drop what it "
                "holds."
            )
        if present:
            raise BackupError(
                f"The evidence folder {root} holds {len(present)} "
                f"file{'s' if len(present) != 1 else ''}: restore goes into an "
                "empty one (PRIVATE_MEDIA_ROOT=...), or say --replace to overwrite."
            )
    elif not _database_is_empty():
        log(f"--replace: dropping everything in the database {env['PGDATABASE']} …")
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    log(f"restoring the database ({manifest['database']['bytes']} bytes) …")
    command = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
    command += [f"--jobs={jobs}"] if jobs > 1 else ["--single-transaction"]
    command += [f"--dbname={env['PGDATABASE']}", str(path / DUMP)]
    restored = subprocess.run(command, env=env, capture_output=True, text=True)
    if restored.returncode != 0:
        raise BackupError(f"pg_restore failed: {restored.stderr.strip()}")
    connection.close()  # the schema changed under the connection: start a fresh one

    log(f"writing {len(names)} evidence files into {root} …")
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    expected = {e["name"]: e for e in manifest["evidence"]["files"]}
    file_bytes = 0
    with tarfile.open(path / ARCHIVE) as tar:
        for member in tar:
            name = _safe_name(member.name)
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            temporary = target.with_name(f".{target.name}.restoring")
            digest = hashlib.sha256()
            with (
                tar.extractfile(member) as source,
                open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out,
            ):
                while block := source.read(CHUNK):
                    digest.update(block)
                    out.write(block)
            if digest.hexdigest() != expected[name]["sha256"]:
                temporary.unlink()
                raise BackupError(f"{name} was written wrongly (checksum): disk trouble?")
            os.replace(temporary, target)
            file_bytes += member.size

    rows = rows_per_table()
    if rows != manifest["database"]["rows"]:
        differ = sorted(
            t
            for t in set(rows) | set(manifest["database"]["rows"])
            if rows.get(t) != manifest["database"]["rows"].get(t)
        )
        raise BackupError(f"Rows restored differ from the backup's in tables: {', '.join(differ)}")
    in_backup = {f"{a}.{n}" for a, n in manifest["migrations"]["all"]}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    in_code = {f"{a}.{n}" for a, n in loader.disk_migrations}
    return RestoreResult(
        tables=len(rows),
        rows=sum(rows.values()),
        files=len(names),
        file_bytes=file_bytes,
        seconds=time.monotonic() - started,
        portal_commit=manifest["portal_commit"],
        created_at=manifest["created_at"],
        migrations_to_apply=sorted(in_code - in_backup),
        migrations_unknown=sorted(in_backup - in_code),
        not_named=manifest["evidence"]["not_named"],
    )
