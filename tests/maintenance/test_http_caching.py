"""Caching through HTTP (maintenance/caching.py): the decision API's answer and the anonymous
status page say how long a shared cache may keep them (never past the next rule boundary) and
carry an ETag that Django answers with 304."""

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core import clock
from core.thai import BANGKOK
from maintenance.caching import MAX_AGE, decision_max_age, seconds_until
from maintenance.policy import ACTIONS, EntityType, Subject
from maintenance.services import Question, decision_payload
from maintenance.snapshot import current_policy, forget
from tests.actors import login

pytestmark = pytest.mark.django_db

API = "/api/policy/decision"
UNVERIFIED_MAY_VERIFY = {
    "entity_type": "lao",
    "identity_verified": "false",
    "action": "verify_identity",
}  # the window of 5 to 21 April 2568 (DLA's letter, clause 1)


@pytest.fixture
def kept_rules(settings, circulars):
    """The rules kept for a minute, as production keeps them (tests read them afresh otherwise,
    and a snapshot that is not kept is never cached)."""
    settings.POLICY_RULES_CACHE_SECONDS = 60
    forget()
    yield current_policy()
    forget()


@pytest.fixture
def now_is(monkeypatch):
    """The real clock reading a given Bangkok instant (not the demo clock, which turns caching
    off)."""

    def set_now(iso: str) -> dt.datetime:
        instant = dt.datetime.fromisoformat(iso).replace(tzinfo=BANGKOK)
        monkeypatch.setattr(clock, "now", lambda: instant)
        return instant

    return set_now


def bkk(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso).replace(tzinfo=BANGKOK)


# -- the arithmetic ----------------------------------------------------------------------------


def test_the_seconds_left_are_rounded_down_so_the_answer_is_never_kept_past_the_boundary():
    midnight = bkk("2025-04-05T00:00:00")
    assert seconds_until(midnight, bkk("2025-04-04T23:59:59")) == 1
    assert seconds_until(midnight, bkk("2025-04-04T23:59:59.400000")) == 0
    assert seconds_until(midnight, midnight) == 0
    assert seconds_until(midnight, bkk("2025-04-04T12:00:00")) == MAX_AGE
    assert seconds_until(None, midnight) == MAX_AGE


def test_an_answer_one_second_before_the_window_opens_is_kept_one_second(
    client, kept_rules, now_is
):
    now_is("2025-04-04T23:59:59")
    response = client.get(API, UNVERIFIED_MAY_VERIFY, secure=True)
    assert json.loads(response.content)["allowed"] is False
    assert response["Cache-Control"] == "public, max-age=1"


def test_at_midnight_the_new_answer_is_given_and_kept_the_full_time(client, kept_rules, now_is):
    now_is("2025-04-05T00:00:00")
    response = client.get(API, UNVERIFIED_MAY_VERIFY, secure=True)
    assert json.loads(response.content)["allowed"] is True
    assert response["Cache-Control"] == f"public, max-age={MAX_AGE}"


def test_the_last_second_of_the_window_is_kept_until_it_closes(client, kept_rules, now_is):
    now_is("2025-04-21T23:59:59")
    response = client.get(API, UNVERIFIED_MAY_VERIFY, secure=True)
    assert json.loads(response.content)["allowed"] is True
    assert response["Cache-Control"] == "public, max-age=1"
    now_is("2025-04-22T00:00:00")
    response = client.get(API, UNVERIFIED_MAY_VERIFY, secure=True)
    assert json.loads(response.content)["allowed"] is False


def test_an_answer_about_a_named_instant_is_kept_the_full_time(client, kept_rules, now_is):
    now_is("2025-04-04T23:59:59")
    query = {**UNVERIFIED_MAY_VERIFY, "at": "2025-04-04T23:59:59+07:00"}
    response = client.get(API, query, secure=True)
    assert response["Cache-Control"] == f"public, max-age={MAX_AGE}"


def test_with_the_demo_clock_set_an_answer_about_now_is_not_kept(client, kept_rules, portal_clock):
    portal_clock("2025-04-04T23:59:59+07:00")
    response = client.get(API, UNVERIFIED_MAY_VERIFY, secure=True)
    assert response["Cache-Control"] == "no-cache"
    assert response.has_header("ETag")


def test_an_answer_from_rules_read_afresh_each_time_is_not_kept(client, circulars, settings):
    settings.POLICY_RULES_CACHE_SECONDS = 0  # no snapshot kept: a change may come at any moment
    response = client.get(API, UNVERIFIED_MAY_VERIFY, secure=True)
    assert response["Cache-Control"] == "no-cache"


