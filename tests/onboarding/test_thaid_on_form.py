"""Filing with ThaID in one go: right after a ThaID sign-in, the new-request form offers the
proof itself (no evidence demanded, submitted at once); and a form sent back with errors says
which attached files were not kept. Against a real provider over HTTP (tests/thaid_op.py)."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.history import HistoryEvent, describe
from core.national_id import keyed_hash
from onboarding.models import Evidence, RequestState, VerificationRequest
from tests.accounts.test_thaid import back, link, start, texts
from tests.onboarding.test_request_views import (
    IN_THE_WINDOW,
    WRONG_CHECKSUM,
    pdf,
    request_form,
    say,
    stored,
)
from tests.onboarding.test_thaid_proof import SOMEONE_ELSE
from tests.thaid_op import PID


@pytest.fixture
def signed_in_with_thaid(client, thaid_op, actors, places, portal_clock, circulars):
    """The LAO clerk, ThaID linked, signs in with ThaID (no password) inside the window."""
    portal_clock(IN_THE_WINDOW)
    link(Client(), thaid_op, actors["lao_clerk"])
    authorize = start(client, thaid_op)
    back(client, authorize, thaid_op.issue_code(authorize))
    assert client.session["thaid_assertion"]["uid"] == keyed_hash(PID)
    return client


def new_url(places):
    return reverse("onboarding:request_new", args=[places.lao.pk])


def test_the_new_request_form_offers_thaid_proof_right_after_a_thaid_sign_in(
    signed_in_with_thaid, places
):
    page = signed_in_with_thaid.get(new_url(places)).content.decode()
    box = re.search(r'<input type="checkbox" name="prove_with_thaid"[^>]*>', page)
    assert box and "checked" in box.group(0)
    assert PID[-4:] in page and PID not in page


def test_a_password_sign_in_gets_no_thaid_proof_on_the_form(
    client, thaid_op, actors, places, portal_clock, circulars
):
    from tests.actors import login

    portal_clock(IN_THE_WINDOW)
    login(client, actors["lao_clerk"])
    page = client.get(new_url(places)).content.decode()
    assert 'name="evidence"' in page and 'name="prove_with_thaid"' not in page


def test_the_clerk_files_and_submits_in_one_go_without_evidence(signed_in_with_thaid, places):
    response = signed_in_with_thaid.post(
        new_url(places), request_form(national_id=PID, evidence=None, prove_with_thaid="on")
    )
    vr = VerificationRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == vr.get_absolute_url()
    assert vr.state == RequestState.SUBMITTED and vr.identity_proven_by_thaid
    assert vr.thaid_ial == "2.3" and not vr.evidence.exists()
    last = vr.history.order_by("history_id").last()
    assert last.history_event == HistoryEvent.THAID_PROVEN and last.history_data == {"ial": "2.3"}
    with translation.override("th"):
        assert describe(last) == "ยืนยันตัวตนด้วย ThaID แล้ว (ระดับความน่าเชื่อถือ 2.3)"


def test_unticked_the_form_still_asks_for_evidence(signed_in_with_thaid, places):
    response = signed_in_with_thaid.post(
        new_url(places), request_form(national_id=PID, evidence=None)
    )
    assert response.status_code == 400 and not VerificationRequest.objects.exists()


def test_another_persons_number_with_the_thaid_box_ticked_saves_nothing(
    signed_in_with_thaid, places
):
    before = stored()
    response = signed_in_with_thaid.post(
        new_url(places), request_form(national_id=SOMEONE_ELSE, prove_with_thaid="on")
    )
    assert response.status_code == 400 and stored() == before
    page = response.content.decode()
    assert PID[-4:] in page and SOMEONE_ELSE[-4:] in page and "ThaID" in page


def test_a_form_with_errors_names_the_files_to_attach_again_in_thai(
    client, actors, places, portal_clock, circulars
):
    from tests.actors import login

    portal_clock(IN_THE_WINDOW)
    login(client, actors["lao_clerk"])
    response = client.post(
        new_url(places),
        request_form(national_id=WRONG_CHECKSUM, evidence=[pdf("คำสั่งแต่งตั้ง.pdf"), pdf("บัตร.pdf")]),
    )
    assert response.status_code == 400 and not Evidence.objects.exists()
    page = response.content.decode()
    notice = page.split('id="attach-again"')[1].split("</div>")[0]
    assert (
        say(
            "th",
            "The files you attached were not kept, because the form has errors. Attach them again "
            "before you send it:",
        )
        in notice
    )
    assert "คำสั่งแต่งตั้ง.pdf" in notice and "บัตร.pdf" in notice


def test_a_form_without_errors_or_files_shows_no_such_notice(
    client, actors, places, portal_clock, circulars
):
    from tests.actors import login

    portal_clock(IN_THE_WINDOW)
    login(client, actors["lao_clerk"])
    assert 'id="attach-again"' not in client.get(new_url(places)).content.decode()
    response = client.post(new_url(places), request_form(national_id=WRONG_CHECKSUM, evidence=None))
    assert response.status_code == 400 and 'id="attach-again"' not in response.content.decode()


def test_linking_thaid_says_so_in_thai_with_its_name(client, thaid_op, actors):
    response = link(client, thaid_op, actors["lao_clerk"])
    said = texts(response)
    assert "ผูกบัญชีของท่านกับ ThaID แล้ว" in said
    assert not any("Social" in text or "third-party" in text for text in said)


def test_a_draft_corrected_right_after_a_thaid_sign_in_is_proven_and_submitted(
    signed_in_with_thaid, actors, places
):
    from onboarding import services
    from tests.onboarding.test_thaid_proof import typed

    draft = services.create_request(
        requester=actors["lao_clerk"], organization=places.lao, data=typed(PID), submit=False
    )
    edit = reverse("onboarding:request_edit", args=[draft.pk])
    assert 'name="prove_with_thaid"' in signed_in_with_thaid.get(edit).content.decode()
    response = signed_in_with_thaid.post(
        edit,
        request_form(
            national_id="", evidence=None, prove_with_thaid="on", version=str(draft.version)
        ),
    )
    assert response.status_code == 302
    vr = VerificationRequest.objects.get(pk=draft.pk)
    assert vr.state == RequestState.SUBMITTED and vr.identity_proven_by_thaid
    assert not vr.evidence.exists()
