"""The numbers behind every dashboard, the API and the exports (compliance/stats.py).

An LAO is in exactly one state; the sums of a scope equal its total; each level's children are
the level below; the verification window and the per-day series are read in Bangkok time; the
numbers are kept per data version (compliance/version.py), so a new approval shows at once.
"""

import datetime as dt
from collections import Counter

import pytest

from compliance import stats
from compliance.scope import Scope
from compliance.states import LaoState
from onboarding import services
from registry.models import Organization

from .support import (
    add_request,
    bangkok,
    district,
    lao,
    one_of_two_approved,
    province,
    unit,
)

AT = bangkok("2025-04-15 12:00")  # inside the window (5–21 April 2568)
EARLIER, LATER = AT - dt.timedelta(days=3), AT + dt.timedelta(days=1)

# (requests of the LAO in the order they were decided, when the LAO was verified, its state at AT)
# "one position of two" is an approval that leaves the LAO unverified: in progress (1 of 2),
# whatever the other position's request says.
# fmt: off
PRECEDENCE = [
    ((),                                        None,      "not_started"),
    (("draft",),                                None,      "not_started"),
    (("withdrawn",),                            None,      "not_started"),
    (("draft", "withdrawn"),                    None,      "not_started"),
    (("approved",),                             None,      "in_progress"),   # one position of two
    (("approved", "submitted"),                 None,      "in_progress"),
    (("approved", "returned"),                  None,      "in_progress"),
    (("rejected",),                             None,      "rejected"),
    (("rejected", "draft"),                     None,      "rejected"),
    (("rejected", "withdrawn"),                 None,      "rejected"),
    (("approved", "rejected"),                  None,      "in_progress"),   # the approval stands
    (("rejected", "approved"),                  None,      "in_progress"),
    (("returned",),                             None,      "returned"),
    (("rejected", "returned"),                  None,      "returned"),
    (("submitted",),                            None,      "submitted"),
    (("returned", "submitted"),                 None,      "submitted"),
    (("rejected", "returned", "submitted"),     None,      "submitted"),
    (("approved", "approved"),                  "before",  "verified"),
    (("submitted",),                            "before",  "verified"),
    (("rejected",),                             "before",  "verified"),
    ((),                                        "at",      "verified"),      # verified at that very instant  # noqa: E501
    (("submitted",),                            "after",   "submitted"),     # verified later than AT: not yet  # noqa: E501
    (("returned",),                             "after",   "returned"),
    ((),                                        "after",   "not_started"),
]
# fmt: on
VERIFIED_AT = {None: None, "before": EARLIER, "at": AT, "after": LATER}


def build(place, nn, requests, verified, *, kind="SAO"):
    org = lao(place, nn, kind=kind, verified_at=VERIFIED_AT[verified])
    for i, state in enumerate(requests):
        add_request(
            org,
            state,
            at=EARLIER - dt.timedelta(days=1),
            decided_at=EARLIER + dt.timedelta(hours=i),
        )
    return org


@pytest.fixture
def places_48(nakhon_phanom):
    return {
        "4801": district("4801", "เมืองนครพนม"),
        "4802": district("4802", "ปลาปาก"),
        "4803": district("4803", "ท่าอุเทน"),
    }


@pytest.mark.parametrize(
    ("requests", "verified", "expected"),
    PRECEDENCE,
    ids=[f"{'+'.join(r) or 'none'}-{v}-{e}" for r, v, e in PRECEDENCE],
)
def test_each_lao_is_in_the_one_state_its_requests_and_its_verification_give(
    places_48, requests, verified, expected
):
    org = build(places_48["4801"], 1, requests, verified)
    state = (
        stats.with_state(Organization.objects.filter(pk=org.pk), AT)
        .values_list("state", flat=True)
        .get()
    )
    assert state == expected


def test_the_states_of_a_scope_add_up_to_its_total_at_every_level(places_48):
    for nn, (requests, verified, _expected) in enumerate(PRECEDENCE, start=1):
        build(places_48["4801"] if nn % 2 else places_48["4802"], nn, requests, verified)
    expected = Counter(e for _r, _v, e in PRECEDENCE)

    for scope in (Scope("country"), Scope("province", province=places_48["4801"].province)):
        data = stats.compute(scope, AT)
        assert data["laos"] == {"total": len(PRECEDENCE), **{s: expected[s] for s in LaoState}}
        assert sum(data["laos"][s] for s in LaoState) == data["laos"]["total"]
        assert data["share_verified"] == round(100 * expected["verified"] / len(PRECEDENCE), 1)
    for code in ("4801", "4802"):
        data = stats.compute(Scope("district", district=places_48[code]), AT)
        mine = Counter(
            e
            for nn, (_r, _v, e) in enumerate(PRECEDENCE, start=1)
            if (nn % 2 == 1) == (code == "4801")
        )
        assert data["laos"] == {"total": mine.total(), **{s: mine[s] for s in LaoState}}
        assert [c["laos"]["total"] for c in data["children"]] == [1] * mine.total()


