"""Readiness: whether this process can serve pages now, for a load balancer or an orchestrator.

`/healthz/` stays the cheap liveness answer (the process runs; nothing else touched).
`/readyz/` asks the services a page needs: the database, and Redis when REDIS_URL is set. It
answers 200 when all answer, 503 naming those that do not, as JSON:
{"ready": false, "down": ["postgresql"], "checks": {"postgresql": "down", "redis": "ok"}}.
The reason is logged, not shown: the answer is public.
"""

import logging

import redis
from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from core.jsonapi import json_read_only

log = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 0.5


def database_answers() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def redis_answers() -> None:

    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()


def _state(name: str, check) -> str:
    try:
        check()
    except Exception as exc:  # whatever the failure, the service is not ready
        log.warning("readiness: %s is down: %s", name, exc)
        return "down"
    return "ok"


@never_cache
@json_read_only
def readyz(request):
    checks = {connections["default"].vendor: _state("the database", database_answers)}
    if settings.REDIS_URL:
        checks["redis"] = _state("Redis", redis_answers)
    down = [name for name, state in checks.items() if state != "ok"]
    return JsonResponse(
        {"ready": not down, "down": down, "checks": checks}, status=503 if down else 200
    )
