"""The decision API's own door: a plain question answered without Django's request cycle.

GET /api/policy/decision is the portal's most called door (LAO systems asking "may this LAO do
this now?") and needs nothing of a web page: no session, user, language, template, query or
middleware state. Django's handler with even the lean middleware (elaas_portal/wsgi.py) cost
~180 us of CPU a question in-process against ~40 us for a bare Django view, most of it request
and response machinery, so this door answers the plain case itself:

- the question is read, decided and written by the very functions the view uses
  (`maintenance.services.parse_question`, `decision_payload`, `render_payload`): one home for
  each rule, the same bytes;
- the answer carries the headers the lean Django door gave the first plain question of this
  process (security headers, CSP, content type), learned from that answer, not written again
  here, so they cannot drift apart; plus the request's own X-Request-ID; its Cache-Control and
  ETag, in the places Django's answer had them, are this answer's own, from the function the
  view takes them from (`maintenance.caching`);
- requests are counted in the same Prometheus metrics as the lean doors' (requests, responses,
  latency).

Anything else goes to the lean Django door, whose answer is then the one given: a host not in
ALLOWED_HOSTS, a request not over https (the redirect), HEAD, a request with If-None-Match
(Django's 304), a question naming an `org` (a query), a question without `at` while the demo
clock may be set, a bad parameter (its clear 400), a policy snapshot that must be read again (a
query), any error. So every answer other than a plain decision is Django's own, and tests
compare the two doors byte for byte.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.http import QueryDict
from django.http.request import split_domain_port, validate_host
from django_prometheus.middleware import Metrics

from core.logs import request_id_from
from maintenance.caching import cache_headers, decision_max_age
from maintenance.services import decision_payload, parse_question, render_payload
from maintenance.snapshot import kept_policy

PATH = "/api/policy/decision"
_PER_REQUEST = {"content-length", "x-request-id"}
_PER_ANSWER = {"Cache-Control", "ETag"}


class DecisionDoor:
    def __init__(self, fallback):
        self.fallback = fallback  # the lean Django door
        self.headers: list[tuple[str, str]] | None = None  # learned from its first plain answer
        self.metrics = Metrics.get_instance()

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        answer = self._answer(environ)
        if answer is None or self.headers is None:
            return self._by_django(environ, start_response, plain=answer is not None)
        body, max_age = answer
        own = dict(cache_headers(body, max_age))
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        headers = [(k, own.get(k, v)) for k, v in self.headers]
        start_response("200 OK", [*headers, ("X-Request-ID", request_id)])
        self.metrics.requests_total.inc()
        self.metrics.responses_total.inc()
        self.metrics.requests_latency_before.observe(time.perf_counter() - started)
        return [body]

    def _answer(self, environ) -> tuple[bytes, int | None] | None:
        """The plain answer's body and max-age, or None when the lean Django door must answer."""
        if environ.get("REQUEST_METHOD") != "GET" or not _secure(environ):
            return None
        if "HTTP_IF_NONE_MATCH" in environ:
            return None
        if not _allowed_host(environ.get("HTTP_HOST", "")):
            return None
        policy = kept_policy()
        if policy is None:
            return None
        try:
            # as Django reads it; too many fields raise, and Django's door gives its 400
            params = QueryDict(get_bytes_from_wsgi(environ, "QUERY_STRING", ""))
            if params.get("org") or (settings.DEMO_FEATURES and not params.get("at")):
                return None
            question = parse_question(params)
            decision = policy.decide(question.subject, question.action, question.at)
            body = render_payload(decision_payload(question, decision)).encode()
            return body, decision_max_age(question, policy, fixed=bool(params.get("at")))
        except Exception:  # noqa: BLE001 - Django's door answers it, as it would have
            return None

    def _by_django(self, environ, start_response, *, plain: bool):
        """The lean Django door's answer; the headers of its first answer to a plain question
        are kept for the answers given here (its Cache-Control and ETag to be replaced)."""

        def learning(status, headers, exc_info=None):
            names = {k for k, _v in headers}
            if (
                plain
                and self.headers is None
                and status.startswith("200 ")
                and _PER_ANSWER <= names
            ):
                self.headers = [(k, v) for k, v in headers if k.lower() not in _PER_REQUEST]
            return start_response(status, headers, exc_info)

        return self.fallback(environ, learning)


def _secure(environ) -> bool:
    header = settings.SECURE_PROXY_SSL_HEADER
    if header:
        return environ.get(header[0]) == header[1]
    return environ.get("wsgi.url_scheme") == "https"


def _allowed_host(host: str) -> bool:
    """The Host header names an allowed host; where Django would work the host out otherwise
    (a forwarded host, no header, DEBUG's own defaults), False: Django's door answers."""
    if settings.USE_X_FORWARDED_HOST or settings.DEBUG or not host:
        return False
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)
