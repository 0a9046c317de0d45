#!/usr/bin/env python3
"""How long a backup and a restore of the national data set take (README, "Backup, restore and
upgrades").

Run from the project root:  .venv/bin/python bench/backup_restore.py [--db NAME] [--no-setup]

  1. (re)creates the PostgreSQL database NAME (default elaas_bench_backup) on 127.0.0.1 and
     loads the national data set: migrate, load_registry (../shared/data/registry),
     load_circulars, generate_national_dataset (ELAAS_ENV=development, which it needs);
     skipped with --no-setup;
  1b. with --evidence N: N evidence files of --evidence-kb KB (random bytes after a PDF
     header) written into the evidence folder and named by N Evidence rows of the data set's
     requests (the generator makes requests without files);
  2. `manage.py backup` of it into a temporary folder: wall time, dump size, rows, files;
  3. a new empty database NAME_restored and an empty evidence folder; `manage.py restore`
     (one transaction), then again with --replace --jobs 2: wall time of each;
  4. prints the figures and writes bench/results/<UTC time>-backup-restore.json.

The databases are dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def log(text: str) -> None:
    print(f"[backup-bench] {text}", flush=True)


def admin(sql: str, port: int) -> None:
    import psycopg2

    connection = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def manage(env: dict, *args: str) -> tuple[str, float]:
    started = time.monotonic()
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    log(f"manage.py {' '.join(args)}  ({seconds:.1f} s)")
    return done.stdout, seconds


def add_evidence(args, env: dict, root: Path) -> None:
    """N files on disk and N Evidence rows naming them, on the data set's first N requests."""
    import hashlib
    import uuid

    import psycopg2

    started = time.monotonic()
    rows = []
    for _ in range(args.evidence):
        name = f"evidence/bench/{uuid.uuid4().hex}.pdf"
        data = b"%PDF-1.4\n" + os.urandom(args.evidence_kb * 1024)
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
        rows.append((name, len(data), hashlib.sha256(data).hexdigest()))
    connection = psycopg2.connect(
        host="127.0.0.1", port=args.pg_port, user="postgres", dbname=args.db
    )
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, requester_id FROM onboarding_verificationrequest ORDER BY id LIMIT %s",
            [args.evidence],
        )
        requests = cursor.fetchall()
        cursor.executemany(
            "INSERT INTO onboarding_evidence (file, original_name, content_type, size, sha256, "
            "uploaded_at, uploaded_by_id, request_id) VALUES (%s, %s, 'application/pdf', %s, %s, "
            "now(), %s, %s)",
            [
                (name, "bench.pdf", size, digest, requester, request)
                for (name, size, digest), (request, requester) in zip(
                    rows, requests * (len(rows) // max(len(requests), 1) + 1), strict=False
                )
            ],
        )
    connection.close()
    log(f"{len(rows)} evidence files of {args.evidence_kb} KB ({time.monotonic() - started:.1f} s)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", default="elaas_bench_backup")
    p.add_argument("--pg-port", type=int, default=5432)
    p.add_argument("--no-setup", action="store_true")
    p.add_argument("--keep", action="store_true", help="keep the databases and folders")
    p.add_argument("--evidence", type=int, default=0, help="evidence files to add")
    p.add_argument("--evidence-kb", type=int, default=250, help="size of each, in KB")
    args = p.parse_args()
    url = f"postgres://postgres@127.0.0.1:{args.pg_port}"
    work = Path(tempfile.mkdtemp(prefix="elaas-backup-bench-"))
    base = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env = base | {
        "DATABASE_URL": f"{url}/{args.db}",
        "PRIVATE_MEDIA_ROOT": str(work / "evidence"),
        "ELAAS_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "elaas_portal.settings.local",
        "DEBUG": "0",
    }
    if not args.no_setup:
        admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)', args.pg_port)
        admin(f'CREATE DATABASE "{args.db}"', args.pg_port)
        registry = os.environ.get("REGISTRY_DATA_DIR", str(ROOT.parent / "shared/data/registry"))
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "load_registry", registry)
        manage(env, "load_circulars")
        manage(env, "generate_national_dataset")
    if args.evidence:
        add_evidence(args, env, work / "evidence")
    out, backup_seconds = manage(env, "backup", str(work / "backups"))
    folder = Path(out.strip().splitlines()[-1])
    manifest = json.loads((folder / "manifest.json").read_text())

    restored = f"{args.db}_restored"
    admin(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)', args.pg_port)
    admin(f'CREATE DATABASE "{restored}"', args.pg_port)
    target = env | {
        "DATABASE_URL": f"{url}/{restored}",
        "PRIVATE_MEDIA_ROOT": str(work / "restored-evidence"),
    }
    out, restore_seconds = manage(target, "restore", str(folder))
    _, restore_jobs_seconds = manage(target, "restore", "--replace", "--jobs", "2", str(folder))
    rows = manifest["database"]["rows"]
    figures = {
        "when": dt.datetime.now(dt.UTC).isoformat(),
        "database": args.db,
        "tables": len(rows),
        "rows": sum(rows.values()),
        "largest_tables": dict(sorted(rows.items(), key=lambda kv: -kv[1])[:6]),
        "dump_bytes": manifest["database"]["bytes"],
        "evidence_files": len(manifest["evidence"]["files"]),
        "evidence_bytes": sum(e["bytes"] for e in manifest["evidence"]["files"]),
        "backup_seconds": round(backup_seconds, 1),
        "restore_seconds": round(restore_seconds, 1),
        "restore_jobs2_seconds": round(restore_jobs_seconds, 1),
        "restore_said": re.sub(r"\s+", " ", out.strip().splitlines()[-1]),
        "portal_commit": manifest["portal_commit"],
        "cpus": os.cpu_count(),
    }
    for key, value in figures.items():
        log(f"{key}: {value}")
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"{stamp}-backup-restore.json").write_text(json.dumps(figures, indent=1) + "\n")
    if not args.keep:
        admin(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)', args.pg_port)
        admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)', args.pg_port)
        subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    main()
