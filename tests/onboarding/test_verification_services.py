"""The identity verification state machine in `onboarding.services`: every change, every refusal.

The portal's clock stands inside the window of มท 0808.4/ว 1541 ข้อ 1 (5–21 April 2568) unless a
test moves it. Messages may be Thai or English: assertions look at names, numbers and states.
"""

import datetime as dt
import threading
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from core.national_id import keyed_hash, with_check_digit
from maintenance.access import decide_for
from onboarding import services
from onboarding.models import (
    Evidence,
    HistoricalVerificationRequest,
    VerificationRequest,
)
from onboarding.services import (
    AlreadyOpen,
    RequestData,
    StaleRequest,
    VerificationError,
    WindowClosed,
)
from tests.actors import make_user

INSIDE = "2025-04-10T09:00:00+07:00"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def national_id(first12: str = "110170020345") -> str:
    return with_check_digit(first12)


def data(
    position="permanent_secretary", *, consent=True, number=None, full_name="สมศรี ใจดี"
) -> RequestData:
    return RequestData(
        full_name=full_name,
        national_id=national_id() if number is None else number,
        position=position,
        appointment_order_number="คำสั่ง อบต. ที่ 12/2567",
        appointment_date=dt.date(2024, 10, 1),
        consent=consent,
    )