def test_a_bad_question_carries_no_caching_headers(client, kept_rules):
    response = client.get(API, {"action": "fly"}, secure=True)
    assert response.status_code == 400
    assert not response.has_header("ETag")


SUBJECTS = [Subject(EntityType.LAO, False), Subject(EntityType.LAO, True), Subject(EntityType.UNIT)]
MARCH_TO_MAY_2568 = st.integers(
    min_value=int(bkk("2025-03-01T00:00:00").timestamp()),
    max_value=int(bkk("2025-06-01T00:00:00").timestamp()) - 1,
)


@hypothesis_settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seconds=MARCH_TO_MAY_2568,
    fraction=st.integers(0, 999_999),
    subject=st.sampled_from(SUBJECTS),
    action=st.sampled_from(ACTIONS),
)
def test_an_answer_is_never_kept_past_the_next_change(
    kept_rules, seconds, fraction, subject, action
):
    """Anywhere in March to May 2568: throughout the time the answer may be kept, the answer
    (all of it but its `at`) stays what it was."""
    policy = kept_rules
    at = dt.datetime.fromtimestamp(seconds, BANGKOK).replace(microsecond=fraction)
    max_age = decision_max_age(Question(subject, action, at), policy, fixed=False)
    assert 0 <= max_age <= MAX_AGE

    def answer(instant):
        payload = decision_payload(
            Question(subject, action, instant), policy.decide(subject, action, instant)
        )
        return {k: v for k, v in payload.items() if k != "at"}

    last_kept = at + dt.timedelta(seconds=max_age) - dt.timedelta(microseconds=1)
    assert answer(last_kept) == answer(at)
    boundary = policy.next_boundary(subject, action, at)
    if boundary is not None and max_age < MAX_AGE:  # the whole time up to it, to the second
        assert boundary - dt.timedelta(seconds=1) < at + dt.timedelta(seconds=max_age) <= boundary


# -- ETag and 304 ------------------------------------------------------------------------------


def test_a_matching_if_none_match_gets_django_s_304_with_the_same_headers(client, kept_rules):
    query = {**UNVERIFIED_MAY_VERIFY, "at": "2025-04-10T12:00:00+07:00"}
    first = client.get(API, query, secure=True)
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')  # strong
    again = client.get(API, query, secure=True, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert (again["ETag"], again["Cache-Control"]) == (etag, first["Cache-Control"])
    other = client.get(API, query, secure=True, HTTP_IF_NONE_MATCH='"something-else"')
    assert (other.status_code, other.content) == (200, first.content)


def test_answers_that_differ_have_different_etags(client, kept_rules):
    before = client.get(API, {**UNVERIFIED_MAY_VERIFY, "at": "2025-04-04T23:59:59"}, secure=True)
    after = client.get(API, {**UNVERIFIED_MAY_VERIFY, "at": "2025-04-05T00:00:00"}, secure=True)
    assert before["ETag"] != after["ETag"]


# -- the status page ---------------------------------------------------------------------------


def test_the_anonymous_status_page_is_kept_until_the_next_rule_boundary(client, kept_rules, now_is):
    now_is("2025-04-04T23:59:30")  # units may log in from 4 April; LAOs verify from 5 April
    response = client.get("/")
    assert response["Cache-Control"] == "public, max-age=30"
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
    again = client.get("/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again["Vary"] == response["Vary"]


def test_the_status_page_is_kept_no_longer_than_the_minute_it_shows(client, kept_rules, now_is):
    now_is("2025-04-10T10:42:15")  # the next boundary is 22 April
    assert client.get("/")["Cache-Control"] == "public, max-age=45"


def test_each_language_of_the_status_page_has_its_own_etag(client, kept_rules, now_is):
    now_is("2025-04-10T10:42:15")
    thai = client.get("/", HTTP_ACCEPT_LANGUAGE="th")
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert thai["ETag"] != english["ETag"]
    assert (
        client.get("/", HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=thai["ETag"]).status_code
        == 200
    )


def test_a_status_page_for_another_day_or_an_officer_is_not_made_public(
    client, kept_rules, now_is, actors
):
    now_is("2025-04-10T10:42:15")
    assert "public" not in client.get("/", {"date": "10/4/2568"}).get("Cache-Control", "")
    login(client, actors["lao_clerk"])
    response = client.get("/")
    assert response["Cache-Control"] == "no-store, private"
    assert not response.has_header("ETag")


def test_in_the_last_fraction_of_a_minute_the_status_page_is_still_kept_a_second(
    client, kept_rules, now_is
):
    now_is("2025-04-10T10:42:59.600000")  # so that nginx has it to serve while the portal is full
    assert client.get("/")["Cache-Control"] == "public, max-age=1"