def test_an_empty_scope_counts_zero_everywhere_and_shares_zero_percent(places_48):
    data = stats.compute(Scope("district", district=places_48["4803"]), AT)
    assert data["laos"] == {
        "total": 0,
        "verified": 0,
        "in_progress": 0,
        "submitted": 0,
        "returned": 0,
        "rejected": 0,
        "not_started": 0,
    }
    assert data["share_verified"] == 0.0
    assert data["by_kind"] == {} and data["children"] == [] and data["oldest_waiting"] is None
    assert data["units"] == {"total": 0, "logged_in": 0}


def test_the_breakdown_by_kind_counts_each_kind_of_lao_apart_and_leaves_out_absent_kinds(places_48):
    place = places_48["4801"]
    build(place, 1, (), "before", kind="SAO")
    build(place, 2, ("submitted",), None, kind="SAO")
    build(place, 3, (), None, kind="SAO")
    build(place, 4, ("returned",), None, kind="SUBDISTRICT_MUNI")
    build(place, 5, (), "before", kind="TOWN_MUNI")
    build(place, 6, ("rejected",), None, kind="TOWN_MUNI")
    data = stats.compute(Scope("district", district=place), AT)
    assert data["by_kind"] == {
        "SAO": {
            "total": 3,
            "verified": 1,
            "in_progress": 0,
            "submitted": 1,
            "returned": 0,
            "rejected": 0,
            "not_started": 1,
        },
        "SUBDISTRICT_MUNI": {
            "total": 1,
            "verified": 0,
            "in_progress": 0,
            "submitted": 0,
            "returned": 1,
            "rejected": 0,
            "not_started": 0,
        },
        "TOWN_MUNI": {
            "total": 2,
            "verified": 1,
            "in_progress": 0,
            "submitted": 0,
            "returned": 0,
            "rejected": 1,
            "not_started": 0,
        },
    }
    for kind, counts in data["by_kind"].items():
        assert counts["total"] == sum(counts[s] for s in LaoState), kind
    assert sum(c["total"] for c in data["by_kind"].values()) == data["laos"]["total"]


@pytest.fixture
def three_levels(places_48):
    """Nakhon Phanom: 4801 with three LAOs (one verified), 4802 with one, 4803 with none;
    Chiang Mai: 5001 with two (one verified); Bangkok province with no LAO at all."""
    province("10", "กรุงเทพมหานคร")
    province("50", "เชียงใหม่")
    chiang_mai = district("5001", "เมืองเชียงใหม่")
    a = build(places_48["4801"], 1, (), "before")
    b = build(places_48["4801"], 2, ("submitted",), None)
    c = build(places_48["4801"], 3, (), None)
    d = build(places_48["4802"], 1, ("returned",), None)
    e = build(chiang_mai, 1, (), "before")
    f = build(chiang_mai, 2, ("rejected",), None)
    unit(a, first_login_at=EARLIER)
    unit(a, first_login_at=None)
    unit(b, first_login_at=EARLIER)
    unit(d, first_login_at=LATER)  # logs in after AT: not yet
    unit(e, first_login_at=EARLIER)
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


def counts(total, verified=0, submitted=0, returned=0, rejected=0, not_started=0, in_progress=0):
    return {
        "total": total,
        "verified": verified,
        "in_progress": in_progress,
        "submitted": submitted,
        "returned": returned,
        "rejected": rejected,
        "not_started": not_started,
    }


def test_the_country_is_broken_down_by_province_leaving_out_provinces_without_laos(three_levels):
    data = stats.compute(Scope("country"), AT)
    assert data["level"] == "province"
    rows = [
        (c["code"], c["name_th"], c["laos"], c["share_verified"], c["units"])
        for c in data["children"]
    ]
    assert rows == [
        (
            "48",
            "นครพนม",
            counts(4, verified=1, submitted=1, returned=1, not_started=1),
            25.0,
            {"total": 4, "logged_in": 2},
        ),
        ("50", "เชียงใหม่", counts(2, verified=1, rejected=1), 50.0, {"total": 1, "logged_in": 1}),
    ]
    assert data["laos"] == counts(6, verified=2, submitted=1, returned=1, rejected=1, not_started=1)
    assert data["units"] == {"total": 5, "logged_in": 3}


