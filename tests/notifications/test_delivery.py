"""Sending the outbox: claim, send, mark; retries with backoff and a bound; permanent failures;
leases; resend; and, in this process, the broker down and a worker dead in the middle of a batch.

Mail goes to the DatabaseSinkBackend (one SinkMessage per message handed over) or to a test
backend that fails the way SMTP servers fail.
"""

import datetime as dt
import smtplib
import time

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from notifications import delivery
from notifications.delivery import claim, deliver_due, deliver_one, reclaim_stale, resend
from notifications.models import Notification, SinkMessage, Status
from notifications.services import nudge, queue
from tests.actors import PASSWORD, login

from .support import celery_app, closed_port, make_users, outgoing_for

pytestmark = pytest.mark.usefixtures("sink")


@pytest.fixture
def rows(db):
    """Five rows waiting to be sent, one per recipient."""

    def make(n=5, prefix="r"):
        with transaction.atomic():
            created, _ = queue(outgoing_for(make_users(n, prefix)), nudge_workers=False)
        assert created == n
        return list(
            Notification.objects.filter(recipient__email__startswith=f"{prefix}-").order_by("id")
        )

    return make


class FailingBackend(BaseEmailBackend):
    """Raises `error` on every send and counts the attempts."""

    def __init__(self, error, **kwargs):
        super().__init__(**kwargs)
        self.error, self.calls = error, 0

    def send_messages(self, email_messages):
        self.calls += 1
        raise self.error


def make_due(*notifications):
    """Time passes: the rows' next attempt is now."""
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )


def sent_once(expected_rows):
    """Every row sent, each handed to the backend exactly once, with its own Message-ID."""
    ids = [n.pk for n in expected_rows]
    assert set(Notification.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        Status.SENT
    }
    message_ids = list(SinkMessage.objects.values_list("message_id", flat=True))
    assert len(message_ids) == len(set(message_ids)) == len(ids)
    assert set(message_ids) == {f"<notification-{pk}@elaas-onboarding.local>" for pk in ids}


# --- Claim, send, mark ---------------------------------------------------------------------


def test_a_worker_claims_the_due_rows_and_nobody_else_gets_them(rows):
    made = rows(5)
    ids = claim(10, worker="w1")
    assert sorted(ids) == [n.pk for n in made]
    assert claim(10, worker="w2") == []
    claimed = Notification.objects.filter(pk__in=ids)
    assert {(n.status, n.claimed_by) for n in claimed} == {(Status.SENDING, "w1")}
    assert all(n.claimed_at is not None for n in claimed)


def test_a_claim_takes_at_most_its_limit_oldest_first(rows):
    made = rows(5)
    assert claim(2, worker="w1") == [made[0].pk, made[1].pk]
    assert claim(2, worker="w2") == [made[2].pk, made[3].pk]


def test_a_row_that_is_not_yet_due_is_not_claimed(rows):
    [n] = rows(1)
    Notification.objects.filter(pk=n.pk).update(
        next_attempt_at=timezone.now() + dt.timedelta(minutes=5)
    )
    assert claim(10, worker="w1") == []


def test_sending_a_claimed_row_hands_it_over_once_and_marks_it_sent(rows):
    from django.core.mail import get_connection

    [n] = rows(1)
    claim(1, worker="w1")
    assert deliver_one(n.pk, worker="w1", mail_connection=get_connection()) == "sent"
    n.refresh_from_db()
    assert (n.status, n.attempts, n.last_error) == (Status.SENT, 1, "")
    assert n.sent_at is not None
    [mail] = SinkMessage.objects.all()
    assert mail.message_id == f"<notification-{n.pk}@elaas-onboarding.local>"
    assert mail.to == n.recipient.email and mail.subject == "ทดสอบ / Test"


def test_a_row_claimed_by_another_worker_is_not_sent(rows):
    from django.core.mail import get_connection

    [n] = rows(1)
    claim(1, worker="w1")
    assert deliver_one(n.pk, worker="w2", mail_connection=get_connection()) == "lost"
    assert not SinkMessage.objects.exists()


