"""Calling the portal through its real WSGI entry point (elaas_portal/wsgi.py), as gunicorn does."""

from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from elaas_portal import wsgi


def call_wsgi(environ) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers as sent, body) of `environ` through `elaas_portal.wsgi.application`. As
    Django's test client does, the handlers' closing of database connections at the end of a
    request is held back: the test's transaction stays."""
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = int(status.split()[0]), list(headers)

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(wsgi.application(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return seen["status"], seen["headers"], body


# A plain question of the decision API, answered 200 (the window of 5 to 21 April 2568).
QUESTION = (
    "/api/policy/decision?entity_type=lao&action=verify_identity"
    "&at=2025-04-10T12:00:00%2B07:00&identity_verified=false"
)


def call(path, **extra):
    """GET `path` through the real WSGI entry point: (status, headers as a dict, body)."""
    from django.test import RequestFactory

    status, headers, body = call_wsgi(RequestFactory().get(path, **extra).environ)
    return status, dict(headers), body