def pdf(name="order.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def exe(name="order.pdf"):
    return SimpleUploadedFile(name, EXE, content_type="application/pdf")


def files_under(root) -> list[Path]:
    root = Path(root)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def snapshot(vr: VerificationRequest) -> dict:
    """Every column of the row as it is in the database, and how much history it has."""
    row = VerificationRequest.objects.filter(pk=vr.pk).values().get()
    row["history_rows"] = HistoricalVerificationRequest.objects.filter(id=vr.pk).count()
    row["evidence"] = sorted(Evidence.objects.filter(request_id=vr.pk).values_list("pk", flat=True))
    return row


@pytest.fixture
def window(circulars, portal_clock):
    portal_clock(INSIDE)
    return circulars


@pytest.fixture
def submitted(window, actors, places):
    return services.create_request(
        requester=actors["lao_clerk"],
        organization=places.lao,
        data=data(),
        files=[pdf()],
        submit=True,
    )


def in_state(state, actors, places) -> VerificationRequest:
    """A request of the LAO clerk's in `state`, brought there by the services themselves."""
    clerk, officer = actors["lao_clerk"], actors["province_officer"]
    if state in ("draft", "withdrawn"):
        vr = services.create_request(
            requester=clerk, organization=places.lao, data=data(), files=[pdf()], submit=False
        )
        if state == "withdrawn":
            vr = services.withdraw_request(vr.pk, actor=clerk, expected_version=vr.version)
        return vr
    vr = services.create_request(
        requester=clerk, organization=places.lao, data=data(), files=[pdf()], submit=True
    )
    if state == "returned":
        vr = services.return_request(
            vr.pk, actor=officer, expected_version=vr.version, remarks="อ่านเลขคำสั่งไม่ออก"
        )
    elif state == "approved":
        vr = services.approve_request(vr.pk, actor=officer, expected_version=vr.version)
    elif state == "rejected":
        vr = services.reject_request(
            vr.pk, actor=officer, expected_version=vr.version, reason="ไม่ใช่ผู้ดำรงตำแหน่ง"
        )
    return vr


# --- creating a request -------------------------------------------------------------------------


def test_a_clerk_saves_a_draft_without_evidence(window, actors, places):
    clerk = actors["lao_clerk"]
    vr = services.create_request(
        requester=clerk, organization=places.lao, data=data(), submit=False
    )
    vr.refresh_from_db()
    assert (vr.state, vr.version, vr.submitted_at) == ("draft", 1, None)
    assert vr.requester == clerk and vr.organization == places.lao
    assert vr.consent_at is not None
    assert vr.national_id_last4 == national_id()[-4:]
    assert vr.history.count() == 1


def test_a_clerk_submits_a_request_with_one_evidence_file(window, actors, places, settings):
    vr = services.create_request(
        requester=actors["lao_clerk"],
        organization=places.lao,
        data=data(),
        files=[pdf()],
        submit=True,
    )
    vr.refresh_from_db()
    assert vr.state == "submitted"
    assert abs(vr.submitted_at - dt.datetime.fromisoformat(INSIDE)) < dt.timedelta(seconds=30)
    evidence = vr.evidence.get()
    assert (evidence.content_type, evidence.size, evidence.original_name) == (
        "application/pdf",
        len(PDF),
        "order.pdf",
    )
    assert evidence.uploaded_by == actors["lao_clerk"]
    with evidence.file.open("rb") as stored:
        assert stored.read() == PDF


def test_submitting_without_evidence_is_refused_and_saves_nothing(window, actors, places):
    with pytest.raises(VerificationError) as exc:
        services.create_request(
            requester=actors["lao_clerk"], organization=places.lao, data=data(), submit=True
        )
    assert "PDF" in str(exc.value.message)
    assert not VerificationRequest.objects.exists()
    assert not HistoricalVerificationRequest.objects.exists()


def test_without_consent_nothing_is_saved(window, actors, places):
    with pytest.raises(VerificationError) as exc, translation.override("en"):
        services.create_request(
            requester=actors["lao_clerk"],
            organization=places.lao,
            data=data(consent=False),
            files=[pdf()],
            submit=True,
        )
    assert "PDPA" in str(exc.value.message)
    assert not VerificationRequest.objects.exists()
    assert not Evidence.objects.exists()


def test_a_position_not_on_the_list_is_refused(window, actors, places):
    with pytest.raises(VerificationError):
        services.create_request(
            requester=actors["lao_clerk"],
            organization=places.lao,
            data=data(position="mayor"),
            submit=False,
        )
    assert not VerificationRequest.objects.exists()


def test_a_second_open_request_for_the_same_person_and_lao_is_refused_with_the_first_one(
    window, actors, places
):
    first = services.create_request(
        requester=actors["lao_clerk"], organization=places.lao, data=data(), submit=False
    )
    with pytest.raises(AlreadyOpen) as exc:
        services.create_request(
            requester=actors["lao_clerk"],
            organization=places.lao,
            data=data(),
            files=[pdf()],
            submit=True,
        )
    assert exc.value.existing == first
    assert VerificationRequest.objects.count() == 1
    assert not Evidence.objects.exists()


def test_after_a_withdrawal_the_same_person_may_file_again(window, actors, places):
    clerk = actors["lao_clerk"]
    first = services.create_request(
        requester=clerk, organization=places.lao, data=data(), submit=False
    )
    services.withdraw_request(first.pk, actor=clerk, expected_version=first.version)
    again = services.create_request(
        requester=clerk, organization=places.lao, data=data(), files=[pdf()], submit=True
    )
    assert again.pk != first.pk and again.state == "submitted"


def test_another_person_of_the_same_lao_may_have_an_open_request_too(
    window, actors, places, finance_director
):
    services.create_request(
        requester=actors["lao_clerk"], organization=places.lao, data=data(), submit=False
    )
    second = services.create_request(
        requester=finance_director,
        organization=places.lao,
        data=data("finance_director", number=national_id("310080012345")),
        submit=False,
    )
    assert second.state == "draft"


def test_the_database_itself_refuses_a_second_open_request_for_one_person_and_lao(
    window, actors, places
):
    first = services.create_request(
        requester=actors["lao_clerk"], organization=places.lao, data=data(), submit=False
    )
    twin = VerificationRequest(
        organization=places.lao,
        requester=actors["lao_clerk"],
        full_name="x",
        national_id_hash="0" * 64,
        national_id_last4="1234",
        position="finance_director",
        appointment_order_number="1",
        appointment_date=dt.date(2024, 1, 1),
        consent_at=timezone.now(),
        created_at=timezone.now(),
        state="submitted",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    # a closed request beside the open one is fine
    twin.pk, twin.state = None, "rejected"
    with transaction.atomic():
        twin.save()
    assert VerificationRequest.objects.open().get() == first


# --- the window, to the second ------------------------------------------------------------------

BOUNDARIES = [
    ("2025-04-04T23:59:59+07:00", False),
    ("2025-04-05T00:00:00+07:00", True),
    ("2025-04-21T23:59:59+07:00", True),
    ("2025-04-22T00:00:00+07:00", False),
]


@pytest.mark.parametrize("instant, allowed", BOUNDARIES)
def test_submitting_a_new_request_follows_the_window_to_the_second(
    circulars, portal_clock, actors, places, instant, allowed
):
    portal_clock(instant)

    def create():
        return services.create_request(
            requester=actors["lao_clerk"],
            organization=places.lao,
            data=data(),
            files=[pdf()],
            submit=True,
        )

    if allowed:
        assert create().state == "submitted"
    else:
        with pytest.raises(WindowClosed) as exc:
            create()
        assert exc.value.decision.allowed is False
        assert not VerificationRequest.objects.exists()


@pytest.mark.parametrize("instant, allowed", BOUNDARIES)
def test_resubmitting_a_returned_request_follows_the_window_to_the_second(
    submitted, portal_clock, actors, instant, allowed
):
    returned = services.return_request(
        submitted.pk,
        actor=actors["province_officer"],
        expected_version=submitted.version,
        remarks="แนบคำสั่งให้ครบ",
    )
    portal_clock(instant)
    if allowed:
        vr = services.submit_request(
            returned.pk, actor=actors["lao_clerk"], expected_version=returned.version
        )
        assert vr.state == "submitted"
    else:
        before = snapshot(returned)
        with pytest.raises(WindowClosed):
            services.submit_request(
                returned.pk, actor=actors["lao_clerk"], expected_version=returned.version
            )
        assert snapshot(returned) == before


def test_a_draft_may_be_saved_outside_the_window(circulars, portal_clock, actors, places):
    portal_clock("2025-04-01T10:00:00+07:00")
    vr = services.create_request(
        requester=actors["lao_clerk"], organization=places.lao, data=data(), submit=False
    )
    assert vr.state == "draft"


@pytest.mark.usefixtures("wall_clock_stopped")  # 23:59:59 stays before midnight
def test_the_window_closed_message_before_the_window_cites_the_governing_circular(
    circulars, portal_clock, actors, places
):
    """On 4 April Nakhon Phanom's letter says "open", DLA's "not yet": the message names both."""
    portal_clock("2025-04-04T23:59:59+07:00")
    with pytest.raises(WindowClosed) as exc:
        services.create_request(
            requester=actors["lao_clerk"],
            organization=places.lao,
            data=data(),
            files=[pdf()],
            submit=True,
        )
    decision = exc.value.decision
    assert decision.valid_until == dt.datetime.fromisoformat("2025-04-05T00:00:00+07:00")
    assert circulars["dla"].number in str(exc.value.message)


def test_the_window_closed_message_after_the_window_cites_the_circular_whose_window_ended(
    circulars, portal_clock, actors, places
):
    portal_clock("2025-04-22T00:00:00+07:00")
    with pytest.raises(WindowClosed) as exc:
        services.create_request(
            requester=actors["lao_clerk"],
            organization=places.lao,
            data=data(),
            files=[pdf()],
            submit=True,
        )
    assert exc.value.decision.circular is not None
    assert exc.value.decision.circular.number in str(exc.value.message)
    assert circulars["dla"].number in str(exc.value.message)


# --- the transitions ----------------------------------------------------------------------------


def test_a_draft_is_submitted_by_its_requester(window, actors, places):
    draft = services.create_request(
        requester=actors["lao_clerk"],
        organization=places.lao,
        data=data(),
        files=[pdf()],
        submit=False,
    )
    vr = services.submit_request(
        draft.pk, actor=actors["lao_clerk"], expected_version=draft.version
    )
    vr.refresh_from_db()
    assert (vr.state, vr.version) == ("submitted", 2)
    assert vr.submitted_at is not None


def test_a_draft_without_evidence_cannot_be_submitted(window, actors, places):
    draft = services.create_request(
        requester=actors["lao_clerk"], organization=places.lao, data=data(), submit=False
    )
    before = snapshot(draft)
    with pytest.raises(VerificationError):
        services.submit_request(draft.pk, actor=actors["lao_clerk"], expected_version=draft.version)
    assert snapshot(draft) == before


def test_the_requester_withdraws_a_submitted_request(submitted, actors):
    vr = services.withdraw_request(
        submitted.pk,
        actor=actors["lao_clerk"],
        expected_version=submitted.version,
        reason="ยื่นผิดตำแหน่ง",
    )
    vr.refresh_from_db()
    assert (vr.state, vr.version) == ("withdrawn", 2)
    row = vr.history.first()
    assert (row.history_event, row.history_data) == ("withdrawn", {"remarks": "ยื่นผิดตำแหน่ง"})


def test_a_withdrawal_without_a_reason_records_none_and_a_reason_is_kept_trimmed(
    submitted, actors, places
):
    vr = services.withdraw_request(
        submitted.pk, actor=actors["lao_clerk"], expected_version=submitted.version
    )
    row = vr.history.first()
    assert not row.history_data.get("remarks")
    assert row.history_user == actors["lao_clerk"]  # who withdrew it, as the history page says

    draft = in_state("draft", actors, places)
    draft = services.withdraw_request(
        draft.pk, actor=actors["lao_clerk"], expected_version=draft.version, reason="  ผิดคน \n"
    )
    assert draft.history.first().history_data == {"remarks": "ผิดคน"}


def test_a_withdrawn_draft_loses_its_files_at_once_a_withdrawn_submission_keeps_them(
    submitted, actors, places, django_capture_on_commit_callbacks
):
    clerk = actors["lao_clerk"]
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_request(submitted.pk, actor=clerk, expected_version=submitted.version)
    kept = Evidence.objects.get(request=submitted)  # a reviewer may have seen it: retention rules
    assert kept.file.storage.exists(kept.file.name)

    draft = in_state("draft", actors, places)
    name = Evidence.objects.get(request=draft).file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_request(draft.pk, actor=clerk, expected_version=draft.version)
    assert not Evidence.objects.filter(request=draft).exists()
    assert not kept.file.storage.exists(name)


def test_a_provincial_officer_approves_a_submitted_request(submitted, actors):
    officer = actors["province_officer"]
    vr = services.approve_request(submitted.pk, actor=officer, expected_version=submitted.version)
    vr.refresh_from_db()
    assert (vr.state, vr.version, vr.decided_by) == ("approved", 2, officer)
    assert vr.decided_at is not None


def test_a_dla_officer_approves_a_request_of_any_province(submitted, actors):
    vr = services.approve_request(
        submitted.pk, actor=actors["dla_officer"], expected_version=submitted.version
    )
    assert vr.state == "approved"


def test_returning_for_correction_needs_remarks_and_keeps_them(submitted, actors):
    officer = actors["province_officer"]
    before = snapshot(submitted)
    for blank in ("", "   \n"):
        with pytest.raises(VerificationError):
            services.return_request(
                submitted.pk, actor=officer, expected_version=submitted.version, remarks=blank
            )
    assert snapshot(submitted) == before
    vr = services.return_request(
        submitted.pk, actor=officer, expected_version=submitted.version, remarks="  แนบคำสั่งแต่งตั้ง  "
    )
    vr.refresh_from_db()
    assert (vr.state, vr.remarks, vr.decided_by) == ("returned", "แนบคำสั่งแต่งตั้ง", officer)


def test_rejecting_needs_a_reason_and_keeps_it(submitted, actors):
    officer = actors["province_officer"]
    before = snapshot(submitted)
    with pytest.raises(VerificationError):
        services.reject_request(
            submitted.pk, actor=officer, expected_version=submitted.version, reason=" "
        )
    assert snapshot(submitted) == before
    vr = services.reject_request(
        submitted.pk, actor=officer, expected_version=submitted.version, reason="ไม่ใช่ผู้ดำรงตำแหน่ง"
    )
    vr.refresh_from_db()
    assert (vr.state, vr.remarks) == ("rejected", "ไม่ใช่ผู้ดำรงตำแหน่ง")


def test_a_returned_request_is_corrected_keeping_its_number_then_resubmitted(submitted, actors):
    clerk, officer = actors["lao_clerk"], actors["province_officer"]
    returned = services.return_request(
        submitted.pk, actor=officer, expected_version=submitted.version, remarks="ชื่อสะกดผิด"
    )
    corrected = services.update_request(
        returned.pk,
        actor=clerk,
        expected_version=returned.version,
        submit=False,
        data=data(number="", full_name="สมศรี ใจดีงาม"),
        files=[pdf("order-2.pdf")],
    )
    corrected.refresh_from_db()
    assert (corrected.state, corrected.full_name, corrected.evidence.count()) == (
        "returned",
        "สมศรี ใจดีงาม",
        2,
    )
    assert corrected.national_id_last4 == national_id()[-4:]
    vr = services.submit_request(corrected.pk, actor=clerk, expected_version=corrected.version)
    vr.refresh_from_db()
    assert (vr.state, vr.version) == ("submitted", 4)
    # and an officer decides again
    assert (
        services.approve_request(vr.pk, actor=officer, expected_version=vr.version).state
        == "approved"
    )


def test_a_returned_request_is_corrected_and_resubmitted_in_one_step(submitted, actors):
    returned = services.return_request(
        submitted.pk,
        actor=actors["province_officer"],
        expected_version=submitted.version,
        remarks="x",
    )
    vr = services.update_request(
        returned.pk,
        actor=actors["lao_clerk"],
        expected_version=returned.version,
        data=data(number=""),
        submit=True,
    )
    assert vr.state == "submitted"


TRANSITIONS = {
    "submit": lambda vr, a: services.submit_request(
        vr.pk, actor=a["lao_clerk"], expected_version=vr.version
    ),
    "withdraw": lambda vr, a: services.withdraw_request(
        vr.pk, actor=a["lao_clerk"], expected_version=vr.version
    ),
    "approve": lambda vr, a: services.approve_request(
        vr.pk, actor=a["province_officer"], expected_version=vr.version
    ),
    "return": lambda vr, a: services.return_request(
        vr.pk, actor=a["province_officer"], expected_version=vr.version, remarks="r"
    ),
    "reject": lambda vr, a: services.reject_request(
        vr.pk, actor=a["province_officer"], expected_version=vr.version, reason="r"
    ),
}
ALLOWED_FROM = {
    "draft": {"submit", "withdraw"},
    "submitted": {"withdraw", "approve", "return", "reject"},
    "returned": {"submit", "withdraw"},
    "approved": set(),
    "rejected": set(),
    "withdrawn": set(),
}
RESULT = {
    "submit": "submitted",
    "withdraw": "withdrawn",
    "approve": "approved",
    "return": "returned",
    "reject": "rejected",
}


@pytest.mark.parametrize("state", list(ALLOWED_FROM))
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_each_state_allows_only_its_own_transitions(window, actors, places, state, action):
    vr = in_state(state, actors, places)
    vr.refresh_from_db()
    assert vr.state == state
    if action in ALLOWED_FROM[state]:
        done = TRANSITIONS[action](vr, actors)
        done.refresh_from_db()
        assert (done.state, done.version) == (RESULT[action], vr.version + 1)
    else:
        before = snapshot(vr)
        with pytest.raises(StaleRequest):
            TRANSITIONS[action](vr, actors)
        assert snapshot(vr) == before


def test_an_officer_acting_on_a_stale_version_is_told_who_acted_and_nothing_changes(
    submitted, actors
):
    first, second = actors["province_officer"], actors["dla_officer"]
    seen = submitted.version
    services.return_request(
        submitted.pk, actor=first, expected_version=seen, remarks="แนบคำสั่งให้ครบ"
    )
    before = snapshot(submitted)
    for act in (
        lambda: services.approve_request(submitted.pk, actor=second, expected_version=seen),
        lambda: services.reject_request(
            submitted.pk, actor=second, expected_version=seen, reason="ปลอม"
        ),
        lambda: services.return_request(
            submitted.pk, actor=second, expected_version=seen, remarks="อีกครั้ง"
        ),
    ):
        with pytest.raises(StaleRequest) as exc:
            act()
        message = str(exc.value.message)
        assert first.full_name in message
        assert VerificationRequest.objects.get(pk=submitted.pk).get_state_display() in message
    assert snapshot(submitted) == before


def test_the_stale_message_names_the_last_actor_even_after_the_demo_clock_was_moved_back(
    submitted, actors, portal_clock
):
    seen = submitted.version
    portal_clock("2025-04-06T09:00:00+07:00")  # back from 10 April, as a demo replays the window
    services.return_request(
        submitted.pk, actor=actors["province_officer"], expected_version=seen, remarks="x"
    )
    with pytest.raises(StaleRequest) as exc:
        services.approve_request(submitted.pk, actor=actors["dla_officer"], expected_version=seen)
    assert actors["province_officer"].full_name in str(exc.value.message)


def test_the_requester_acting_on_a_stale_version_is_refused_even_in_an_allowed_state(
    submitted, actors
):
    clerk = actors["lao_clerk"]
    returned = services.return_request(
        submitted.pk,
        actor=actors["province_officer"],
        expected_version=submitted.version,
        remarks="x",
    )
    corrected = services.update_request(
        returned.pk,
        actor=clerk,
        expected_version=returned.version,
        data=data(number=""),
        submit=False,
    )
    before = snapshot(corrected)
    stale = returned.version  # the version before the correction, open in another tab
    for act in (
        lambda: services.submit_request(returned.pk, actor=clerk, expected_version=stale),
        lambda: services.withdraw_request(returned.pk, actor=clerk, expected_version=stale),
        lambda: services.update_request(
            returned.pk, actor=clerk, expected_version=stale, data=data(), submit=False
        ),
    ):
        with pytest.raises(StaleRequest) as exc:
            act()
        assert clerk.full_name in str(exc.value.message)
    assert snapshot(corrected) == before


# --- the history --------------------------------------------------------------------------------


def test_every_change_is_a_history_row_with_its_actor_and_reason(window, actors, places):
    clerk, province, dla = actors["lao_clerk"], actors["province_officer"], actors["dla_officer"]
    with translation.override("en"):
        vr = services.create_request(
            requester=clerk, organization=places.lao, data=data(), files=[pdf()], submit=False
        )
        vr = services.submit_request(vr.pk, actor=clerk, expected_version=vr.version)
        vr = services.return_request(
            vr.pk,
            actor=province,
            expected_version=vr.version,
            remarks="The order number is unreadable",
        )
        vr = services.update_request(
            vr.pk, actor=clerk, expected_version=vr.version, data=data(number=""), submit=True
        )
        vr = services.reject_request(
            vr.pk, actor=dla, expected_version=vr.version, reason="Not the permanent secretary"
        )

    rows = list(HistoricalVerificationRequest.objects.filter(id=vr.pk).order_by("history_id"))
    assert [(r.state, r.version, r.history_user) for r in rows] == [
        ("draft", 1, clerk),
        ("submitted", 2, clerk),
        ("returned", 3, province),
        ("submitted", 4, clerk),
        ("rejected", 5, dla),
    ]
    events = [r.history_event for r in rows]
    assert events == ["saved_as_draft", "submitted", "returned", "resubmitted", "rejected"]
    assert "The order number is unreadable" in rows[2].history_data["remarks"]
    assert "Not the permanent secretary" in rows[4].history_data["remarks"]
    assert [r.history_type for r in rows] == ["+", "~", "~", "~", "~"]
    # the history is dated by the portal's clock, not the machine's
    assert all(
        abs(r.history_date - dt.datetime.fromisoformat(INSIDE)) < dt.timedelta(minutes=1)
        for r in rows
    )


def test_an_approval_with_a_note_keeps_the_note_in_the_history(submitted, actors):
    services.approve_request(
        submitted.pk,
        actor=actors["province_officer"],
        expected_version=submitted.version,
        reason="ตรวจกับต้นฉบับแล้ว",
    )
    last = HistoricalVerificationRequest.objects.filter(id=submitted.pk).latest("history_id")
    assert last.history_user == actors["province_officer"]
    assert (last.history_event, last.history_data) == ("approved", {"remarks": "ตรวจกับต้นฉบับแล้ว"})


# --- who may act --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    [
        "district_officer",
        "other_district_officer",
        "other_province_officer",
        "lao_clerk",
        "unit_clerk",
    ],
)
def test_only_reviewers_in_scope_may_decide(submitted, actors, who):
    before = snapshot(submitted)
    for act in (
        lambda: services.approve_request(
            submitted.pk, actor=actors[who], expected_version=submitted.version
        ),
        lambda: services.reject_request(
            submitted.pk, actor=actors[who], expected_version=submitted.version, reason="r"
        ),
        lambda: services.return_request(
            submitted.pk, actor=actors[who], expected_version=submitted.version, remarks="r"
        ),
    ):
        with pytest.raises(PermissionDenied):
            act()
    assert snapshot(submitted) == before