def test_if_the_claim_is_taken_back_during_the_send_the_mail_is_rolled_back_with_the_mark(rows):
    """The sink row and the mark share one transaction: a lost claim leaves neither."""
    from notifications.backends import DatabaseSinkBackend

    [n] = rows(1)
    claim(1, worker="w1")

    class Reclaimed(DatabaseSinkBackend):
        def send_messages(self, messages):
            sent = super().send_messages(messages)
            Notification.objects.filter(pk=n.pk).update(
                claimed_by="w2"
            )  # reclaimed and re-claimed meanwhile
            return sent

    assert deliver_one(n.pk, worker="w1", mail_connection=Reclaimed()) == "lost"
    assert not SinkMessage.objects.exists()
    n.refresh_from_db()
    assert (n.status, n.attempts, n.sent_at) == (Status.SENDING, 0, None)


def test_two_deliveries_in_a_row_send_each_row_once(rows):
    made = rows(25)
    first = deliver_due(batch=10)
    second = deliver_due(batch=10)
    assert first == {"sent": 25} and second == {}
    sent_once(made)


# --- Transient and permanent failures ------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        smtplib.SMTPResponseException(421, b"4.3.2 Service not available, try again later"),
        smtplib.SMTPDataError(451, b"4.7.1 Greylisted, come back later"),
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
    ],
    ids=["disconnected", "421", "451-greylisted", "refused", "timeout"],
)
def test_a_transient_error_retries_with_backoff_and_fails_after_the_bound(rows, settings, error):
    settings.NOTIFICATION_MAX_ATTEMPTS = 4
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    [n] = rows(1)
    backend = FailingBackend(error)

    for attempt in range(1, settings.NOTIFICATION_MAX_ATTEMPTS):
        before = timezone.now()
        assert deliver_due(mail_connection=backend) == {"retry": 1}
        after = timezone.now()
        n.refresh_from_db()
        wait = dt.timedelta(seconds=30 * 2 ** (attempt - 1))  # 30 s, 60 s, 120 s
        assert (n.status, n.attempts, n.claimed_by, n.claimed_at) == (
            Status.PENDING,
            attempt,
            "",
            None,
        )
        assert before + wait <= n.next_attempt_at <= after + wait
        assert n.last_error.startswith(type(error).__name__)
        assert (
            deliver_due(mail_connection=backend) == {}
        )  # not due yet: nobody tries before the backoff
        make_due(n)

    assert deliver_due(mail_connection=backend) == {"failed": 1}
    n.refresh_from_db()
    assert (n.status, n.attempts) == (Status.FAILED, settings.NOTIFICATION_MAX_ATTEMPTS)
    assert n.last_error.startswith(type(error).__name__)
    make_due(n)
    assert deliver_due(mail_connection=backend) == {}  # failed rows stay failed
    assert backend.calls == settings.NOTIFICATION_MAX_ATTEMPTS


def test_the_backoff_doubles_and_is_capped_at_an_hour(settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    assert [delivery.backoff(a).total_seconds() for a in (1, 2, 3, 4, 8, 20)] == [
        30,
        60,
        120,
        240,
        3600,
        3600,
    ]


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPRecipientsRefused({"nobody@test.example": (550, b"5.1.1 User unknown")}),
        smtplib.SMTPDataError(554, b"5.7.1 Message rejected as spam"),
        smtplib.SMTPSenderRefused(553, b"5.7.1 Sender not allowed", "no-reply@localhost"),
        delivery.PermanentFailure("no e-mail address"),
    ],
    ids=["550-recipient", "554-data", "553-sender", "permanent"],
)
def test_a_permanent_failure_is_recorded_at_once(rows, settings, error):
    settings.NOTIFICATION_MAX_ATTEMPTS = 5
    [n] = rows(1)
    backend = FailingBackend(error)
    assert deliver_due(mail_connection=backend) == {"failed": 1}
    n.refresh_from_db()
    assert (n.status, n.attempts, backend.calls) == (Status.FAILED, 1, 1)
    assert n.last_error.startswith(type(error).__name__)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        assert "550" in n.last_error and "User unknown" in n.last_error


def test_with_the_mail_server_unreachable_every_row_waits_for_a_retry(rows, settings):
    class Unreachable(FailingBackend):
        def open(self):
            raise ConnectionRefusedError(111, "Connection refused")

    made = rows(3)
    assert deliver_due(
        mail_connection=Unreachable(ConnectionRefusedError(111, "Connection refused"))
    ) == {"retry": 3}
    assert {
        (n.status, n.attempts) for n in Notification.objects.filter(pk__in=[m.pk for m in made])
    } == {(Status.PENDING, 1)}


