"""The JSON APIs against their OpenAPI document (/api/schema), with schemathesis.

The document is valid OpenAPI and names every /api/ URL; schemathesis generates requests from it
(values that fit the document, values that do not, and the scene's real codes) and sends them
through the WSGI application: the decision API and the probes anonymously, the compliance API as
each role. Every answer is below 500, has a status and a content type the document lists, and
a body that fits its schema.
"""

import json

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from elaas_portal.openapi import MEDIA_TYPE
from tests import keyspace
from tests.actors import login

from . import ledger
from .pages import all_pages

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
COMPLIANCE_ROLES = (
    "anonymous",
    "lao_clerk",
    "district_officer",
    "province_officer",
    "dla_officer",
)
EXAMPLES = 40  # per strategy below: documented values, undocumented ones, the scene's codes


@pytest.fixture
def wsgi_app(db):
    """The portal's WSGI application, in this test's transaction: Django closes the database
    connection at the end of a request, which would end the test's transaction too (its own
    test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api(wsgi_app):
    return schemathesis.openapi.from_wsgi("/api/schema", wsgi_app)


def test_the_document_is_served_as_openapi_json(client):
    response = client.get("/api/schema")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(MEDIA_TYPE)
    assert json.loads(response.content)["openapi"].startswith("3.")


def test_the_document_is_valid_openapi(api):
    api.validate()  # against the OpenAPI 3.0 meta-schema
    operations = [result.ok() for result in api.get_all_operations()]  # each one readable
    assert {op.label for op in operations} >= {
        "GET /api/policy/decision",
        "GET /api/compliance",
        "GET /healthz/",
        "GET /readyz/",
    }


def test_every_api_url_is_in_the_document(api):
    api_urls = {p.template for p in all_pages() if p.template.startswith("/api/")}
    assert api_urls and api_urls <= set(api.raw_schema["paths"])
    assert {"/api/policy/decision", "/api/compliance", "/api/schema"} <= api_urls


def _strategies(operation, known_queries: list[dict]):
    return st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        *[operation.as_strategy(query=q) for q in known_queries],
    )


def _run(operation, strategy, *, role: str, session: str, examples: int):
    tally = ledger.TALLIES["api", role]
    cookies = {settings.SESSION_COOKIE_NAME: session} if session else {}

    @hypothesis_settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def one_case(case):
        with transaction.atomic():
            keyspace.clear("default")  # this run's keys: never FLUSHDB
            response = case.call(cookies=cookies)
            transaction.set_rollback(True)
        ledger.count("api", role, where=operation.label, status=response.status_code)
        sent = f"{operation.label} query={case.query!r:.300} cookies={case.cookies!r:.100}"
        if response.status_code >= 500:
            tally.server_errors.append(f"{sent} -> {response.status_code}")
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, FailureGroup) as exc:
            tally.other_failures.append(f"{sent} -> {response.status_code}: {exc!s:.600}")

    one_case()
    return tally


def _assert_clean(tally, before: tuple[int, int]):
    errors = tally.server_errors[before[0] :] + tally.other_failures[before[1] :]
    assert not errors, f"{len(errors)} failures:\n" + "\n".join(errors[:20])


def test_the_decision_api_answers_every_question_as_documented(api, scene, quiet_request_log):
    operation = api["/api/policy/decision"]["GET"]
    known = [
        {"action": "verify_identity", "org": "6480199"},
        {"action": "use_system", "org": "๖๔๘๐๑๙๙"},
        {"action": "verify_identity", "entity_type": "lao", "identity_verified": "false"},
        {"action": "use_system", "entity_type": "unit", "at": "2568-04-04T00:00:00"},
    ]
    tally = ledger.TALLIES["api", "anonymous"]
    before = (len(tally.server_errors), len(tally.other_failures))
    _run(operation, _strategies(operation, known), role="anonymous", session="", examples=EXAMPLES)
    _assert_clean(tally, before)


def test_the_probes_answer_as_documented(api, scene, quiet_request_log):
    tally = ledger.TALLIES["api", "anonymous"]
    before = (len(tally.server_errors), len(tally.other_failures))
    for path in ("/healthz/", "/readyz/", "/api/schema"):
        operation = api[path]["GET"]
        _run(operation, _strategies(operation, []), role="anonymous", session="", examples=5)
    _assert_clean(tally, before)


@pytest.mark.parametrize("role", COMPLIANCE_ROLES)
def test_the_compliance_api_answers_each_role_as_documented(api, scene, quiet_request_log, role):
    operation = api["/api/compliance"]["GET"]
    session = ""
    if role != "anonymous":
        session = login(Client(), scene["actors"][role]).cookies[settings.SESSION_COOKIE_NAME].value
    known = [
        {"province": "48"},
        {"province": "๔๘", "district": "4801"},
        {"district": "4802"},
        {"province": "50"},
        {"district": "5001"},
        {"province": "48", "district": "5001"},
    ]
    tally = ledger.TALLIES["api", role]
    before = (len(tally.server_errors), len(tally.other_failures))
    _run(operation, _strategies(operation, known), role=role, session=session, examples=EXAMPLES)
    _assert_clean(tally, before)
