"""Every view and export reads the rows people see only through `restrict(user, action)`.

For each URL pattern of `django.urls.get_resolver()` (tests/fuzz/pages.py) and each named actor
(tests/actors.py, and an anonymous visitor), the test sends GET and an empty POST to the page
filled with the scene's ids (tests/fuzz/conftest.py), and records during the request:
- every `restrict(user, action)` call (`core.scoping.watchers`), by model;
- every SQL statement's tables read FROM (`connection.execute_wrapper`), mapped to the model
  people see that owns them (a request's evidence and history belong to the request, …).
A request that read a people-facing model's table while nothing restricted that model fails,
unless the page is in ALLOWED with that model and its reason. Reads of the signed-in user's own
roles (who they are: `accounts.scope`, the login backend, the second-factor gate) are not reads
of others' rows and are not counted.
"""

import re
import traceback
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from core import scoping
from onboarding.models import VerificationRequest
from tests import keyspace
from tests.actors import ACTOR_NAMES, login

from .pages import all_pages
from .test_every_page import _candidate_paths

# Tables read -> the model whose restrict must have been asked.
PEOPLE_TABLES = {
    "onboarding_verificationrequest": "onboarding.verificationrequest",
    "onboarding_historicalverificationrequest": "onboarding.verificationrequest",
    "onboarding_evidence": "onboarding.verificationrequest",
    "circulars_delivery": "circulars.delivery",
    "circulars_circulardraft": "circulars.circulardraft",
    "circulars_historicalcirculardraft": "circulars.circulardraft",
    "circulars_draftpage": "circulars.circulardraft",
    "accounts_role": "accounts.role",
    "accounts_historicalrole": "accounts.role",
    "notifications_notification": "notifications.notification",
}

# Code that reads who the signed-in user is (their own roles), never others' rows.
IDENTITY_CODE = (
    "accounts/scope.py",
    "accounts/backends.py",
    "elaas_portal/backends.py",
    "accounts/sessions.py",
)
# Helpers that run a query for their caller: the caller decides.
HELPERS = ("core/db.py", "tests/fuzz/test_every_view_restricts.py")
ROOT = str(Path(__file__).resolve().parents[2]) + "/"


def _identity_read() -> bool:
    """Whether the innermost code of ours that ran this query reads the user's own roles."""
    for frame in reversed(traceback.extract_stack()):
        name = frame.filename
        if not name.startswith(ROOT) or "/.venv/" in name or name.endswith(HELPERS):
            continue
        return name.endswith(IDENTITY_CODE)
    return False


# Pages (by URL name, or a prefix ending in ":"; the longest key that fits wins) that may read
# some of these models without restrict, which models, and why. Kept short: each entry is a
# decision, not a way to silence the test; every other model a listed page reads is checked.
EVERY = frozenset(PEOPLE_TABLES.values())
REQUESTS, ROLES = "onboarding.verificationrequest", "accounts.role"
DELIVERIES, MESSAGES = "circulars.delivery", "notifications.notification"
_COUNTS = (
    "counts per area (compliance.stats), after compliance.scope.resolve has checked the area is "
    "the user's (Http404 otherwise): numbers, no person's row. They cannot be asked of a user's "
    "restrict: the country's figures are computed once for every officer (the national table, "
    "kept per time bucket) and each area's are read from them, so a table built from one "
    "officer's rows would be wrong for the next"
)
ALLOWED = {
    "admin:": (
        EVERY,
        "Django's admin: site administrators only (accounts.admin_guard), every row by design; "
        "not a page of the portal's roles",
    ),
    "compliance:home": ({REQUESTS, ROLES, DELIVERIES, MESSAGES}, _COUNTS),
    "compliance:country": ({REQUESTS, ROLES, DELIVERIES, MESSAGES}, _COUNTS),
    "compliance:province": ({REQUESTS, ROLES, DELIVERIES, MESSAGES}, _COUNTS),
    "compliance:district": ({REQUESTS, ROLES, DELIVERIES, MESSAGES}, _COUNTS),
    "compliance-api": ({REQUESTS, ROLES, DELIVERIES, MESSAGES}, _COUNTS),
    "compliance:late": (
        {REQUESTS},
        "each LAO's state, its positions' states and its last activity, computed from its "
        "requests in SQL for the LAOs of the area (as the counts): no request's row is shown. "
        "The staff to call are people's rows: Role.objects.restrict(user, VIEW)",
    ),
    "compliance:export": (
        {REQUESTS, ROLES, DELIVERIES, MESSAGES},
        "the same page name serves the summary (the counts: " + _COUNTS + ") and the late list "
        "(whose staff to call go through Role.objects.restrict(user, VIEW), as on compliance:late)",
    ),
    "circulars:publish": (
        {DELIVERIES, ROLES, MESSAGES},
        "a write, not a read shown: after services.may_publish (the issuer's officers), "
        "publish_circular fans the letter out to every recipient's vetted staff (deliveries and "
        "messages it creates, and the ones it finds already there), people the publisher may not "
        "see; the page then redirects and shows none of them",
    ),
    "metrics": (
        {MESSAGES},
        "Prometheus' gauges: the outbox counted by status, no row and no person; served to the "
        "monitoring's address only (elaas_portal.metrics), with no user for restrict to scope",
    ),
}


