"""Observability: a request id on every answer and every log line of its request, the Celery
task id on a task's log lines, JSON log lines, and /metrics for internal addresses only, with
the outbox's backlog and the Celery queue's depth read when it is scraped."""

import io
import ipaddress
import json
import logging
import re

import pytest
import redis
from django.db import transaction

from core.logs import ContextFilter, JsonFormatter
from notifications import tasks
from notifications.models import Notification, Status
from notifications.services import queue
from tests import keyspace
from tests.notifications.support import celery_app, closed_port, make_users, outgoing_for
from tests.wsgi import QUESTION, call

pytestmark = pytest.mark.django_db

TEST_REDIS_URL = keyspace.TEST_REDIS_URL


@pytest.fixture
def log_lines():
    """What reaches a console handler configured as in production (JSON, with the context
    filter), as parsed objects; the list grows while the test runs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)

    def lines():
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    try:
        yield lines
    finally:
        root.removeHandler(handler)


def test_every_answer_has_a_new_request_id(client):
    first, second = client.get("/healthz/"), client.get("/circulars/")
    for response in (first, second):
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.parametrize("path", [QUESTION, "/healthz/", "/", "/metrics"])
def test_the_json_doors_and_the_status_page_give_a_request_id_too(path, circulars):
    _status, headers, _body = call(path, HTTP_X_REQUEST_ID="from-the-proxy-1")
    assert headers["X-Request-ID"] == "from-the-proxy-1"


@pytest.mark.parametrize(
    "incoming", ["8f14e45f-ceea-467a-9af7-6c8d1f6b1e4c", "0af7651916cd43dd8448eb211c80319c"]
)
def test_a_well_formed_incoming_request_id_is_kept(client, incoming):
    assert client.get("/healthz/", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"] == incoming


@pytest.mark.parametrize("incoming", ["", "two words", "line\nbreak", "x" * 129, "<script>", "ไทย"])
def test_a_malformed_incoming_request_id_is_replaced(client, incoming):
    answered = client.get("/healthz/", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"]
    assert answered != incoming and re.fullmatch(r"[0-9a-f]{32}", answered)


def test_every_log_line_of_a_request_carries_its_id(client, settings, log_lines):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"  # readiness logs why it is down

    response = client.get("/readyz/", HTTP_X_REQUEST_ID="req-42")
    outside = logging.getLogger("tests").warning("after the request")

    assert response.status_code == 503 and response["X-Request-ID"] == "req-42"
    lines = log_lines()
    during = [line for line in lines if line["message"] != "after the request"]
    assert during and {line["logger"] for line in during} >= {"elaas_portal.readiness"}
    assert {line.get("request_id") for line in during} == {"req-42"}
    assert outside is None and "request_id" not in lines[-1]  # the id ends with its request


def test_a_celery_task_logs_with_its_task_id(db, settings, log_lines):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()  # the mail server is down
    with transaction.atomic():
        queue(outgoing_for(make_users(1, "staff")), nudge_workers=False)

    with celery_app(eager=True):
        result = tasks.deliver_notifications.apply(task_id="task-7f3a")

    assert result.successful()
    task_lines = [line for line in log_lines() if line["logger"] == "notifications.delivery"]
    assert task_lines and {line.get("task_id") for line in task_lines} == {"task-7f3a"}
    assert all("request_id" not in line for line in task_lines)


def test_a_log_line_is_one_json_object_with_the_traceback():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "ผิดพลาด %s", ("ที่หนึ่ง",), None)
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    ContextFilter().filter(record)
    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "ผิดพลาด ที่หนึ่ง" and entry["level"] == "ERROR"
    assert "ValueError: boom" in entry["exc_info"]


# --- /metrics ------------------------------------------------------------------------------


def metric(body: str, name: str, labels: str = "") -> float:
    found = re.search(rf"^{re.escape(name + labels)} (\S+)$", body, re.MULTILINE)
    assert found, f"{name}{labels} not in /metrics"
    return float(found.group(1))


def test_metrics_show_the_outbox_backlog(client):
    with transaction.atomic():
        queue(outgoing_for(make_users(3, "staff")), nudge_workers=False)
    Notification.objects.filter(pk=Notification.objects.order_by("pk")[0].pk).update(
        status=Status.FAILED
    )

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert metric(body, "elaas_outbox_notifications", '{status="pending"}') == 2
    assert metric(body, "elaas_outbox_notifications", '{status="failed"}') == 1
    assert metric(body, "elaas_outbox_notifications", '{status="sent"}') == 0
    assert metric(body, "elaas_outbox_due") == 2
    assert metric(body, "elaas_outbox_oldest_due_seconds") >= 0
    assert "django_http_requests_total_by_method_total" in body  # django-prometheus's own


@pytest.mark.parametrize(
    "remote,forwarded",
    [
        ("203.0.113.5", None),  # from outside
        ("127.0.0.1", "203.0.113.5"),  # from outside, relayed by the proxy on this machine
        ("127.0.0.1", "10.0.0.8, 203.0.113.5"),  # the proxy's own entry is the last one
        ("2001:db8::1", None),
        ("not-an-address", None),
    ],
)
def test_metrics_are_not_found_from_outside(client, remote, forwarded):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client.get("/metrics", **extra).status_code == 404


@pytest.mark.parametrize(
    "remote,forwarded",
    [("127.0.0.1", None), ("10.20.30.40", None), ("192.168.1.9", "172.16.5.5"), ("::1", None)],
)
def test_metrics_are_served_to_internal_addresses(client, remote, forwarded):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client.get("/metrics", **extra).status_code == 200


def test_the_internal_networks_are_a_setting(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.1.0.0/16")]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.2.0.1").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


@pytest.fixture
def own_queue():
    """A Celery queue of this run's own in the test Redis (tests/keyspace.py): another run, or a
    benchmark emptying its database, neither counts our tasks nor deletes them."""
    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {TEST_REDIS_URL}")
    finally:
        client.close()
    name = keyspace.queue_name("metrics")
    yield name
    keyspace.delete_queue(TEST_REDIS_URL, name)


def test_metrics_show_the_celery_queue_depth(client, settings, own_queue):
    settings.REDIS_URL = TEST_REDIS_URL
    with celery_app(broker_url=TEST_REDIS_URL, eager=False, default_queue=own_queue) as app:
        for _ in range(3):  # no worker listens: the tasks wait in the queue
            app.send_task("notifications.tasks.deliver_notifications")

        body = client.get("/metrics").content.decode()

    assert metric(body, "elaas_celery_broker_up") == 1
    assert metric(body, "elaas_celery_queue_depth", f'{{queue="{own_queue}"}}') == 3


def test_metrics_say_when_redis_does_not_answer(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"

    response = client.get("/metrics")

    assert response.status_code == 200
    body = response.content.decode()
    assert metric(body, "elaas_celery_broker_up") == 0
    assert "elaas_celery_queue_depth{" not in body
    assert metric(body, "elaas_outbox_due") == 0  # the rest of the page is still there


def test_the_json_doors_and_the_status_page_are_counted_by_view(circulars):
    import prometheus_client

    def counted() -> float:
        name = "django_http_requests_before_middlewares_total"
        return prometheus_client.REGISTRY.get_sample_value(name) or 0.0

    def by_view(view: str) -> float:
        name = "django_http_responses_total_by_status_view_method_total"
        labels = {"status": "200", "view": view, "method": "GET"}
        return prometheus_client.REGISTRY.get_sample_value(name, labels) or 0.0

    views = ["maintenance:decision-api", "healthz", "maintenance:status"]
    before, before_by_view = counted(), [by_view(v) for v in views]
    for path in (QUESTION, "/healthz/", "/"):
        assert call(path)[0] == 200

    assert counted() - before == 3
    # One chain: the "after" middleware counts them by view too (the lean doors did not).
    assert [by_view(v) - b for v, b in zip(views, before_by_view, strict=True)] == [1, 1, 1]