@pytest.mark.parametrize(
    "who", ["other_lao_clerk", "unit_clerk", "province_officer", "dla_officer"]
)
def test_only_staff_of_the_lao_may_file_its_requests(window, actors, places, who):
    with pytest.raises(PermissionDenied):
        services.create_request(
            requester=actors[who], organization=places.lao, data=data(), files=[pdf()], submit=True
        )
    assert not VerificationRequest.objects.exists()


@pytest.mark.parametrize("who", ["other_lao_clerk", "province_officer"])
def test_only_the_requester_may_submit_withdraw_or_correct(window, actors, places, who):
    draft = services.create_request(
        requester=actors["lao_clerk"],
        organization=places.lao,
        data=data(),
        files=[pdf()],
        submit=False,
    )
    before = snapshot(draft)
    for act, says in (
        (
            lambda: services.submit_request(
                draft.pk, actor=actors[who], expected_version=draft.version
            ),
            "Only the requester may submit this request.",
        ),
        (
            lambda: services.withdraw_request(
                draft.pk, actor=actors[who], expected_version=draft.version
            ),
            "Only the requester may withdraw this request.",
        ),
        (
            lambda: services.update_request(
                draft.pk,
                actor=actors[who],
                expected_version=draft.version,
                data=data(number=""),
                submit=False,
            ),
            "Only the requester may change this request.",
        ),
    ):
        with pytest.raises(PermissionDenied) as refused:
            act()
        assert str(refused.value) == translation.gettext(says)  # the 403 page shows it
    assert snapshot(draft) == before


