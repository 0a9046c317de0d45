"""Real processes: Celery workers started by the test, on PostgreSQL and Redis.

Each test starts `celery -A elaas_portal worker --pool=prefork --concurrency=1` in its own process
group, on the test database (DATABASE_URL = this test's database) and a queue of its own, with mail
kept in SinkMessage; every process is killed in the fixture's teardown. They need PostgreSQL (a
worker process cannot share SQLite's in-memory test database) and a Redis broker (REDIS_URL):
without them they are skipped with the reason, except under CI=true, where that is a failure.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction

from notifications.models import Notification, SinkMessage, Status
from notifications.reminders import run_pass
from notifications.services import nudge, queue
from tests.actors import PASSWORD

from .support import (
    celery_app,
    closed_port,
    lao_staff_in_one_district,
    make_users,
    outgoing_for,
    seed_ladder,
)

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY = Path(sys.executable).with_name("celery")
BASE_DIR = Path(django_settings.BASE_DIR)


def _missing_services() -> list[str]:
    missing = []
    if connection.vendor != "postgresql":
        missing.append(
            "PostgreSQL (DATABASE_URL=postgres://...): a worker process cannot share SQLite's "
            "in-memory test database"
        )
    if not REDIS_URL:
        missing.append("Redis (REDIS_URL=redis://...) as the broker")
    else:
        import redis

        try:
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        except Exception as exc:
            missing.append(f"Redis at {REDIS_URL}, which does not answer ({exc})")
    if not CELERY.exists():
        missing.append(f"the celery command at {CELERY}")
    return missing


@pytest.fixture(autouse=True)
def _real_services():
    missing = _missing_services()
    if missing:
        message = "needs " + " and ".join(missing)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI=true: these tests must run)")
        pytest.skip(message)


def worker_database_url() -> str:
    """This test's database (test_<name>), for the worker processes."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="") + (
        f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
    )
    host, port = s["HOST"] or "localhost", s["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(s['NAME'], safe='')}"


class Worker:
    """One `celery worker` process group: started, waited for, stopped or killed."""

    def __init__(self, name: str, queue_name: str, log_path: Path, env: dict):
        self.name, self.queue_name, self.log_path = name, queue_name, log_path
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("SINK_FAIL_EVERY", "SLOW_SINK_SECONDS")
            },
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": REDIS_URL,
            "EMAIL_BACKEND": "notifications.backends.DatabaseSinkBackend",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.proc: subprocess.Popen | None = None

    def start(self, *, wait: bool = True) -> "Worker":
        command = [
            str(CELERY),
            "-A",
            "elaas_portal",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "-Q",
            self.queue_name,
            "-n",
            f"{self.name}@%h",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self.wait_ready() if wait else self

    def wait_ready(self, timeout: float = 30) -> "Worker":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.output():
                return self
            if self.proc.poll() is not None:
                pytest.fail(
                    f"worker {self.name} exited with {self.proc.returncode}:\n{self.output()}"
                )
            time.sleep(0.1)
        pytest.fail(f"worker {self.name} not ready after {timeout} s:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 20) -> int:
        """Warm shutdown (SIGTERM): the task in hand finishes, then the process exits."""
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"worker {self.name} did not stop within {timeout} s:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL to the whole process group: the main process and its prefork children."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(10)


@pytest.fixture
def workers(tmp_path):
    """Start workers on a queue of this test's own; every one is killed at the end, whatever
    happens."""
    queue_name = f"elaas-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    started: list[Worker] = []

    def start(wait=True, **env) -> Worker:
        name = f"{queue_name}-{len(started) + 1}"
        worker = Worker(
            name, queue_name, tmp_path / f"{name}.log", {k: str(v) for k, v in env.items()}
        )
        started.append(worker)
        return worker.start(wait=wait)

    with celery_app(broker_url=REDIS_URL, eager=False, default_queue=queue_name):
        try:
            yield start
        finally:
            for worker in started:
                worker.kill()
            import redis

            keys = (
                queue_name,
                f"_kombu.binding.{queue_name}",
                f"_kombu.binding_permanent.{queue_name}",
            )
            redis.Redis.from_url(REDIS_URL).delete(*keys)


def wait_for(condition, *, timeout: float, what: str, workers=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    logs = "\n".join(f"--- {w.name}\n{w.output()[-3000:]}" for w in workers)
    pytest.fail(f"timed out after {timeout} s waiting for {what}\n{logs}")


def sent_count() -> int:
    return Notification.objects.filter(status=Status.SENT).count()


def assert_each_sent_once(n: int):
    rows = list(Notification.objects.values_list("id", "status", "attempts"))
    assert len(rows) == n
    assert {(status, attempts) for _pk, status, attempts in rows} == {(Status.SENT, 1)}
    message_ids = list(SinkMessage.objects.values_list("message_id", flat=True))
    assert len(message_ids) == len(set(message_ids)) == n
    assert set(message_ids) == {
        f"<notification-{pk}@elaas-onboarding.local>" for pk, _s, _a in rows
    }


def test_a_real_worker_sends_300_queued_rows_each_once(workers):
    n = 300
    worker = workers()
    users = make_users(n, "bulk")
    with transaction.atomic():
        created, _ = queue(outgoing_for(users))  # the nudge goes to Redis after commit
    assert created == n

    wait_for(lambda: sent_count() == n, timeout=45, what=f"{n} rows sent", workers=[worker])
    assert_each_sent_once(n)
    # Sent by the worker's one prefork child, not by this process.
    [sender] = set(SinkMessage.objects.values_list("worker", flat=True))
    assert not sender.endswith(f":{os.getpid()}")
    assert worker.stop() == 0
    assert not worker.alive


def test_two_workers_share_the_rows_and_never_send_one_twice(workers):
    """Both claim at once (SELECT ... FOR UPDATE SKIP LOCKED, then a conditional update)."""
    n = 300
    slow = {
        "EMAIL_BACKEND": "tests.notifications.slow_backend.SlowSinkBackend",
        "SLOW_SINK_SECONDS": 0.005,
    }
    pair = [workers(wait=False, **slow), workers(wait=False, **slow)]
    for worker in pair:
        worker.wait_ready()
    with transaction.atomic():
        created, _ = queue(outgoing_for(make_users(n, "shared")))
    assert created == n
    for _ in range(3):
        assert nudge() is True  # more nudges than workers: both get one while rows remain

    wait_for(
        lambda: sent_count() == n, timeout=45, what=f"{n} rows sent by two workers", workers=pair
    )
    assert_each_sent_once(n)
    assert len(set(SinkMessage.objects.values_list("worker", flat=True))) == 2
    assert [worker.stop() for worker in pair] == [0, 0]


def test_a_worker_killed_in_the_middle_of_a_pass_loses_nothing_and_sends_nothing_twice(
    workers, circulars, nakhon_phanom
):
    n = 40
    seed_ladder()
    lao_staff_in_one_district(n, nakhon_phanom)
    day = dt.date(2025, 4, 14)  # 7 days before the last day: every LAO's staff is reminded
    first = workers(
        EMAIL_BACKEND="tests.notifications.slow_backend.SlowSinkBackend", SLOW_SINK_SECONDS=0.1
    )

    result = run_pass(day)  # writes n rows and nudges the worker after commit
    assert result.created == n
    wait_for(
        lambda: SinkMessage.objects.count() >= 5,
        timeout=30,
        what="the first mails",
        workers=[first],
    )
    os.killpg(first.proc.pid, signal.SIGKILL)  # the worker and its prefork child, mid-batch
    first.proc.wait(10)

    sent, stuck = sent_count(), Notification.objects.filter(status=Status.SENDING).count()
    assert 5 <= sent < n, "the worker was killed too late to prove anything"
    assert SinkMessage.objects.count() == sent  # the mail and the mark are one transaction
    assert stuck > 0  # claimed by the dead worker: nobody else may take them before the lease
    assert sent + stuck + Notification.objects.filter(status=Status.PENDING).count() == n

    # The next pass writes nothing new; a second worker, whose lease is 0, and the sweep send the
    # rest.
    again = run_pass(day)
    assert (again.created, again.already_existed) == (0, n)
    second = workers(NOTIFICATION_CLAIM_LEASE_SECONDS=0)
    from notifications.tasks import sweep_notifications

    sweep_notifications.delay()
    wait_for(
        lambda: sent_count() == n,
        timeout=30,
        what="the rest sent by the second worker",
        workers=[second],
    )
    assert_each_sent_once(n)
    assert len(set(SinkMessage.objects.values_list("worker", flat=True))) == 2
    assert second.stop() == 0


def test_with_redis_down_pages_work_rows_wait_and_when_it_is_back_the_sweep_delivers(
    workers, client, actors, settings
):
    worker = workers()  # a worker on the real Redis: the web process below cannot reach any broker
    down = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": down,
            "KEY_PREFIX": "elaas",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    users = make_users(20, "waiting")
    with celery_app(broker_url=down):
        started = time.monotonic()
        assert client.get("/").status_code == 200  # the status page
        assert client.get("/accounts/login/").status_code == 200
        response = client.post(
            "/accounts/login/", {"login": actors["lao_clerk"].email, "password": PASSWORD}
        )
        assert response.status_code == 302 and response["Location"] == "/my/"
        assert client.get("/my/").status_code == 200
        assert time.monotonic() - started < 10

        with transaction.atomic():
            created, _ = queue(
                outgoing_for(users)
            )  # the nudge after commit fails, is logged, nothing raised
        assert created == 20
        assert nudge() is False
    time.sleep(1)
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.PENDING}
    assert not SinkMessage.objects.exists()

    # Redis is back for this process too: the periodic sweep (sent here as beat would) delivers.
    from notifications.tasks import sweep_notifications

    sweep_notifications.delay()
    wait_for(lambda: sent_count() == 20, timeout=30, what="the waiting rows sent", workers=[worker])
    assert_each_sent_once(20)
    assert worker.stop() == 0