def test_a_province_is_broken_down_by_district_leaving_out_districts_without_laos(
    three_levels, nakhon_phanom
):
    data = stats.compute(Scope("province", province=nakhon_phanom), AT)
    assert data["level"] == "district"
    rows = [(c["code"], c["name_th"], c["laos"], c["units"]) for c in data["children"]]
    assert rows == [
        (
            "4801",
            "เมืองนครพนม",
            counts(3, verified=1, submitted=1, not_started=1),
            {"total": 3, "logged_in": 2},
        ),
        ("4802", "ปลาปาก", counts(1, returned=1), {"total": 1, "logged_in": 0}),
    ]
    assert data["laos"]["total"] == sum(c["laos"]["total"] for c in data["children"])
    assert data["units"] == {"total": 4, "logged_in": 2}


def test_a_district_is_broken_down_by_lao_with_each_laos_units(three_levels, places_48):
    t = three_levels
    data = stats.compute(Scope("district", district=places_48["4801"]), AT)
    assert data["level"] == "lao"
    rows = [
        (c["code"], c["name_th"], c["laos"], c["share_verified"], c["units"])
        for c in data["children"]
    ]
    assert rows == [
        (
            t["a"].dla_code,
            t["a"].display_name,
            counts(1, verified=1),
            100.0,
            {"total": 2, "logged_in": 1},
        ),
        (
            t["b"].dla_code,
            t["b"].display_name,
            counts(1, submitted=1),
            0.0,
            {"total": 1, "logged_in": 1},
        ),
        (
            t["c"].dla_code,
            t["c"].display_name,
            counts(1, not_started=1),
            0.0,
            {"total": 0, "logged_in": 0},
        ),
    ]


def test_units_count_as_logged_in_only_once_their_first_login_has_passed(three_levels, places_48):
    scope = Scope("district", district=places_48["4802"])
    assert stats.compute(scope, AT)["units"] == {"total": 1, "logged_in": 0}
    assert stats.compute(scope, LATER)["units"] == {"total": 1, "logged_in": 1}


def test_the_oldest_waiting_request_is_the_first_submitted_of_the_scope(places_48):
    chiang_mai = district("5001")
    oldest_elsewhere = add_request(lao(chiang_mai, 1), "submitted", at=bangkok("2025-04-05 08:00"))
    add_request(
        lao(places_48["4801"], 1), "returned", at=bangkok("2025-04-05 09:00")
    )  # not waiting for review
    add_request(lao(places_48["4801"], 2), "draft", at=bangkok("2025-04-05 09:30"))
    second = add_request(lao(places_48["4802"], 1), "submitted", at=bangkok("2025-04-06 10:00"))
    third = add_request(lao(places_48["4801"], 3), "submitted", at=bangkok("2025-04-07 10:00"))
    add_request(lao(places_48["4801"], 4), "submitted", at=bangkok("2025-04-08 10:00"))

    assert stats.compute(Scope("country"), AT)["oldest_waiting"] == oldest_elsewhere
    assert (
        stats.compute(Scope("province", province=places_48["4801"].province), AT)["oldest_waiting"]
        == second
    )
    assert (
        stats.compute(Scope("district", district=places_48["4801"]), AT)["oldest_waiting"] == third
    )
    assert (
        stats.compute(Scope("district", district=places_48["4803"]), AT)["oldest_waiting"] is None
    )


# --- the window and the days left, in Bangkok time ----------------------------------------------

# The window opens at the start of 5 April and ends at the start of 22 April (Bangkok).
OPENS, ENDS = "2025-04-05T00:00:00+07:00", "2025-04-22T00:00:00+07:00"
# (Bangkok instant, open, days left, hours left, opens, ends)
# fmt: off
WINDOW = [
    ("2025-04-04T23:59:59+07:00", False, None, None, OPENS, None),
    ("2025-04-05T00:00:00+07:00", True,  17,   0,    OPENS, ENDS),
    ("2025-04-10T09:00:00+07:00", True,  11,   15,   OPENS, ENDS),
    ("2025-04-21T00:00:00+07:00", True,  1,    0,    OPENS, ENDS),
    ("2025-04-21T23:00:00+07:00", True,  0,    1,    OPENS, ENDS),
    ("2025-04-21T23:59:59+07:00", True,  0,    0,    OPENS, ENDS),
    ("2025-04-22T00:00:00+07:00", False, None, None, None,  None),
]
# fmt: on


def instant(text):
    return dt.datetime.fromisoformat(text) if text else None