# --- when the LAO counts as verified ------------------------------------------------------------


def approve(vr, actors):
    return services.approve_request(
        vr.pk, actor=actors["province_officer"], expected_version=vr.version
    )


def file_as(user, position, places, number_stem):
    return services.create_request(
        requester=user,
        organization=places.lao,
        data=data(position, number=national_id(number_stem)),
        files=[pdf()],
        submit=True,
    )


def test_the_lao_is_verified_only_when_the_secretary_and_the_finance_director_are_approved(
    window, actors, places, finance_director
):
    secretary = file_as(actors["lao_clerk"], "permanent_secretary", places, "110170020345")
    finance = file_as(finance_director, "finance_director", places, "310080012345")
    approve(secretary, actors)
    places.lao.refresh_from_db()
    assert places.lao.identity_verified_at is None
    approved = approve(finance, actors)
    places.lao.refresh_from_db()
    assert places.lao.identity_verified_at == approved.decided_at
    last = places.lao.history.latest("history_id")
    assert last.history_user == actors["province_officer"]


def test_the_chief_executive_stands_in_for_the_permanent_secretary(
    window, actors, places, finance_director
):
    chief = make_user(
        "chief@test.example", kind="lao_staff", organization=places.lao, position="chief_executive"
    )
    approve(file_as(finance_director, "finance_director", places, "310080012345"), actors)
    places.lao.refresh_from_db()
    assert places.lao.identity_verified_at is None
    approve(file_as(chief, "chief_executive", places, "500000000000"), actors)
    places.lao.refresh_from_db()
    assert places.lao.identity_verified_at is not None


