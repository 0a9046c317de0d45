"""A unit's pages cite the clause that decides each date they show, and name a disagreement
between the letters only when it changes the unit's answer (issue 12, item 4).

The unit is in Nakhon Phanom, whose letter forwards DLA's: both close the system on 27 March
and let units back in on 4 April; the province opens on 1 March where DLA opens on 15 March.
For units none of those differences changes an answer in April.
"""

import pytest

from maintenance.access import decide_for
from tests.actors import PASSWORD, login

# The portal's clock set at 23:59:59 must not run past midnight while a request is served.
pytestmark = pytest.mark.usefixtures("wall_clock_stopped")

DLA_CLOSURE = "ความเป็นมา: ปิดปรับปรุงระบบ ๒๗ มี.ค. ๒๕๖๘"
UNITS_BACK = "ข้อ ๒"
NOTE_TH = "ระบุวันที่ต่างออกไป"


def stop_page(client, user):
    return client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})


@pytest.mark.parametrize("at", ["2025-04-03T00:00:00+07:00", "2025-04-03T23:59:59+07:00"])
def test_on_3_april_the_stop_page_cites_the_closure_for_now_and_clause_2_for_4_april(
    client, circulars, actors, places, portal_clock, at
):
    portal_clock(at)
    response = stop_page(client, actors["unit_clerk"])
    assert response.status_code == 403
    decision = response.context["decision"]
    assert (decision.rule.clause, decision.circular.number) == (
        DLA_CLOSURE,
        circulars["dla"].number,
    )
    assert (decision.next_rule.clause, decision.next_circular.number) == (
        UNITS_BACK,
        circulars["dla"].number,
    )
    page = response.content.decode()
    opens = page[page.index('id="opens-under"') :]
    opens = opens[: opens.index("</p>")]
    assert "ตั้งแต่วันที่ ๔ เมษายน ๒๕๖๘" in opens and UNITS_BACK in opens
    assert NOTE_TH not in page  # the 1 March opening changes nothing under the closure
    assert "1 มี.ค." not in page and "๑ มี.ค." not in page


@pytest.mark.parametrize("at", ["2025-04-04T00:00:00+07:00", "2025-04-04T23:59:59+07:00"])
def test_from_4_april_my_page_cites_clause_2_and_claims_no_disagreement(
    client, circulars, actors, places, portal_clock, at
):
    portal_clock(at)
    login(client, actors["unit_clerk"])
    response = client.get("/my/")
    assert response.status_code == 200
    decision = response.context["unit_decision"]
    assert decision.allowed and decision.rule.clause == UNITS_BACK
    page = response.content.decode()
    assert UNITS_BACK in page
    assert NOTE_TH not in page and "27 มี.ค." not in decision.reason_th


def test_one_second_before_the_closure_a_unit_may_use_the_system_under_the_opening(
    circulars, places, portal_clock
):
    at = portal_clock("2025-03-26T23:59:59+07:00")
    decision = decide_for(places.unit, "use_system", at)
    assert decision.allowed
    assert decision.rule.clause == "ความเป็นมา: เปิดใช้งาน ๑๕ มี.ค. ๒๕๖๘"
    assert decision.next_rule.clause == DLA_CLOSURE
    assert NOTE_TH not in decision.reason_th


def test_at_the_closure_the_unit_is_stopped_under_the_closure_clause(
    circulars, places, portal_clock
):
    at = portal_clock("2025-03-27T00:00:00+07:00")
    decision = decide_for(places.unit, "use_system", at)
    assert not decision.allowed and decision.rule.clause == DLA_CLOSURE
    assert decision.next_rule.clause == UNITS_BACK


def test_between_1_and_15_march_the_disagreement_changes_the_answer_and_is_named(
    circulars, places, portal_clock
):
    at = portal_clock("2025-03-01T00:00:00+07:00")
    decision = decide_for(places.unit, "use_system", at)
    assert not decision.allowed  # DLA's letter governs: 15 March
    assert NOTE_TH in decision.reason_th and circulars["province"].number in decision.reason_th


def test_an_lao_on_4_april_still_reads_the_disagreement_that_changes_its_answer(
    circulars, places, portal_clock
):
    at = portal_clock("2025-04-04T00:00:00+07:00")
    decision = decide_for(places.lao, "verify_identity", at)
    assert not decision.allowed
    assert NOTE_TH in decision.reason_th
    at = portal_clock("2025-04-05T00:00:00+07:00")
    decision = decide_for(places.lao, "verify_identity", at)
    assert decision.allowed and NOTE_TH not in decision.reason_th
