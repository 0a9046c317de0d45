"""Every private page of onboarding/urls.py, tried by every actor and by an anonymous visitor.

The scope rules (STYLE.md lessons 14 and 18): outside the scope 404, inside it without the right
403, anonymous to the login page, a wrong method 405. One submitted request of `lao_clerk`
(SAO 6480199, district 4801, Nakhon Phanom) with one PDF is the object every URL points at.
"""

import datetime as dt

import pytest
from allauth.mfa.models import Authenticator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from accounts.services import request_membership
from core.national_id import with_check_digit
from onboarding import services
from onboarding.models import VerificationRequest
from tests.actors import ACTOR_NAMES, login, make_user

IN_THE_WINDOW = "2025-04-10T09:00:00+07:00"  # 5–21 April 2568: LAOs may file their requests

ACTORS = ("anonymous",) + ACTOR_NAMES

# Columns: anonymous, lao_clerk (the requester), other_lao_clerk (another LAO of the province),
# unit_clerk (a unit under the requester's LAO), district_officer (the LAO's district),
# other_district_officer, province_officer (Nakhon Phanom), other_province_officer (Chiang Mai),
# dla_officer. POST-only URLs are tried with POST, the others with GET; "review decide" POSTs an
# approval to the review page. The membership URLs point at a newcomer's pending membership of
# the unit under the requester's LAO (whose permanent secretary, `lao_clerk`, is not verified yet).
# fmt: off
MATRIX = {
    #                   method   anon  lao  lao2  unit  dist  dist2  prov  prov2  dla
    "my":               ("GET",  302,  200, 200,  200,  200,  200,   200,  200,   200),
    "request_new":      ("GET",  302,  302, 404,  404,  403,  404,   403,  404,   403),
    "request":          ("GET",  302,  200, 404,  404,  200,  404,   200,  404,   200),
    "request_edit":     ("GET",  302,  302, 404,  404,  403,  404,   403,  404,   403),
    "request_submit":   ("POST", 302,  302, 404,  404,  403,  404,   403,  404,   403),
    "request_withdraw": ("POST", 302,  302, 404,  404,  403,  404,   403,  404,   403),
    # ThaID not configured here: no door (tests/onboarding/test_thaid_proof.py has it configured)
    "request_thaid":    ("POST", 302,  404, 404,  404,  404,  404,   404,  404,   404),
    "request_thaid_done": ("GET", 302, 404, 404,  404,  404,  404,   404,  404,   404),
    "evidence":         ("GET",  302,  200, 404,  404,  403,  404,   200,  404,   200),
    "review_queue":     ("GET",  302,  403, 403,  403,  200,  200,   200,  200,   200),
    "review":           ("GET",  302,  403, 403,  403,  403,  404,   200,  404,   200),
    "review decide":    ("POST", 302,  403, 403,  403,  403,  404,   302,  404,   302),
    "memberships":      ("GET",  302,  403, 403,  403,  200,  200,   200,  200,   200),
    "membership_approve": ("POST", 302, 403, 404,  403,  302,  404,   302,  404,   302),
    "membership_refuse":  ("POST", 302, 403, 404,  403,  302,  404,   302,  404,   302),
    # Inviting officers in bulk: DLA officers and administrators only (issue 22)
    "officer_invite":   ("GET",  302,  403, 403,  403,  403,  403,   403,  403,   200),
}
# fmt: on

# Where the 302s of signed-in actors lead: the requester already has an open request
# (request_new), a submitted request can no longer be edited (request_edit) or submitted again
# (request_submit), a withdrawal goes back to the request; a decision goes back to the queue.
REDIRECTS = {
    ("request_new", "lao_clerk"): "request",
    ("request_edit", "lao_clerk"): "request",
    ("request_submit", "lao_clerk"): "request",
    ("request_withdraw", "lao_clerk"): "request",
    ("review decide", "province_officer"): "review_queue",
    ("review decide", "dla_officer"): "review_queue",
    **{
        (name, actor): "memberships"
        for name in ("membership_approve", "membership_refuse")
        for actor in ("district_officer", "province_officer", "dla_officer")
    },
}
# What a successful POST leaves: the requester withdrew, a reviewer approved.
CHANGED = {
    ("request_withdraw", "lao_clerk"): "withdrawn",
    ("review decide", "province_officer"): "approved",
    ("review decide", "dla_officer"): "approved",
}

