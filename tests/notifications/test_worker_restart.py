"""A Celery worker restarted in the middle of the daily reminder pass loses no task and sends no
message twice (README, "Backup, restore and upgrades").

Real worker processes (tests/notifications/test_workers.py's fixture: prefork, concurrency 1, a
queue of the test's own, Redis from REDIS_URL, this test's PostgreSQL database). The pass is sent
as beat sends it (`notifications.tasks.daily_reminder_pass` through Redis) and writes its rows in
chunks of 5 (NOTIFICATION_PASS_CHUNK), so that it is caught half-way:

- a restart as `scripts/prod.sh reload` does it (SIGTERM to the worker's main process alone: a
  warm shutdown) lets the pass finish, hands the nudges it had not run back to Redis (acks late),
  and the next worker sends every row;
- the pool process running the pass killed outright (out of memory, a kill -9) puts the task back
  (task_reject_on_worker_lost) instead of acknowledging it as failed: it runs again, writes the
  rows the first run had not, and nothing twice (the outbox's unique key).
"""

import datetime as dt
import os
import signal
import subprocess

from elaas_portal.celery import app as celery_app
from notifications.models import Notification, PassRun, SinkMessage
from notifications.reminders import run_pass
from notifications.tasks import daily_reminder_pass

from . import test_workers
from .support import lao_staff_in_one_district, seed_ladder
from .test_workers import assert_each_sent_once, sent_count, wait_for

# The real-worker tests' marks and fixtures: PostgreSQL and Redis or a skip, workers started on
# a queue of the test's own and killed at the end.
pytestmark = test_workers.pytestmark
_real_services = test_workers._real_services
workers = test_workers.workers

DAY = dt.date(2025, 4, 14)  # 7 days before the last day: every unverified LAO's staff is reminded
STAFF = 600


def slow_pass() -> dict:
    """The workers' environment: the pass in chunks of 5, mail kept in the database, and the
    test's own queue for the tasks the workers send themselves (the pass's nudges)."""
    return {
        "NOTIFICATION_PASS_CHUNK": 5,
        "EMAIL_BACKEND": "tests.notifications.slow_backend.SlowSinkBackend",
        "SLOW_SINK_SECONDS": 0.005,
        "CELERY_QUEUE": celery_app.conf.task_default_queue,  # set by the `workers` fixture
    }


def pass_is_half_way() -> bool:
    return Notification.objects.exists() and not PassRun.objects.filter(day=DAY).exists()


def pool_children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_a_worker_restarted_during_the_daily_pass_finishes_it_and_the_next_sends_each_row_once(
    workers, circulars, nakhon_phanom
):
    seed_ladder()
    lao_staff_in_one_district(STAFF, nakhon_phanom)
    first = workers(**slow_pass())
    daily_reminder_pass.delay(DAY.isoformat())
    wait_for(pass_is_half_way, timeout=30, what="the pass half-way", workers=[first])

    os.kill(first.proc.pid, signal.SIGTERM)  # the main process alone, as scripts/prod.sh does
    assert first.proc.wait(60) == 0, first.output()[-3000:]
    assert "warm shutdown" in first.output().lower()
    run = PassRun.objects.get(day=DAY)  # the pass in hand finished before the worker left
    assert (run.created, run.already_existed) == (STAFF, 0)
    assert Notification.objects.count() == STAFF
    assert sent_count() < STAFF, "the first worker sent everything: nothing left to prove"

    second = workers(**slow_pass())
    wait_for(lambda: sent_count() == STAFF, timeout=60, what="every row sent", workers=[second])
    assert_each_sent_once(STAFF)
    assert run_pass(DAY, nudge_workers=False).created == 0
    assert second.stop() == 0


def test_a_pool_process_killed_during_the_daily_pass_gives_the_pass_back_and_it_completes(
    workers, circulars, nakhon_phanom
):
    seed_ladder()
    lao_staff_in_one_district(STAFF, nakhon_phanom)
    worker = workers(**slow_pass())
    [child] = pool_children(worker.proc.pid)
    daily_reminder_pass.delay(DAY.isoformat())
    wait_for(pass_is_half_way, timeout=30, what="the pass half-way", workers=[worker])

    os.kill(child, signal.SIGKILL)  # the process running the pass dies mid-chunk
    written = Notification.objects.count()
    assert 0 < written < STAFF, "the pass was caught too late to prove anything"

    # The main process forks a new pool process, which is given the pass again.
    wait_for(
        lambda: PassRun.objects.filter(day=DAY).exists(),
        timeout=60,
        what="the pass run again to its end",
        workers=[worker],
    )
    assert worker.alive
    assert "WorkerLostError" in worker.output()
    run = PassRun.objects.get(day=DAY)
    assert run.created + run.already_existed == STAFF
    # What the killed run had committed is not written twice. `written` is a lower bound: a COMMIT
    # the pool process had already sent when SIGKILL came still completes in PostgreSQL (CI once
    # counted 10 here and the new run found 15).
    assert run.already_existed >= written
    assert Notification.objects.count() == STAFF
    wait_for(lambda: sent_count() == STAFF, timeout=60, what="every row sent", workers=[worker])
    assert_each_sent_once(STAFF)
    assert SinkMessage.objects.count() == STAFF
    assert worker.stop() == 0