@pytest.mark.parametrize("scope_name", ["country", "province", "district"])
@pytest.mark.parametrize(
    ("at", "is_open", "days", "hours", "opens", "ends"), WINDOW, ids=[w[0] for w in WINDOW]
)
def test_the_window_and_the_time_left_at_each_boundary(
    circulars, places_48, scope_name, at, is_open, days, hours, opens, ends
):
    scope = {
        "country": Scope("country"),
        "province": Scope("province", province=places_48["4801"].province),
        "district": Scope("district", district=places_48["4801"]),
    }[scope_name]
    w = stats.window(scope, instant(at))
    assert w["open"] is is_open
    assert w["opens"] == instant(opens)
    assert w["ends"] == instant(ends)
    assert (w.get("days_left"), w.get("hours_left")) == (days, hours)
    assert w["decision"].allowed is is_open


def test_the_window_in_the_dashboard_numbers_is_the_window_at_the_instant(circulars, places_48):
    at = instant("2025-04-21T23:59:59+07:00")
    data = stats.compute(Scope("district", district=places_48["4801"]), at)
    assert (data["window"]["open"], data["window"]["days_left"], data["window"]["hours_left"]) == (
        True,
        0,
        0,
    )
    assert data["window"]["ends"] == instant("2025-04-22T00:00:00+07:00")
    data = stats.compute(
        Scope("district", district=places_48["4801"]), at + dt.timedelta(seconds=1)
    )
    assert data["window"]["open"] is False and data["window"]["opens"] is None


# --- verified per Bangkok day ------------------------------------------------------------------


def test_the_per_day_series_covers_the_window_and_counts_each_lao_on_its_bangkok_day(
    circulars, places_48
):
    place = places_48["4801"]
    lao(place, 1, verified_at=bangkok("2025-04-05 00:00"))
    lao(place, 2, verified_at=bangkok("2025-04-08 00:30"))  # 7 April in UTC, 8 April in Bangkok
    lao(place, 3, verified_at=bangkok("2025-04-08 23:59"))
    lao(place, 4, verified_at=bangkok("2025-04-04 23:59"))  # before the window: not in the series
    lao(place, 5, verified_at=bangkok("2025-04-10 11:00"))
    lao(place, 6, verified_at=bangkok("2025-04-10 13:00"))  # after the instant: not yet
    lao(district("5001"), 1, verified_at=bangkok("2025-04-08 10:00"))  # outside the scope
    at = bangkok("2025-04-10 12:00")

    series = stats.per_day(Scope("district", district=place), at)
    assert [row["day"] for row in series] == [dt.date(2025, 4, d) for d in range(5, 22)]
    assert {row["day"].day: row["verified"] for row in series if row["verified"]} == {
        5: 1,
        8: 2,
        10: 1,
    }
    assert [row["days_left"] for row in series] == list(range(16, -1, -1))
    assert [row["day"].day for row in series if row["is_today"]] == [10]
    assert [row["day"].day for row in series if row["future"]] == list(range(11, 22))
    assert stats.compute(Scope("district", district=place), at)["per_day"] == series


def test_outside_the_window_the_series_is_the_last_30_days(circulars, places_48):
    place = places_48["4801"]
    lao(place, 1, verified_at=bangkok("2025-04-10 11:00"))
    lao(place, 2, verified_at=bangkok("2025-03-01 11:00"))  # more than 30 days before
    series = stats.per_day(Scope("district", district=place), bangkok("2025-05-01 12:00"))
    assert len(series) == 30
    assert (series[0]["day"], series[-1]["day"]) == (dt.date(2025, 4, 2), dt.date(2025, 5, 1))
    assert sum(row["verified"] for row in series) == 1
    assert series[-1]["is_today"] and not any(row["future"] for row in series)


# --- the cache: kept per data version, a change seen at once ---------------------------------

BUCKET_START = "2025-04-10T09:00:00+07:00"


@pytest.fixture
def half_verified(circulars, actors, places, portal_clock):
    """SAO 6480199 with its permanent secretary approved and its finance director waiting."""
    portal_clock("2025-04-09T10:00:00+07:00")
    officer = actors["province_officer"]
    waiting = one_of_two_approved(
        places.lao, clerk=actors["lao_clerk"], officer=officer, at=bangkok("2025-04-09 10:00")
    )
    return {"officer": officer, "waiting": waiting}