@pytest.mark.parametrize("outcome", ["rejected", "returned", "withdrawn", "submitted"])
def test_a_finance_director_request_that_is_not_approved_does_not_count(
    window, actors, places, finance_director, outcome
):
    approve(file_as(actors["lao_clerk"], "permanent_secretary", places, "110170020345"), actors)
    finance = file_as(finance_director, "finance_director", places, "310080012345")
    officer = actors["province_officer"]
    if outcome == "rejected":
        services.reject_request(
            finance.pk, actor=officer, expected_version=finance.version, reason="r"
        )
    elif outcome == "returned":
        services.return_request(
            finance.pk, actor=officer, expected_version=finance.version, remarks="r"
        )
    elif outcome == "withdrawn":
        services.withdraw_request(
            finance.pk, actor=finance_director, expected_version=finance.version
        )
    places.lao.refresh_from_db()
    assert places.lao.identity_verified_at is None


def test_a_finance_officer_is_not_the_finance_director(window, actors, places):
    officer = make_user(
        "finance-officer@test.example",
        kind="lao_staff",
        organization=places.lao,
        position="finance_officer",
    )
    approve(file_as(actors["lao_clerk"], "permanent_secretary", places, "110170020345"), actors)
    approve(file_as(officer, "finance_officer", places, "310080012345"), actors)
    places.lao.refresh_from_db()
    assert places.lao.identity_verified_at is None


