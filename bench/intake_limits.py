"""Intake's bounds, measured (issue 26, finding 1): huge letters refused up front, and mail
delivered promptly while allowed letters are being read, with a real Celery worker per queue.

    createdb -h 127.0.0.1 -U postgres elaas_trust3   # once (any empty database)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/elaas_trust3 \\
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/intake_limits.py [--allowed 3]

1. Four 5,000-page blank PDFs and four 30,000 x 30,000-pixel PNGs (tests/circulars/bombs.py) go
   through `create_draft`, as the upload view calls it: each refused, its time in ms.
2. Two workers start, as `make prod` and compose run them: `-Q celery` and `-Q intake`, one
   process each. `--allowed` letters of INTAKE_MAX_PAGES blank A4 pages (scans: every page is
   rasterised and OCR'd) are taken in; while the intake worker reads them, five e-mails are
   written to the outbox one after another and the seconds until each is handed to the mail
   backend (notifications.backends.DatabaseSinkBackend) are measured, and the status page is
   drawn 20 times (in-process, ms).
3. With `--one-worker`, a single worker takes both queues (the set-up before): the same mail
   then waits behind the reading.

It flushes Redis db of REDIS_URL (yours alone) and writes test users and drafts into the database.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elaas_portal.settings.local")
os.environ.setdefault("EMAIL_BACKEND", "notifications.backends.DatabaseSinkBackend")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from circulars.intake import drafts  # noqa: E402
from circulars.intake.extract import IntakeError  # noqa: E402
from circulars.models import CircularDraft, IntakeStatus  # noqa: E402
from notifications.models import Notification, Status  # noqa: E402
from notifications.tasks import deliver_notifications  # noqa: E402
from tests.circulars.bombs import blank_pdf, huge_png  # noqa: E402
from tests.notifications.test_views import note  # noqa: E402


def officer(email: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password="x" * 20, full_name="ผู้วัด")
        Role.objects.create(user=user, kind="dla_officer")
    return user


def refusals(user) -> list[tuple[str, float, str]]:
    out = []
    for name, data in [("blank-5000.pdf", blank_pdf(5000))] * 4 + [
        ("huge-30000.png", huge_png(30_000, 30_000))
    ] * 4:
        started = time.perf_counter()
        try:
            drafts.create_draft(data=data, name=name, user=user)
            code = "ACCEPTED"
        except IntakeError as exc:
            code = exc.code
        out.append(
            (f"{name} ({len(data) // 1024} KB)", (time.perf_counter() - started) * 1000, code)
        )
    return out


def start_workers(one_worker: bool) -> list[subprocess.Popen]:
    celery = [str(ROOT / ".venv/bin/celery"), "-A", "elaas_portal", "worker", "--loglevel=WARNING"]
    queues = (
        [("both", "celery,intake")] if one_worker else [("mail", "celery"), ("intake", "intake")]
    )
    return [
        subprocess.Popen(
            [*celery, "-Q", q, "--concurrency", "1", "--hostname", f"bench-{name}@%h"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(f"/tmp/bench-intake-{name}.log", "w"),  # noqa: SIM115
            start_new_session=True,  # its own group: stopped with its pool and tools, nothing else
        )
        for name, q in queues
    ]


def mail_seconds(user, n: int) -> float:
    message = note(user, period=f"bench-{n}-{time.time():.0f}")  # one new row a call
    started = time.perf_counter()
    deliver_notifications.delay()
    while not Notification.objects.filter(pk=message.pk, status=Status.SENT).exists():
        if time.perf_counter() - started > 600:
            return float("inf")
        time.sleep(0.05)
    return time.perf_counter() - started


def status_page_ms(client: Client, n: int = 20) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        assert client.get("/", secure=True).status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--allowed", type=int, default=3)
    parser.add_argument("--one-worker", action="store_true")
    args = parser.parse_args()
    if not settings.REDIS_URL or "postgres" not in settings.DATABASES["default"]["ENGINE"]:
        sys.exit("set DATABASE_URL (PostgreSQL) and REDIS_URL (your own Redis db)")
    call_command("migrate", verbosity=0)
    import redis

    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    user = officer("bench-intake@test.example")
    CircularDraft.objects.filter(created_by=user).delete()
    print("1. refused up front (create_draft, as the upload view calls it)")
    for name, ms, code in refusals(user):
        print(f"   {name:28} {ms:8.1f} ms  {code}")
    print(f"   drafts stored: {CircularDraft.objects.filter(created_by=user).count()}")

    client = Client(HTTP_HOST="127.0.0.1")
    print(f"2. status page before, median of 20: {status_page_ms(client):.1f} ms")
    workers = start_workers(args.one_worker)
    try:
        time.sleep(8)  # the workers connect
        print(f"   mail with the workers idle: {mail_seconds(user, 0):.2f} s")
        letter = blank_pdf(settings.INTAKE_MAX_PAGES)
        started = time.perf_counter()
        ids = [
            drafts.create_draft(data=letter, name=f"allowed-{i}.pdf", user=user).pk
            for i in range(args.allowed)
        ]
        print(
            f"   {args.allowed} letters of {settings.INTAKE_MAX_PAGES} blank pages taken in "
            f"({(time.perf_counter() - started) * 1000:.0f} ms); queue: "
            f"{settings.CELERY_TASK_ROUTES['circulars.tasks.read_draft_task']['queue']}"
        )
        while not CircularDraft.objects.filter(pk__in=ids, pages_done__gt=0).exists():
            time.sleep(0.2)
        print("   reading has started; now, one after another:")
        for n in range(1, 6):
            pages = sum(
                CircularDraft.objects.filter(pk__in=ids).values_list("pages_done", flat=True)
            )
            print(f"   mail {n}: {mail_seconds(user, n):.2f} s (pages read so far: {pages})")
        print(f"   status page while reading, median of 20: {status_page_ms(client):.1f} ms")
        reading = CircularDraft.objects.filter(pk__in=ids, status=IntakeStatus.READING).count()
        print(f"   letters still being read: {reading} of {args.allowed}")
    finally:
        for worker in workers:  # a warm shutdown would wait for the letter: cold, group and all
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    CircularDraft.objects.filter(created_by=user).delete()


if __name__ == "__main__":
    main()