def test_an_interrupted_delivery_gives_its_batch_back_without_counting_an_attempt(rows):
    """The task's soft time limit fires in the middle of a send: the rows are due again now, with
    no error recorded against them, and the exception reaches Celery."""
    from notifications.backends import DatabaseSinkBackend

    made = rows(4)

    class TimesOut(DatabaseSinkBackend):
        sends = 0

        def send_messages(self, messages):
            TimesOut.sends += 1
            if TimesOut.sends == 2:
                raise SoftTimeLimitExceeded()
            return super().send_messages(messages)

    with pytest.raises(SoftTimeLimitExceeded):
        deliver_due(mail_connection=TimesOut())
    state = dict(
        Notification.objects.filter(pk__in=[n.pk for n in made]).values_list("id", "status")
    )
    assert list(state.values()).count(Status.SENT) == 1
    assert list(state.values()).count(Status.PENDING) == 3
    waiting = Notification.objects.filter(status=Status.PENDING)
    assert set(waiting.values_list("attempts", "last_error", "claimed_by")) == {(0, "", "")}
    assert deliver_due() == {"sent": 3}
    sent_once(made)


def test_a_flaky_sink_sends_every_row_once_in_the_end(rows, settings, monkeypatch):
    """SINK_FAIL_EVERY=3: every third attempt fails with a transient error, the retry succeeds."""
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 0  # retry at once
    monkeypatch.setenv("SINK_FAIL_EVERY", "3")
    made = rows(10)
    counts = deliver_due()
    assert counts["sent"] == 10 and counts["retry"] >= 3 and "failed" not in counts
    sent_once(made)
    assert sum(Notification.objects.values_list("attempts", flat=True)) == 10 + counts["retry"]


# --- Leases and resend ---------------------------------------------------------------------


def test_reclaim_gives_back_claims_older_than_the_lease_and_keeps_fresh_ones(rows, settings):
    settings.NOTIFICATION_CLAIM_LEASE_SECONDS = 300
    old, fresh = rows(2)
    claim(2, worker="dead:1")
    Notification.objects.filter(pk=old.pk).update(
        claimed_at=timezone.now() - dt.timedelta(seconds=301)
    )

    assert reclaim_stale() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, old.claimed_by, old.claimed_at, old.attempts) == (
        Status.PENDING,
        "",
        None,
        0,
    )
    assert old.next_attempt_at <= timezone.now()
    assert (fresh.status, fresh.claimed_by) == (Status.SENDING, "dead:1")
    assert reclaim_stale(lease_seconds=0) == 1  # lease 0: every claim is stale


def test_a_resent_failed_row_is_pending_again_and_sent_once(rows, settings):
    [n] = rows(1)
    deliver_due(
        mail_connection=FailingBackend(smtplib.SMTPRecipientsRefused({"x": (550, b"unknown")}))
    )
    n.refresh_from_db()
    assert n.status == Status.FAILED

    assert resend(n.pk) is True
    n.refresh_from_db()
    assert (n.status, n.attempts, n.last_error) == (Status.PENDING, 0, "")
    assert resend(n.pk) is False  # already waiting
    assert deliver_due() == {"sent": 1}
    assert deliver_due() == {}
    sent_once([n])


