"""Identity proven by ThaID on a verification request: the requester's ThaID `pid` (at an `ial`
of at least THAID_MIN_IAL) matches the request's national ID -> marked proven, evidence optional;
a mismatch is refused and recorded in the request's history. Against a real provider over HTTP
(tests/thaid_op.py)."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.history import describe
from core.national_id import with_check_digit
from onboarding import services
from onboarding.models import RequestState, VerificationRequest
from tests.actors import login
from tests.onboarding.test_request_views import file_via_services
from tests.thaid_op import PID

CALLBACK = reverse("openid_connect_callback", kwargs={"provider_id": "thaid"})
SOMEONE_ELSE = with_check_digit("310050012345")


@pytest.fixture
def draft(actors, places, portal_clock, circulars):
    """The clerk's draft request (national ID PID, no evidence) inside the window."""
    portal_clock("2025-04-10T09:00:00+07:00")
    return services.create_request(
        requester=actors["lao_clerk"], organization=places.lao, data=typed(PID), submit=False
    )


def typed(national_id):
    return services.RequestData(
        full_name="สมศรี ใจดี",
        national_id=national_id,
        position="permanent_secretary",
        appointment_order_number="123/2567",
        appointment_date=dt.date(2024, 10, 1),
        consent=True,
    )


def prove(client, op, vr, claims=None):
    """Press "Prove my identity with ThaID", pass ThaID, come back: the final response."""
    response = client.post(reverse("onboarding:request_thaid", args=[vr.pk]))
    if response["Location"].startswith(op.url):
        authorize = response["Location"]
        params = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
        response = client.get(
            CALLBACK, {"code": op.issue_code(authorize, claims), "state": params["state"]}
        )
        assert response["Location"] == reverse("onboarding:request_thaid_done", args=[vr.pk])
        response = client.get(response["Location"])
    assert response["Location"] == vr.get_absolute_url()
    return response


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def reasons(vr):
    """The history's sentences as a Thai reader sees them (the rows keep events, not prose)."""
    with translation.override("th"):
        return [describe(row) for row in vr.history.order_by("history_id")]


def test_a_matching_thaid_identity_proves_the_request_and_evidence_becomes_optional(
    client, thaid_op, draft, actors
):
    login(client, actors["lao_clerk"])
    prove(client, thaid_op, draft)
    vr = VerificationRequest.objects.get(pk=draft.pk)
    assert vr.identity_proven_by_thaid and vr.thaid_ial == "2.3"
    assert reasons(vr)[-1] == "ยืนยันตัวตนด้วย ThaID แล้ว (ระดับความน่าเชื่อถือ 2.3)"
    assert not vr.evidence.exists()
    services.submit_request(vr.pk, actor=actors["lao_clerk"], expected_version=vr.version)
    assert VerificationRequest.objects.get(pk=vr.pk).state == RequestState.SUBMITTED
    page = client.get(vr.get_absolute_url()).content.decode()
    assert "ThaID" in page and "2.3" in page


def test_the_reviewer_sees_the_proof_and_still_decides(client, thaid_op, draft, actors):
    login(client, actors["lao_clerk"])
    prove(client, thaid_op, draft)
    vr = VerificationRequest.objects.get(pk=draft.pk)
    vr = services.submit_request(vr.pk, actor=actors["lao_clerk"], expected_version=vr.version)
    officer = login(Client(), actors["province_officer"])
    page = officer.get(reverse("onboarding:review", args=[vr.pk])).content.decode()
    assert "ThaID" in page
    assert VerificationRequest.objects.get(pk=vr.pk).state == RequestState.SUBMITTED


def test_another_persons_thaid_identity_is_refused_and_recorded_in_the_history(
    client, thaid_op, draft, actors
):
    login(client, actors["lao_clerk"])
    response = prove(client, thaid_op, draft, {"pid": SOMEONE_ELSE})
    vr = VerificationRequest.objects.get(pk=draft.pk)
    assert not vr.identity_proven_by_thaid
    assert any("ThaID" in text and SOMEONE_ELSE[-4:] in text for text in texts(response))
    last = reasons(vr)[-1]
    assert SOMEONE_ELSE[-4:] in last and PID[-4:] in last and SOMEONE_ELSE not in last
    with pytest.raises(services.VerificationError):
        services.submit_request(vr.pk, actor=actors["lao_clerk"], expected_version=vr.version)


