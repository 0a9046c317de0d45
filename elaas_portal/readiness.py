"""Readiness: whether this process can serve pages now, for a load balancer or an orchestrator.

`/healthz/` stays the cheap liveness answer (the process runs; nothing else touched).
`/readyz/` asks the services a page needs: the database, and Redis when REDIS_URL is set. It
answers 200 when all answer, 503 naming those that do not, as JSON:
{"ready": false, "down": ["postgresql"], "checks": {"postgresql": "down", "redis": "ok"},
"mail": "ok"}. The reason is logged, not shown: the answer is public.

`mail` is the mail server's reachability (connect, EHLO, NOOP within MAIL_TIMEOUT_SECONDS):
"ok", "down", or "console" when EMAIL_URL=console writes mail to the log on purpose ("other"
for a backend named by EMAIL_BACKEND). It does not make the portal unready: pages still serve
while the mail server is away, and the outbox keeps every message until it comes back.
"""

import logging
import smtplib
import ssl

import redis
from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from core.jsonapi import json_read_only

log = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 0.5
MAIL_TIMEOUT_SECONDS = 2


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


def mail_server_answers() -> None:
    """Connect to the mail server, say EHLO (and STARTTLS when it is used) and NOOP; no login,
    no mail. Raises when it does not answer within MAIL_TIMEOUT_SECONDS."""
    kind = smtplib.SMTP_SSL if settings.EMAIL_USE_SSL else smtplib.SMTP
    extra = {"context": ssl.create_default_context()} if settings.EMAIL_USE_SSL else {}
    with kind(
        settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=MAIL_TIMEOUT_SECONDS, **extra
    ) as smtp:
        smtp.ehlo()
        if settings.EMAIL_USE_TLS:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        code, _message = smtp.noop()
        if code != 250:
            raise smtplib.SMTPResponseException(code, _message)


def mail_state() -> str:
    if settings.MAIL_DESTINATION != "smtp":
        return settings.MAIL_DESTINATION  # "console" on purpose, or "other"
    return _state("the mail server", mail_server_answers)


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
        {"ready": not down, "down": down, "checks": checks, "mail": mail_state()},
        status=503 if down else 200,
    )