def test_resend_nudges_after_commit_and_the_eager_task_sends_it(
    rows, eager_celery, django_capture_on_commit_callbacks
):
    [n] = rows(1)
    Notification.objects.filter(pk=n.pk).update(
        status=Status.FAILED, attempts=5, last_error="SMTPRecipientsRefused"
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert resend(n.pk)
    assert len(callbacks) == 1
    sent_once([n])


def test_queueing_nudges_once_after_commit_and_the_eager_task_sends_everything(
    db, eager_celery, django_capture_on_commit_callbacks
):
    users = make_users(12)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            assert queue(outgoing_for(users)) == (12, 0)
            assert queue(outgoing_for(users)) == (
                0,
                12,
            )  # a second pass: nothing new, no second row
    assert len(callbacks) == 1
    sent_once(Notification.objects.all())


@pytest.mark.parametrize(
    ("rows_written", "per", "fanout", "tasks"),
    [
        (1, 500, 16, 1),
        (500, 500, 16, 1),
        (501, 500, 16, 2),
        (24_502, 500, 16, 16),
        (0, 500, 16, 1),
        (7, 3, 2, 2),
    ],
)
def test_a_big_pass_nudges_several_workers_up_to_the_fanout(
    settings, rows_written, per, fanout, tasks
):
    from notifications.services import nudges_for

    settings.NOTIFICATION_ROWS_PER_NUDGE = per
    settings.NOTIFICATION_NUDGE_FANOUT = fanout
    assert nudges_for(rows_written) == tasks


def test_several_nudges_share_the_rows_and_send_each_once(
    db, eager_celery, settings, django_capture_on_commit_callbacks
):
    from celery.signals import task_prerun

    settings.NOTIFICATION_ROWS_PER_NUDGE = 5
    ran = []

    def count(sender=None, **kwargs):
        ran.append(sender.name)

    task_prerun.connect(count)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                assert queue(outgoing_for(make_users(12, "fan"))) == (12, 0)
    finally:
        task_prerun.disconnect(count)
    assert ran == ["notifications.tasks.deliver_notifications"] * 3  # ceil(12 / 5)
    sent_once(Notification.objects.all())


def test_rows_queued_while_the_portal_clock_is_set_ahead_are_delivered_now(rows, portal_clock):
    """The portal's clock moves what the inbox shows, not when the workers may send."""
    ahead = timezone.now() + dt.timedelta(days=30)
    portal_clock(ahead.isoformat())
    made = rows(2)
    assert abs(made[0].created_at - ahead) < dt.timedelta(
        minutes=1
    )  # the inbox shows the portal's day
    assert deliver_due() == {"sent": 2}
    sent_once(made)


# --- In this process: the broker down, a worker dead mid-batch, the sweep -------------------


def test_with_redis_down_pages_work_rows_wait_and_the_sweep_delivers_them(
    client, actors, rows, settings
):
    from notifications.tasks import sweep_notifications

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
    with celery_app(broker_url=down, eager=False):
        started = time.monotonic()
        assert client.get("/").status_code == 200  # the status page
        assert client.get("/accounts/login/").status_code == 200
        response = client.post(
            "/accounts/login/", {"login": actors["lao_clerk"].email, "password": PASSWORD}
        )
        assert response.status_code == 302 and response["Location"] == "/my/"
        assert client.get("/my/").status_code == 200
        assert login(client, actors["district_officer"]).get("/my/").status_code == 200
        assert time.monotonic() - started < 10

        made = rows(6)
        assert nudge() is False  # logged, not raised
        assert set(
            Notification.objects.filter(pk__in=[n.pk for n in made]).values_list(
                "status", flat=True
            )
        ) == {Status.PENDING}

    # The broker is back: the periodic sweep (here run eagerly) delivers what waited.
    with celery_app(eager=True):
        counts = sweep_notifications.delay().get()
    assert counts == {"sent": 6, "reclaimed": 0}
    sent_once(made)


def test_the_resilient_cache_answers_every_operation_with_redis_down():
    from core.cache import ResilientRedisCache

    cache = ResilientRedisCache(
        f"redis://127.0.0.1:{closed_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
    )
    started = time.monotonic()
    assert cache.get("k", "default") == "default" and cache.get_many(["a", "b"]) == {}
    assert cache.get_or_set("k", "computed") == "computed"
    assert cache.add("k", 1) is True  # a key without a fallback (limits: test_login_limits.py)
    assert cache.incr("k") == 1 and cache.decr("k") == -1
    assert cache.has_key("k") is False and cache.touch("k") is False and cache.delete("k") is False
    cache.set("k", 1)
    cache.set_many({"a": 1})
    cache.delete_many(["a", "b"])
    cache.clear()
    assert time.monotonic() - started < 10


def test_a_worker_dead_mid_batch_leaves_rows_the_sweep_sends_once(rows, settings, eager_celery):
    from django.core.mail import get_connection

    from notifications.tasks import sweep_notifications

    settings.NOTIFICATION_CLAIM_LEASE_SECONDS = 300
    made = rows(10)
    ids = claim(100, worker="dead:4242")
    for pk in ids[:3]:
        deliver_one(pk, worker="dead:4242", mail_connection=get_connection())
    # ... and the process is killed: 7 rows stay `sending`.
    assert Notification.objects.filter(status=Status.SENDING).count() == 7

    assert sweep_notifications.delay().get() == {"reclaimed": 0}  # the lease has not run out
    Notification.objects.filter(status=Status.SENDING).update(
        claimed_at=timezone.now() - dt.timedelta(seconds=301)
    )
    assert sweep_notifications.delay().get() == {"sent": 7, "reclaimed": 7}
    sent_once(made)