def test_a_thaid_identity_below_the_required_assurance_level_proves_nothing(
    client, thaid_op, draft, actors, settings
):
    login(client, actors["lao_clerk"])
    response = prove(client, thaid_op, draft, {"ial": 1.1})
    vr = VerificationRequest.objects.get(pk=draft.pk)
    assert not vr.identity_proven_by_thaid and vr.version == draft.version
    assert any("1.1" in text for text in texts(response))


def test_at_exactly_the_required_level_it_proves(client, thaid_op, draft, actors, settings):
    from decimal import Decimal

    settings.THAID_MIN_IAL = Decimal("2.3")
    login(client, actors["lao_clerk"])
    prove(client, thaid_op, draft, {"ial": "2.3"})
    assert VerificationRequest.objects.get(pk=draft.pk).identity_proven_by_thaid


def test_a_thaid_sign_in_of_this_session_proves_at_once(client, thaid_op, draft, actors):
    login(client, actors["lao_clerk"])
    prove(client, thaid_op, draft, {"pid": SOMEONE_ELSE})  # a sign-in now in the session
    requests_before = len(thaid_op.token_requests)
    response = client.post(reverse("onboarding:request_thaid", args=[draft.pk]))
    assert response["Location"] == draft.get_absolute_url()  # no trip to ThaID
    assert len(thaid_op.token_requests) == requests_before


def test_the_way_back_from_thaid_applies_nothing_the_person_did_not_ask_for(
    client, thaid_op, draft, actors
):
    login(client, actors["lao_clerk"])
    prove(client, thaid_op, draft, {"pid": SOMEONE_ELSE})
    before = VerificationRequest.objects.get(pk=draft.pk).version
    client.get(reverse("onboarding:request_thaid_done", args=[draft.pk]))  # a link from elsewhere
    assert VerificationRequest.objects.get(pk=draft.pk).version == before


def test_a_new_national_id_drops_the_proof(client, thaid_op, draft, actors):
    login(client, actors["lao_clerk"])
    prove(client, thaid_op, draft)
    vr = VerificationRequest.objects.get(pk=draft.pk)
    services.update_request(
        vr.pk,
        actor=actors["lao_clerk"],
        expected_version=vr.version,
        data=typed(SOMEONE_ELSE),
        submit=False,
    )
    assert not VerificationRequest.objects.get(pk=vr.pk).identity_proven_by_thaid


@pytest.mark.parametrize(
    ("actor", "status"),
    [("other_lao_clerk", 404), ("district_officer", 403), ("province_officer", 403)],
)
def test_only_the_requester_may_prove(
    client, thaid_op, actors, places, portal_clock, circulars, actor, status
):
    """Outside the request's scope 404; inside it (officers who follow or review it) 403."""
    portal_clock("2025-04-10T09:00:00+07:00")
    vr = file_via_services(actors["lao_clerk"], places.lao, national_id=PID)
    login(client, actors[actor])
    response = client.post(reverse("onboarding:request_thaid", args=[vr.pk]))
    assert response.status_code == status
    assert not VerificationRequest.objects.get(pk=vr.pk).identity_proven_by_thaid


def test_without_thaid_configured_there_is_no_button_and_no_door(client, draft, actors):
    login(client, actors["lao_clerk"])
    page = client.get(draft.get_absolute_url()).content.decode()
    assert reverse("onboarding:request_thaid", args=[draft.pk]) not in page
    assert client.post(reverse("onboarding:request_thaid", args=[draft.pk])).status_code == 404


def test_get_is_not_allowed_on_the_prove_door(client, thaid_op, draft, actors):
    login(client, actors["lao_clerk"])
    assert client.get(reverse("onboarding:request_thaid", args=[draft.pk])).status_code == 405