def test_a_person_already_approved_cannot_file_a_second_request_for_another_position(
    window, actors, places
):
    clerk = actors["lao_clerk"]
    approve(file_as(clerk, "permanent_secretary", places, "110170020345"), actors)
    with (
        pytest.raises(services.VerificationError, match="already verified"),
        translation.override("en"),
    ):
        file_as(clerk, "finance_director", places, "110170020345")
    assert VerificationRequest.objects.filter(requester=clerk).count() == 1


def test_one_person_approved_for_two_positions_from_two_accounts_does_not_verify_the_lao_alone(
    window, actors, places
):
    from tests.actors import make_user

    second_account = make_user(
        "same-person@test.example",
        kind="lao_staff",
        organization=places.lao,
        position="finance_director",
    )
    approve(file_as(actors["lao_clerk"], "permanent_secretary", places, "110170020345"), actors)
    # the service refuses the second position now (tests/onboarding/test_one_position.py); a pair
    # filed before that rule, approved both, is still counted once
    twin = file_as(second_account, "finance_director", places, "310080012345")
    VerificationRequest.objects.filter(pk=twin.pk).update(
        national_id_hash=keyed_hash(national_id("110170020345"))
    )
    approve(VerificationRequest.objects.get(pk=twin.pk), actors)
    places.lao.refresh_from_db()
    assert places.lao.identity_verified_at is None
    assert [row["done"] for row in services.position_status(places.lao)] == [True, False]