_FROM = re.compile(r'\bFROM\s+"?(\w+)"?', re.IGNORECASE)


def _allowed(name: str) -> frozenset:
    """The models page `name` may read without restrict (ALLOWED's longest key that fits)."""
    keys = [k for k in ALLOWED if name == k or (k.endswith(":") and name.startswith(k))]
    return frozenset(ALLOWED[max(keys, key=len)][0]) if keys else frozenset()


class Recorder:
    """The restricted models and the people-facing models read, during one request."""

    def __init__(self):
        self.restricted: set[str] = set()
        self.read: dict[str, str] = {}

    def watch(self, model, action):
        self.restricted.add(model._meta.label_lower)

    def __call__(self, execute, sql, params, many, context):
        tables = {t.lower() for t in _FROM.findall(sql)} & set(PEOPLE_TABLES)
        if tables:
            if not _identity_read():
                for table in tables:
                    self.read.setdefault(PEOPLE_TABLES[table], sql[:200])
        return execute(sql, params, many, context)

    def unrestricted(self) -> dict[str, str]:
        return {m: sql for m, sql in self.read.items() if m not in self.restricted}

    def __enter__(self):
        scoping.watchers.append(self.watch)
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)
        scoping.watchers.remove(self.watch)


def _send(session: str, method: str, path: str) -> tuple[int, Recorder]:
    with transaction.atomic():
        keyspace.clear("default")  # this run's keys: never FLUSHDB
        client = Client(raise_request_exception=False)
        if session:
            client.cookies[settings.SESSION_COOKIE_NAME] = session
        with Recorder() as recorder:
            response = client.get(path) if method == "GET" else client.post(path)
        transaction.set_rollback(True)
    return response.status_code, recorder


def test_the_recorder_tells_a_read_without_restrict_from_one_with_it(actors):
    """The walk below can fail: a read of requests without restrict is seen, one with it is not."""
    with Recorder() as bare:
        list(VerificationRequest.objects.all())
    assert "onboarding.verificationrequest" in bare.unrestricted()
    with Recorder() as scoped:
        list(VerificationRequest.objects.restrict(actors["lao_clerk"], scoping.Action.VIEW))
    assert scoped.unrestricted() == {}


def test_no_user_gets_nothing_and_an_unknown_action_is_an_error(actors):
    from circulars.models import CircularDraft

    assert not CircularDraft.objects.restrict(None, scoping.Action.VIEW).exists()
    with pytest.raises(ValueError, match="no rule"):
        VerificationRequest.objects.restrict(actors["lao_clerk"], scoping.Action.EXPORT)


@pytest.mark.parametrize("role", ("anonymous", *ACTOR_NAMES))
def test_every_view_reads_people_facing_rows_only_through_restrict(role, scene):
    session = ""
    if role != "anonymous":
        session = login(Client(), scene["actors"][role]).cookies[settings.SESSION_COOKIE_NAME].value
    failures, seen = [], defaultdict(int)
    for page in all_pages():
        allowed = _allowed(page.name)
        if allowed == EVERY:
            continue
        for path in list(_candidate_paths(page, scene))[:2]:
            for method in ("GET", "POST"):
                status, recorder = _send(session, method, path)
                seen[status] += 1
                for model, sql in recorder.unrestricted().items():
                    if model not in allowed:
                        failures.append(
                            f"{method} {path} ({page.name}) -> {status}: {model}: {sql}"
                        )
    assert seen[200] > 0  # the walk reached pages, not only refusals
    assert not failures, f"{len(failures)} reads without restrict:\n" + "\n".join(failures[:40])