CASES = [
    pytest.param(name, actor, row[0], status, id=f"{name}-{actor}-{status}")
    for name, row in MATRIX.items()
    for actor, status in zip(ACTORS, row[1:], strict=True)
]

# Wrong methods: (url name, method, actor allowed to use the URL with its right method).
WRONG_METHODS = [
    ("my", "post", "lao_clerk"),
    ("my", "put", "lao_clerk"),
    ("my", "delete", "lao_clerk"),
    ("request_new", "put", "lao_clerk"),
    ("request_new", "delete", "lao_clerk"),
    ("request", "post", "lao_clerk"),
    ("request", "put", "lao_clerk"),
    ("request", "delete", "lao_clerk"),
    ("request_edit", "put", "lao_clerk"),
    ("request_edit", "delete", "lao_clerk"),
    ("request_submit", "get", "lao_clerk"),
    ("request_submit", "put", "lao_clerk"),
    ("request_submit", "delete", "lao_clerk"),
    ("request_withdraw", "get", "lao_clerk"),
    ("request_withdraw", "put", "lao_clerk"),
    ("request_withdraw", "delete", "lao_clerk"),
    ("evidence", "post", "lao_clerk"),
    ("evidence", "put", "lao_clerk"),
    ("evidence", "delete", "lao_clerk"),
    ("evidence", "post", "province_officer"),
    ("review_queue", "post", "province_officer"),
    ("review_queue", "put", "province_officer"),
    ("review_queue", "delete", "province_officer"),
    ("review", "put", "province_officer"),
    ("review", "delete", "province_officer"),
    ("review", "put", "dla_officer"),
    ("memberships", "post", "province_officer"),
    ("membership_approve", "get", "province_officer"),
    ("membership_refuse", "get", "province_officer"),
]


def valid_national_id(first12: str = "110170020345") -> str:
    return with_check_digit(first12)


def file_request(clerk, org, *, position="permanent_secretary", name="order.pdf"):
    data = services.RequestData(
        full_name=clerk.full_name,
        national_id=valid_national_id(),
        position=position,
        appointment_order_number="123/2567",
        appointment_date=dt.date(2024, 10, 1),
        consent=True,
    )
    pdf = SimpleUploadedFile(name, b"%PDF-1.4 appointment order", content_type="application/pdf")
    return services.create_request(
        requester=clerk, organization=org, data=data, files=[pdf], submit=True
    )


@pytest.fixture
def scene(actors, places, portal_clock, circulars):
    portal_clock(IN_THE_WINDOW)
    vr = file_request(actors["lao_clerk"], places.lao)
    evidence = vr.evidence.get()
    newcomer = request_membership(make_user("newcomer@test.example"), places.unit)
    urls = {
        "my": reverse("onboarding:my"),
        "request_new": reverse("onboarding:request_new", args=[places.lao.pk]),
        "request": reverse("onboarding:request", args=[vr.pk]),
        "request_edit": reverse("onboarding:request_edit", args=[vr.pk]),
        "request_submit": reverse("onboarding:request_submit", args=[vr.pk]),
        "request_withdraw": reverse("onboarding:request_withdraw", args=[vr.pk]),
        "request_thaid": reverse("onboarding:request_thaid", args=[vr.pk]),
        "request_thaid_done": reverse("onboarding:request_thaid_done", args=[vr.pk]),
        "evidence": reverse("onboarding:evidence", args=[vr.pk, evidence.pk]),
        "review_queue": reverse("onboarding:review_queue"),
        "review": reverse("onboarding:review", args=[vr.pk]),
        "memberships": reverse("onboarding:memberships"),
        "membership_approve": reverse("onboarding:membership_approve", args=[newcomer.pk]),
        "membership_refuse": reverse("onboarding:membership_refuse", args=[newcomer.pk]),
        "officer_invite": reverse("onboarding:officer_invite"),
    }
    return {"vr": vr, "urls": urls, "actors": actors, "newcomer": newcomer}


