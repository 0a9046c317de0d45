"""The backup and restore drill: a portal with verification requests, evidence files, history and
queued mail is backed up (`manage.py backup`), restored into a new database and a new evidence
folder (`manage.py restore`, another process, as an operator would run it), and found identical:
every table's rows (a digest of each row, table by table), every sequence, every file's SHA-256.
Then the outbox is delivered from the restored portal to a real SMTP server (aiosmtpd): every
message queued at the backup arrives exactly once, and none that had been sent before it.

Needs PostgreSQL (DATABASE_URL=postgres://...): pg_dump works on nothing else. The restored
database is `<test database>_drill`, dropped at the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction

from notifications.delivery import deliver_due
from notifications.models import Notification, Status
from notifications.services import queue
from onboarding import services
from onboarding.models import Evidence, VerificationRequest
from tests.actors import make_user
from tests.notifications import test_smtp
from tests.notifications.support import make_users, outgoing_for
from tests.prodstack import _psql

pytestmark = pytest.mark.django_db(transaction=True)
smtp_server = test_smtp.smtp_server  # a real SMTP server on a free port: (mailbox, port)
ROOT = Path(settings.BASE_DIR)
FILED = "2025-04-07T09:00:00+07:00"
DECIDED = "2025-04-10T09:00:00+07:00"
NUMBERS = ["1101700230708", "3100000000004", "1200000000007", "1000000000009"]


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): backups are pg_dump's")


def pdf(label: str, size: int) -> bytes:
    """A small PDF whose bytes differ per file (so a file swapped for another shows)."""
    return b"%PDF-1.4\n% " + label.encode() + b"\n" + os.urandom(size) + b"\n%%EOF\n"


def server_url(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def admin(sql: str) -> None:
    _psql(server_url("postgres"), sql)


def table_digests(url: str) -> dict[str, tuple[int, str]]:
    """Table → (rows, digest of every row's text, in a fixed order); and every sequence's value."""
    c = psycopg2.connect(url)
    try:
        with c.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            out = {}
            for (table,) in cursor.fetchall():
                cursor.execute(
                    f"SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' "  # noqa: S608
                    f"ORDER BY md5(t::text))), '') FROM \"{table}\" t"
                )
                out[table] = tuple(cursor.fetchone())
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            )
            out |= {f"sequence {name}": (value, "") for name, value in cursor.fetchall()}
            return out
    finally:
        c.close()


def checksums(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def portal(actors, places, portal_clock, circulars, settings, tmp_path):
    """Four people's requests with two PDFs each (one withdrawn, one rejected, one returned, one
    waiting: every state and its history), 30 messages already sent and 120 still queued."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "evidence"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    portal_clock(FILED)
    positions = ["permanent_secretary", "finance_director", "finance_officer", "chief_executive"]
    people = [actors["lao_clerk"]] + [
        make_user(f"staff{i}@test.example", kind="lao_staff", organization=places.lao, position=p)
        for i, p in enumerate(positions[1:])
    ]
    filed = []
    for person, position, number in zip(people, positions, NUMBERS, strict=True):
        filed.append(
            services.create_request(
                requester=person,
                organization=places.lao,
                data=services.RequestData(
                    full_name=person.full_name,
                    national_id=number,
                    position=position,
                    appointment_order_number="123/2567",
                    appointment_date=dt.date(2024, 10, 1),
                    consent=True,
                ),
                files=[
                    SimpleUploadedFile(
                        f"{number}-{i}.pdf", pdf(f"{number}-{i}", 4000 * i), "application/pdf"
                    )
                    for i in (1, 2)
                ],
                submit=True,
            )
        )
    portal_clock(DECIDED)
    officer = actors["province_officer"]
    withdrawn, rejected, returned, _waiting = filed
    services.withdraw_request(
        withdrawn.pk, actor=withdrawn.requester, expected_version=withdrawn.version
    )
    services.reject_request(
        rejected.pk, actor=officer, expected_version=rejected.version, reason="ไม่ใช่ตัวจริง"
    )
    services.return_request(
        returned.pk, actor=officer, expected_version=returned.version, remarks="แนบบัตร"
    )
    deliver_due()  # what the decisions sent, and 30 more, before the backup
    with transaction.atomic():
        queue(outgoing_for(make_users(30, "before"), period="2025-04-09"), nudge_workers=False)
    deliver_due()
    with transaction.atomic():  # queued, not yet sent when the backup is taken
        created, _ = queue(outgoing_for(make_users(120, "queued")), nudge_workers=False)
    assert created == 120
    return filed