def test_approvals_at_another_lao_do_not_count(window, actors, places, finance_director):
    approve(file_as(actors["lao_clerk"], "permanent_secretary", places, "110170020345"), actors)
    other = actors["other_lao_clerk"]  # finance director of the other LAO
    vr = services.create_request(
        requester=other,
        organization=places.other_lao,
        data=data("finance_director", number=national_id("310080012345")),
        files=[pdf()],
        submit=True,
    )
    approve(vr, actors)
    places.lao.refresh_from_db()
    places.other_lao.refresh_from_db()
    assert places.lao.identity_verified_at is None
    assert places.other_lao.identity_verified_at is None


def test_the_required_positions_come_from_the_setting(
    window, actors, places, finance_director, settings
):
    settings.IDENTITY_REQUIRED_POSITIONS = [["finance_director"]]
    approve(file_as(finance_director, "finance_director", places, "310080012345"), actors)
    places.lao.refresh_from_db()
    assert places.lao.identity_verified_at is not None


def test_with_the_setting_narrowed_the_secretary_alone_no_longer_suffices(
    window, actors, places, settings
):
    settings.IDENTITY_REQUIRED_POSITIONS = [["finance_director"]]
    approve(file_as(actors["lao_clerk"], "permanent_secretary", places, "110170020345"), actors)
    places.lao.refresh_from_db()
    assert places.lao.identity_verified_at is None


def test_once_verified_the_lao_is_no_longer_under_the_unverified_window_rule(
    window, actors, places, settings
):
    settings.IDENTITY_REQUIRED_POSITIONS = [["permanent_secretary"]]
    before = decide_for(places.lao, "verify_identity")
    assert before.allowed
    assert before.rule.identity_verified is False  # ข้อ ๑: LAOs not yet verified may verify
    assert before.circular.number == window["dla"].number

    approve(file_as(actors["lao_clerk"], "permanent_secretary", places, "110170020345"), actors)
    places.lao.refresh_from_db()
    assert places.lao.identity_verified_at is not None
    after = decide_for(places.lao, "verify_identity")
    # No circular carries a verify_identity rule for verified LAOs: the default deny answers,
    # and it speaks of verified LAOs, not of the window for unverified ones.
    assert not after.allowed
    assert after.rule is None
    assert "have verified their identity" in after.reason_en
    assert "have not verified" not in after.reason_en
    # so nobody else at this LAO files a request any more
    newcomer = make_user(
        "newcomer@test.example",
        kind="lao_staff",
        organization=places.lao,
        position="finance_director",
    )
    with pytest.raises(WindowClosed):
        file_as(newcomer, "finance_director", places, "310080012345")


def test_the_lao_counts_as_verified_only_from_the_instant_of_the_approval(
    window, actors, places, settings
):
    settings.IDENTITY_REQUIRED_POSITIONS = [["permanent_secretary"]]
    approve(file_as(actors["lao_clerk"], "permanent_secretary", places, "110170020345"), actors)
    places.lao.refresh_from_db()
    a_day_earlier = places.lao.identity_verified_at - dt.timedelta(days=1)
    assert decide_for(places.lao, "verify_identity", a_day_earlier).allowed


# --- evidence files on disk ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "uploads", [[exe()], [pdf(), exe("second.pdf")], [SimpleUploadedFile("empty.pdf", b"")]]
)
def test_a_rejected_upload_stores_no_request_and_no_file(window, actors, places, settings, uploads):
    with pytest.raises(VerificationError):
        services.create_request(
            requester=actors["lao_clerk"],
            organization=places.lao,
            data=data(),
            files=uploads,
            submit=True,
        )
    assert not VerificationRequest.objects.exists()
    assert not Evidence.objects.exists()
    assert files_under(settings.PRIVATE_MEDIA_ROOT) == []


def test_more_than_ten_files_are_refused_before_any_is_written(window, actors, places, settings):
    with pytest.raises(VerificationError):
        services.create_request(
            requester=actors["lao_clerk"],
            organization=places.lao,
            data=data(),
            files=[pdf(f"{i}.pdf") for i in range(11)],
            submit=True,
        )
    assert not VerificationRequest.objects.exists()
    assert files_under(settings.PRIVATE_MEDIA_ROOT) == []


def test_a_rejected_upload_in_a_correction_keeps_the_earlier_evidence(submitted, actors, settings):
    returned = services.return_request(
        submitted.pk,
        actor=actors["province_officer"],
        expected_version=submitted.version,
        remarks="x",
    )
    stored = files_under(settings.PRIVATE_MEDIA_ROOT)
    before = snapshot(returned)
    with pytest.raises(VerificationError):
        services.update_request(
            returned.pk,
            actor=actors["lao_clerk"],
            expected_version=returned.version,
            data=data(number=""),
            files=[exe()],
            remove_evidence=before["evidence"],
            submit=True,
        )
    assert snapshot(returned) == before
    assert files_under(settings.PRIVATE_MEDIA_ROOT) == stored