def test_the_matrix_names_every_private_url_of_the_onboarding_app():
    from onboarding.urls import urlpatterns

    # officer_welcome: its one-time token is the authorisation (tests/onboarding/test_officers.py)
    public = {"organizations", "organization", "officer_welcome"}
    assert {p.name for p in urlpatterns} - public == {label.split()[0] for label in MATRIX}


@pytest.mark.parametrize(("name", "actor", "method", "expected"), CASES)
def test_each_actor_gets_the_status_the_scope_rules_give(
    client, scene, name, actor, method, expected
):
    vr = scene["vr"]
    if actor != "anonymous":
        login(client, scene["actors"][actor])
    url = scene["urls"][name.split()[0]]
    data = None
    if method == "POST":
        data = {"version": vr.version}
        if name == "review decide":
            data.update(decision="approve", reason="")
        if name == "membership_refuse":
            data.update(reason="ไม่ใช่เจ้าหน้าที่ของหน่วยงานนี้")
    response = getattr(client, method.lower())(url, data)

    assert response.status_code == expected, f"{actor} {method} {url}"
    if expected == 302 and actor == "anonymous":
        assert response["Location"].startswith("/accounts/login/?next=")
    elif expected == 302:
        assert response["Location"] == scene["urls"][REDIRECTS[name, actor]]

    vr.refresh_from_db()
    # nobody changed anything, whatever they tried, but the requester and the reviewers
    assert vr.state == CHANGED.get((name, actor), "submitted")
    assert vr.version == (2 if (name, actor) in CHANGED else 1)
    decided = expected == 302 and actor != "anonymous" and name.startswith("membership_")
    scene["newcomer"].refresh_from_db()
    assert scene["newcomer"].status == (
        {"membership_approve": "active", "membership_refuse": "refused"}[name]
        if decided
        else "pending"
    )


@pytest.mark.parametrize(
    ("name", "method", "actor"), WRONG_METHODS, ids=[f"{n}-{m}-{a}" for n, m, a in WRONG_METHODS]
)
def test_a_wrong_method_gets_405(client, scene, name, method, actor):
    login(client, scene["actors"][actor])
    response = getattr(client, method)(scene["urls"][name])
    assert response.status_code == 405
    vr = VerificationRequest.objects.get(pk=scene["vr"].pk)
    assert (vr.state, vr.version) == ("submitted", 1)


@pytest.mark.parametrize("actor", ["lao_clerk", "province_officer", "dla_officer"])
def test_an_evidence_file_is_found_only_under_its_own_request(client, scene, actors, places, actor):
    """/verification/<A>/evidence/<a file of B>/ is 404, even for one who may see both."""
    other = file_request(actors["other_lao_clerk"], places.other_lao, position="finance_director")
    login(client, actors[actor])
    url = reverse("onboarding:evidence", args=[scene["vr"].pk, other.evidence.get().pk])
    assert client.get(url).status_code == 404


# --- officers and their second factor ------------------------------------------------------------

OFFICER_PAGES = ["review_queue", "review", "memberships"]


def officer_without_totp(places, kind):
    where = {
        "district_officer": {"district": places.lao.district},
        "province_officer": {"province": places.lao.district.province},
        "dla_officer": {},
    }[kind]
    user = make_user(f"new-{kind.replace('_', '-')}@test.example", kind=kind, **where)
    Authenticator.objects.filter(user=user).delete()
    return user


@pytest.mark.parametrize("kind", ["district_officer", "province_officer", "dla_officer"])
@pytest.mark.parametrize("name", OFFICER_PAGES)
def test_an_officer_without_an_authenticator_is_sent_to_set_one_up(
    client, scene, places, kind, name
):
    login(client, officer_without_totp(places, kind))
    url = scene["urls"][name]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/?next=")
    assert url.replace("/", "%2F") in response["Location"]