@pytest.fixture
def drill():
    """An empty database `<test database>_drill` on the same server, as an operator makes one
    with createdb: its URL; dropped at the end."""
    name = f"{connection.settings_dict['NAME']}_drill"
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield server_url(name)
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_restored_portal_has_every_row_and_file_and_sends_each_queued_message_once(
    portal, smtp_server, drill, tmp_path
):
    mailbox, smtp_port = smtp_server
    queued = set(Notification.objects.filter(status=Status.PENDING).values_list("id", flat=True))
    sent_before = Notification.objects.filter(status=Status.SENT).count()
    assert len(queued) == 120 and sent_before >= 30
    assert Evidence.objects.count() == 8
    assert VerificationRequest.history.count() >= 4 + 3  # filed, then three decisions
    source_files = checksums(Path(settings.PRIVATE_MEDIA_ROOT))
    assert len(source_files) == 8

    call_command("backup", str(tmp_path / "backups"))
    [folder] = (tmp_path / "backups").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {e["name"]: e["sha256"] for e in manifest["evidence"]["files"]} == source_files
    assert manifest["database"]["rows"]["notifications_notification"] == 120 + sent_before
    assert manifest["migrations"]["latest"]["notifications"]
    assert manifest["portal_commit"]
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert {oct(p.stat().st_mode & 0o777) for p in folder.iterdir()} == {"0o600"}

    restored_files = tmp_path / "restored-evidence"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "EMAIL_BACKEND")}
    env |= {
        "DATABASE_URL": drill,
        "PRIVATE_MEDIA_ROOT": str(restored_files),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
    }
    done = manage(env, "restore", str(folder))
    assert done.returncode == 0, done.stdout + done.stderr
    tables = len(manifest["database"]["rows"])
    rows = sum(manifest["database"]["rows"].values())
    assert f"{tables} tables, {rows} rows, 8 evidence files" in done.stdout

    # Every row of every table, every sequence, every file: identical.
    assert table_digests(drill) == table_digests(server_url(connection.settings_dict["NAME"]))
    assert checksums(restored_files) == source_files
    assert {oct(p.stat().st_mode & 0o777) for p in restored_files.rglob("*") if p.is_file()} == {
        "0o600"
    }

    # A second restore into the same database is refused, and changes nothing.
    again = manage(env, "restore", str(folder))
    assert again.returncode != 0 and "is not empty" in again.stderr

    # The restored portal's outbox, delivered twice: each queued message arrives once.
    deliver = "from notifications.delivery import deliver_due; print(dict(deliver_due()))"
    first = manage(env, "shell", "-v", "0", "-c", deliver)
    assert first.returncode == 0 and first.stdout.strip() == "{'sent': 120}", first.stderr
    second = manage(env, "shell", "-v", "0", "-c", deliver)
    assert second.returncode == 0 and second.stdout.strip() == "{}", second.stdout
    ids = Counter(m["X-ELAAS-Notification"] for m in mailbox.accepted)
    assert set(ids.values()) == {1}
    assert {int(pk) for pk in ids} == queued


def test_a_damaged_backup_is_refused_before_anything_is_restored(portal, drill, tmp_path):
    call_command("backup", str(tmp_path / "backups"))
    [folder] = (tmp_path / "backups").iterdir()
    archive = folder / "evidence.tar"
    data = bytearray(archive.read_bytes())
    data[2048] ^= 0xFF  # one byte of the first file's content
    archive.write_bytes(bytes(data))
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env |= {"DATABASE_URL": drill, "PRIVATE_MEDIA_ROOT": str(tmp_path / "restored")}
    done = manage(env, "restore", str(folder))
    assert done.returncode != 0
    assert "does not match its checksum" in done.stderr
    assert table_digests(drill) == {}
    assert not (tmp_path / "restored").exists()


def test_a_restore_into_a_folder_holding_files_is_refused_and_changes_nothing(
    portal, drill, tmp_path
):
    call_command("backup", str(tmp_path / "backups"))
    [folder] = (tmp_path / "backups").iterdir()
    occupied = tmp_path / "occupied"
    (occupied / "evidence").mkdir(parents=True)
    (occupied / "evidence" / "someone-elses.pdf").write_bytes(pdf("other", 100))
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env |= {"DATABASE_URL": drill, "PRIVATE_MEDIA_ROOT": str(occupied)}
    done = manage(env, "restore", str(folder))
    assert done.returncode != 0
    assert "holds 1 file:" in done.stderr and "--replace" in done.stderr
    assert table_digests(drill) == {}
    assert [p.name for p in occupied.rglob("*") if p.is_file()] == ["someone-elses.pdf"]