def _fail_on_second_evidence_save(monkeypatch):
    """Evidence.save fails the second time: both files are on disk by then (the file is written
    before its row). Gives the names of the files written."""
    original, written = Evidence.save, []

    def save(self, *args, **kwargs):
        written.append(self.file.name)
        if len(written) == 2:
            raise IntegrityError("simulated failure after a file was written")
        original(self, *args, **kwargs)

    monkeypatch.setattr(Evidence, "save", save)
    return written


def test_a_failure_after_a_file_was_written_removes_the_file(
    window, actors, places, settings, monkeypatch
):
    written = _fail_on_second_evidence_save(monkeypatch)
    with pytest.raises(IntegrityError):
        services.create_request(
            requester=actors["lao_clerk"],
            organization=places.lao,
            data=data(),
            files=[pdf("a.pdf"), pdf("b.pdf")],
            submit=True,
        )
    assert len(written) == 2
    assert not VerificationRequest.objects.exists()
    assert files_under(settings.PRIVATE_MEDIA_ROOT) == []


def test_evidence_files_are_stored_under_the_current_private_media_root(
    window, actors, places, settings
):
    vr = services.create_request(
        requester=actors["lao_clerk"],
        organization=places.lao,
        data=data(),
        files=[pdf()],
        submit=True,
    )
    evidence = vr.evidence.get()
    try:
        assert (Path(settings.PRIVATE_MEDIA_ROOT) / evidence.file.name).is_file()
    finally:
        evidence.file.storage.delete(evidence.file.name)  # do not leave it in the project's folder


def test_a_failure_after_a_file_was_written_leaves_the_file_nowhere(
    window, actors, places, monkeypatch
):
    field_storage = Evidence._meta.get_field("file").storage
    written = _fail_on_second_evidence_save(monkeypatch)
    with pytest.raises(IntegrityError):
        services.create_request(
            requester=actors["lao_clerk"],
            organization=places.lao,
            data=data(),
            files=[pdf("a.pdf"), pdf("b.pdf")],
            submit=True,
        )
    assert len(written) == 2
    left = [name for name in written if field_storage.exists(name)]
    for name in left:
        field_storage.delete(name)  # do not leave it in the project's folder
    assert left == []


# --- two officers at once (PostgreSQL) ----------------------------------------------------------


def _race(pk, version, first, second):
    """Run the two decisions in two threads released together; each returns 'ok' or 'stale'."""
    from accounts.models import User

    barrier = threading.Barrier(2, timeout=10)
    outcomes = {}

    def run(name, actor_pk, act):
        try:
            actor = User.objects.get(pk=actor_pk)
            barrier.wait()
            act(actor)
            outcomes[name] = "ok"
        except StaleRequest:
            outcomes[name] = "stale"
        except Exception as exc:  # noqa: BLE001 - reported in the assertion
            outcomes[name] = repr(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(name, actor_pk, act))
        for name, (actor_pk, act) in (("first", first), ("second", second))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite has no SELECT ... FOR UPDATE and serialises all writers"
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second_action", ["approve", "reject"])
def test_two_officers_deciding_at_once_give_one_result(window, actors, places, second_action):
    _postgres_only()
    vr = services.create_request(
        requester=actors["lao_clerk"],
        organization=places.lao,
        data=data(),
        files=[pdf()],
        submit=True,
    )
    version = vr.version

    def approve_it(actor):
        services.approve_request(vr.pk, actor=actor, expected_version=version)

    def reject_it(actor):
        services.reject_request(vr.pk, actor=actor, expected_version=version, reason="ปลอม")

    outcomes = _race(
        vr.pk,
        version,
        (actors["province_officer"].pk, approve_it),
        (actors["dla_officer"].pk, approve_it if second_action == "approve" else reject_it),
    )
    assert sorted(outcomes.values()) == ["ok", "stale"], outcomes
    vr.refresh_from_db()
    assert vr.version == version + 1
    assert vr.state in ("approved", "rejected")
    decisions = HistoricalVerificationRequest.objects.filter(
        id=vr.pk, state__in=["approved", "rejected", "returned"]
    )
    assert decisions.count() == 1
    winner = decisions.get()
    assert winner.history_user_id == vr.decided_by_id
    assert winner.state == vr.state


@pytest.mark.django_db(transaction=True)
def test_the_requester_withdrawing_while_an_officer_approves_gives_one_result(
    window, actors, places
):
    _postgres_only()
    vr = services.create_request(
        requester=actors["lao_clerk"],
        organization=places.lao,
        data=data(),
        files=[pdf()],
        submit=True,
    )
    version = vr.version
    outcomes = _race(
        vr.pk,
        version,
        (
            actors["province_officer"].pk,
            lambda a: services.approve_request(vr.pk, actor=a, expected_version=version),
        ),
        (
            actors["lao_clerk"].pk,
            lambda a: services.withdraw_request(vr.pk, actor=a, expected_version=version),
        ),
    )
    assert sorted(outcomes.values()) == ["ok", "stale"], outcomes
    vr.refresh_from_db()
    assert vr.version == version + 1
    assert HistoricalVerificationRequest.objects.filter(id=vr.pk, version=version + 1).count() == 1