@pytest.mark.parametrize("actor", ["district_officer", "province_officer", "dla_officer"])
@pytest.mark.parametrize("name", OFFICER_PAGES)
def test_an_officer_whose_session_did_not_use_the_authenticator_is_asked_to_confirm_it(
    client, scene, actor, name
):
    client.force_login(scene["actors"][actor], backend="elaas_portal.backends.ModelBackend")
    url = scene["urls"][name]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/?next=")
    assert url.replace("/", "%2F") in response["Location"]


# request_detail and evidence_file were only @login_required: an officer without the second
# factor read personal data and downloaded evidence (fixed by `_officer_gate`).
@pytest.mark.parametrize("kind", ["district_officer", "province_officer", "dla_officer"])
@pytest.mark.parametrize("name", ["request", "evidence"])
def test_an_officer_without_an_authenticator_cannot_read_a_request_or_its_evidence(
    client, scene, places, kind, name
):
    login(client, officer_without_totp(places, kind))
    response = client.get(scene["urls"][name])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/?next=")


@pytest.mark.parametrize("actor", ["district_officer", "province_officer", "dla_officer"])
@pytest.mark.parametrize("name", ["request", "evidence"])
def test_an_officer_whose_session_did_not_use_the_authenticator_cannot_read_a_request_or_evidence(
    client, scene, actor, name
):
    client.force_login(scene["actors"][actor], backend="elaas_portal.backends.ModelBackend")
    response = client.get(scene["urls"][name])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/?next=")


def test_the_requester_needs_no_second_factor_for_her_own_request(client, scene):
    client.force_login(scene["actors"]["lao_clerk"], backend="elaas_portal.backends.ModelBackend")
    assert client.get(scene["urls"]["request"]).status_code == 200
    assert client.get(scene["urls"]["evidence"]).status_code == 200


# --- the review queue lists only the officer's area -----------------------------------------------

# Which requests each officer's queue lists: "lao" in district 4801 of Nakhon Phanom, "elsewhere"
# in Chiang Mai.
QUEUE_ROWS = {
    "district_officer": {"lao"},
    "other_district_officer": set(),
    "province_officer": {"lao"},
    "other_province_officer": {"elsewhere"},
    "dla_officer": {"lao", "elsewhere"},
}


@pytest.mark.parametrize("state", ["", "all"])
@pytest.mark.parametrize(("actor", "expected"), QUEUE_ROWS.items())
def test_the_review_queue_lists_only_requests_of_the_officers_area(
    client, scene, places, actor, expected, state
):
    clerk_elsewhere = make_user(
        "chiang-mai-clerk@test.example",
        kind="lao_staff",
        organization=places.lao_elsewhere,
        position="finance_director",
    )
    requests = {
        "lao": scene["vr"],
        "elsewhere": file_request(
            clerk_elsewhere, places.lao_elsewhere, position="finance_director"
        ),
    }
    login(client, scene["actors"][actor])
    response = client.get(reverse("onboarding:review_queue"), {"state": state} if state else {})
    assert response.status_code == 200
    body = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    for key, vr in requests.items():
        # reviewers' rows lead to the review page, district officers' to the request's page
        link = f"/verification/{vr.pk}/" if "district" in actor else f"/review/{vr.pk}/"
        if key in expected:
            assert link in body and vr.organization.dla_code in body
        else:
            assert link not in body and vr.organization.dla_code not in body
    assert body.count("<tr>") == max(len(expected), 1)
    if not expected:
        assert say_th("No request matches.") in body
    with translation.override("th"):
        counts = translation.gettext(
            "%(waiting)s waiting for review, %(returned)s returned for correction, in your area."
        )
    assert counts % {"waiting": len(expected), "returned": 0} in response.content.decode()


def say_th(msgid):
    with translation.override("th"):
        text = translation.gettext(msgid)
    assert text != msgid, f"not translated into Thai yet: {msgid!r}"
    return text


def test_a_district_officer_following_a_review_link_gets_a_thai_403_saying_it_once(client, scene):
    login(client, scene["actors"]["district_officer"])
    response = client.get(scene["urls"]["review"])
    assert response.status_code == 403
    page = response.content.decode()
    thai = "ท่านติดตามคำขอนี้ได้ แต่ไม่มีอำนาจพิจารณา"
    assert page.count(thai) == 1
    assert "You may follow this request" not in page
