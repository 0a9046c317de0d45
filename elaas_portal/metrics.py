"""Prometheus metrics at /metrics, for the monitoring inside the network only.

django-prometheus counts requests, answers and latencies by view (its middleware is first and
last in every chain). Two collectors here read, at scrape time, what a counter in one process
cannot know: the outbox's backlog (the database) and the Celery queue's depth (Redis). The page
is served only to addresses in METRICS_ALLOWED_NETWORKS, and never to a request the proxy
relayed from outside (its X-Forwarded-For names an address outside them): everyone else gets the
portal's ordinary 404. With PROMETHEUS_MULTIPROC_DIR set (several gunicorn workers), the request
counters of every worker are added up.
"""

from __future__ import annotations

import ipaddress
import logging
import os

import prometheus_client
import redis
from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_prometheus.middleware import PrometheusAfterMiddleware
from django_prometheus.utils import Time
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from core.middleware import language_neutral
from notifications.delivery import backlog

from .celery import app as celery_app

log = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 0.5
# kombu keeps a Redis queue's prioritised messages in lists named queue + "\x06\x16" + priority.
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)


class OutboxCollector:
    """elaas_outbox_notifications{status}, elaas_outbox_due, elaas_outbox_oldest_due_seconds."""

    def describe(self):  # the names, without reading the database at registration
        yield GaugeMetricFamily("elaas_outbox_notifications", "", labels=["status"])
        yield GaugeMetricFamily("elaas_outbox_due", "")
        yield GaugeMetricFamily("elaas_outbox_oldest_due_seconds", "")

    def collect(self):
        try:
            figures = backlog()
        except Exception as exc:  # the database is down: say so by leaving the figures out
            log.warning("metrics: the outbox could not be read: %s", exc)
            return
        by_status = GaugeMetricFamily(
            "elaas_outbox_notifications", "Outbox rows by e-mail status", labels=["status"]
        )
        for status, count in sorted(figures["by_status"].items()):
            by_status.add_metric([status], count)
        yield by_status
        yield GaugeMetricFamily(
            "elaas_outbox_due", "Outbox rows waiting whose attempt time has come", figures["due"]
        )
        yield GaugeMetricFamily(
            "elaas_outbox_oldest_due_seconds",
            "Seconds since the attempt time of the oldest due row (0: none due)",
            figures["oldest_due_seconds"],
        )


def celery_queue_depth() -> int:
    """Messages waiting in the default Celery queue (every priority), read from Redis."""
    queue = celery_app.conf.task_default_queue
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        with client.pipeline(transaction=False) as pipe:
            pipe.llen(queue)
            for step in _PRIORITY_STEPS:
                pipe.llen(f"{queue}{_PRIORITY_SEPARATOR}{step}")
            return sum(pipe.execute())
    finally:
        client.close()


class CeleryQueueCollector:
    """elaas_celery_queue_depth{queue}; absent without REDIS_URL (tasks run in-process) or while
    Redis does not answer (elaas_celery_broker_up says which)."""

    def describe(self):  # the names, without asking Redis at registration
        yield GaugeMetricFamily("elaas_celery_broker_up", "")
        yield GaugeMetricFamily("elaas_celery_queue_depth", "", labels=["queue"])

    def collect(self):
        if not settings.REDIS_URL:
            return
        up = GaugeMetricFamily("elaas_celery_broker_up", "1 if Redis answered the scrape")
        try:
            depth = celery_queue_depth()
        except redis.RedisError as exc:
            log.warning("metrics: the Celery queue could not be read: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        gauge = GaugeMetricFamily(
            "elaas_celery_queue_depth", "Tasks waiting in the Celery queue", labels=["queue"]
        )
        gauge.add_metric([celery_app.conf.task_default_queue], depth)
        yield gauge


COLLECTORS = (OutboxCollector(), CeleryQueueCollector())


def register(registry=prometheus_client.REGISTRY) -> None:
    """Add the collectors to the process's registry (once, from the app's ready())."""
    for collector in COLLECTORS:
        try:
            registry.register(collector)
        except ValueError:  # already registered (a second ready() in tests)
            pass


def _internal(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in settings.METRICS_ALLOWED_NETWORKS)


def is_internal(request) -> bool:
    """The socket's peer, and, through a proxy, the client it names last, are both inside."""
    if not _internal(request.META.get("REMOTE_ADDR", "")):
        return False
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return not forwarded or _internal(forwarded.split(",")[-1])


@language_neutral
@never_cache
@require_safe
def metrics(request):
    if not is_internal(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        MultiProcessCollector(registry)
        for collector in COLLECTORS:
            registry.register(collector)
    else:
        registry = prometheus_client.REGISTRY
    return HttpResponse(
        prometheus_client.generate_latest(registry),
        content_type=prometheus_client.CONTENT_TYPE_LATEST,
    )


class AfterMiddleware(PrometheusAfterMiddleware):
    """django-prometheus's per-view middleware, without its 500 on a Content-Length that is not a
    number (Django itself reads it as 0 and answers the request): counted without its size."""

    def process_request(self, request):
        try:
            super().process_request(request)
        except ValueError:
            request.prometheus_after_middleware_event = Time()