@pytest.mark.parametrize("seconds", [30, 300])
def test_a_new_approval_shows_at_once_and_nothing_is_computed_again_before(
    settings, half_verified, places, portal_clock, seconds
):
    settings.COMPLIANCE_CACHE_SECONDS = seconds
    scope = Scope("district", district=places.lao.district)
    portal_clock(BUCKET_START)
    before = stats.cached(scope)
    assert (before["laos"]["verified"], before["laos"]["in_progress"]) == (0, 1)
    kept = stats.cached(scope)  # nothing changed: the same figures, not computed again
    assert kept["laos"] == before["laos"] and kept["as_of"] == before["as_of"]

    waiting = half_verified["waiting"]
    services.approve_request(
        waiting.pk, actor=half_verified["officer"], expected_version=waiting.version
    )
    places.lao.refresh_from_db()
    assert places.lao.identity_verified_at is not None

    after = stats.cached(scope)  # the next request, with no time passed
    assert (after["laos"]["verified"], after["laos"]["in_progress"]) == (1, 0)


def test_with_the_default_setting_a_new_approval_shows_at_once(
    settings, half_verified, places, portal_clock
):
    assert settings.COMPLIANCE_CACHE_SECONDS > 0
    scope = Scope("province", province=places.lao.district.province)
    portal_clock(BUCKET_START)
    assert stats.cached(scope)["laos"]["verified"] == 0
    waiting = half_verified["waiting"]
    services.approve_request(
        waiting.pk, actor=half_verified["officer"], expected_version=waiting.version
    )
    assert stats.cached(scope)["laos"]["verified"] == 1


def test_each_scope_has_its_own_cached_numbers(settings, half_verified, places, portal_clock):
    settings.COMPLIANCE_CACHE_SECONDS = 60
    portal_clock(BUCKET_START)
    district_4801 = stats.cached(Scope("district", district=places.lao.district))
    district_4802 = stats.cached(Scope("district", district=places.other_lao.district))
    country = stats.cached(Scope("country"))
    assert [d["laos"]["total"] for d in (district_4801, district_4802, country)] == [1, 1, 3]


def test_with_no_cache_a_new_approval_shows_at_once(settings, half_verified, places, portal_clock):
    settings.COMPLIANCE_CACHE_SECONDS = 0
    scope = Scope("district", district=places.lao.district)
    portal_clock(BUCKET_START)
    assert stats.cached(scope)["laos"]["verified"] == 0
    waiting = half_verified["waiting"]
    services.approve_request(
        waiting.pk, actor=half_verified["officer"], expected_version=waiting.version
    )
    assert stats.cached(scope)["laos"]["verified"] == 1


# --- reminders: sent, failed, waiting, escalations -------------------------------------------

# (recipient, kind, status) of the messages in the outbox
MESSAGES = [
    ("lao_clerk", "lao_reminder", "sent"),
    ("lao_clerk", "lao_reminder", "failed"),
    ("unit_clerk", "unit_reminder", "sent"),
    ("district_officer", "district_digest", "sent"),
    ("other_lao_clerk", "lao_reminder", "sending"),
    ("other_district_officer", "district_digest", "pending"),
    ("province_officer", "province_summary", "sent"),
    ("other_province_officer", "province_summary", "failed"),
    ("dla_officer", "dla_summary", "sent"),
]
# Per scope: the messages to people of the scope (its LAOs' and units' staff, its officers).
REMINDERS = {
    "district 4801": {"sent": 3, "failed": 1, "waiting": 0, "escalations": 1},
    "district 4802": {"sent": 0, "failed": 0, "waiting": 2, "escalations": 1},
    "province 48": {"sent": 4, "failed": 1, "waiting": 2, "escalations": 3},
    "province 50": {"sent": 0, "failed": 1, "waiting": 0, "escalations": 1},
    "country": {"sent": 5, "failed": 2, "waiting": 2, "escalations": 5},
}


@pytest.mark.parametrize(("scope_name", "expected"), REMINDERS.items())
def test_reminders_are_counted_for_the_people_of_the_scope(actors, places, scope_name, expected):
    from notifications.models import Notification

    for i, (who, kind, status) in enumerate(MESSAGES):
        Notification.objects.create(
            recipient=actors[who],
            kind=kind,
            subject_key=f"test:{i}",
            period="2025-04-10",
            title_th="ทดสอบ",
            title_en="Test",
            body_text="ทดสอบ",
            body_html="<p>ทดสอบ</p>",
            created_at=AT,
            next_attempt_at=AT,
            status=status,
        )
    scope = {
        "district 4801": Scope("district", district=places.lao.district),
        "district 4802": Scope("district", district=places.other_lao.district),
        "province 48": Scope("province", province=places.lao.district.province),
        "province 50": Scope("province", province=places.lao_elsewhere.district.province),
        "country": Scope("country"),
    }[scope_name]
    assert stats.reminder_counts(scope) == expected
    assert stats.compute(scope, AT)["reminders"] == expected
