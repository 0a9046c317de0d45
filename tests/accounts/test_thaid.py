"""Sign in with ThaID (OpenID Connect) through allauth, against a real provider over HTTP
(tests/thaid_op.py): PKCE, state and nonce checked, the id_token verified against the JWKS, the
identity linked only by the person's own action and kept as the hash of `pid`, officers' second
factor only when the provider asserts MFA, and every failure refused without signing anyone in."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.national_id import keyed_hash, with_check_digit
from tests.actors import PASSWORD, login
from tests.thaid_op import PID, new_key

LOGIN = reverse("openid_connect_login", kwargs={"provider_id": "thaid"})
CALLBACK = reverse("openid_connect_callback", kwargs={"provider_id": "thaid"})
ELSEWHERE_PID = with_check_digit("310050012345")


def start(client, op, process="login", **extra) -> str:
    """Press "Sign in with ThaID" (or link it): the portal's redirect to the provider."""
    response = client.post(LOGIN, {"process": process, **extra})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{op.url}/authorize?")
    return response["Location"]


def back(client, authorize_url, code, **changes):
    """The provider sends the browser back to the portal with `code` and the state it was given."""
    params = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    query = {"code": code, "state": params["state"], **changes}
    return client.get(CALLBACK, {k: v for k, v in query.items() if v is not None})


def signed_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def link(client, op, user, claims=None):
    login(client, user)
    authorize = start(client, op, process="connect")
    response = back(client, authorize, op.issue_code(authorize, claims))
    assert response.status_code == 302
    return response


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def clerk(actors):
    return actors["lao_clerk"]


# --- the button -------------------------------------------------------------------------------


def test_login_page_has_no_thaid_button_when_thaid_is_not_configured(client, db):
    page = client.get(reverse("account_login")).content.decode()
    assert "ThaID" not in page


def test_login_page_offers_thaid_when_configured(client, thaid_op):
    with translation.override("th"):
        page = client.get(reverse("account_login")).content.decode()
    assert f'action="{LOGIN}"' in page
    assert 'name="password"' in page


def test_login_page_says_thaid_is_unavailable_and_password_login_still_works(
    client, settings, thaid_op, clerk
):
    thaid_op.stop()  # the provider no longer answers
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "ThaID is unavailable right now" in page
    assert f'action="{LOGIN}"' not in page
    response = client.post(LOGIN, {"process": "login"})  # a stale page's button
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    response = client.post(reverse("account_login"), {"login": clerk.email, "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_as(client) == clerk.pk


# --- the flow: PKCE, state, nonce -------------------------------------------------------------


def test_the_authorization_request_carries_pkce_state_and_nonce(client, thaid_op):
    params = parse_qs(urlsplit(start(client, thaid_op)).query)
    assert params["code_challenge_method"] == ["S256"]
    assert len(params["code_challenge"][0]) >= 43
    assert len(params["state"][0]) >= 16
    assert len(params["nonce"][0]) >= 32
    assert params["response_type"] == ["code"]
    assert "openid" in params["scope"][0].split()


def test_a_linked_clerk_signs_in_with_thaid(client, thaid_op, clerk):
    link(Client(), thaid_op, clerk)
    authorize = start(client, thaid_op)
    response = back(client, authorize, thaid_op.issue_code(authorize))
    assert response.status_code == 302
    assert signed_in_as(client) == clerk.pk
    verifier = thaid_op.token_requests[-1]["code_verifier"]
    assert 43 <= len(verifier) <= 128  # the verifier went to the token endpoint, checked there
    kept = client.session["thaid_assertion"]
    assert kept["uid"] == keyed_hash(PID) and kept["last4"] == PID[-4:]
    assert PID not in json.dumps(dict(client.session.items()))


def test_a_code_bound_to_another_pkce_challenge_is_refused(client, thaid_op, clerk):
    """A code obtained by someone else's authorization request (an attacker's own challenge)
    cannot be redeemed with this browser's verifier."""
    link(Client(), thaid_op, clerk)
    attacker_request = start(Client(), thaid_op)
    stolen = thaid_op.issue_code(attacker_request)
    authorize = start(client, thaid_op)
    back(client, authorize, stolen)
    assert thaid_op.token_requests[-1]["code_verifier"]
    assert signed_in_as(client) is None


def test_a_callback_without_the_state_it_was_given_is_refused(client, thaid_op, clerk):
    link(Client(), thaid_op, clerk)
    authorize = start(client, thaid_op)
    code = thaid_op.issue_code(authorize)
    response = back(client, authorize, code, state="not-the-state-we-sent")
    assert signed_in_as(client) is None
    assert response.status_code == 401  # allauth's "login failure" page, not a 500
    response = back(client, authorize, code, state=None)
    assert signed_in_as(client) is None
    assert thaid_op.token_requests == [thaid_op.token_requests[0]]  # only link()'s: never redeemed


def test_a_state_made_in_another_browser_is_refused(client, thaid_op, clerk):
    link(Client(), thaid_op, clerk)
    other_browser = Client()
    authorize = start(other_browser, thaid_op)
    back(client, authorize, thaid_op.issue_code(authorize))
    assert signed_in_as(client) is None


def test_an_id_token_with_another_nonce_is_refused(client, thaid_op, clerk):
    link(Client(), thaid_op, clerk)
    authorize = start(client, thaid_op)
    back(client, authorize, thaid_op.issue_code(authorize, nonce="replayed-from-elsewhere"))
    assert signed_in_as(client) is None


def test_an_id_token_without_a_nonce_is_refused(client, thaid_op, clerk):
    link(Client(), thaid_op, clerk)
    authorize = start(client, thaid_op)
    back(client, authorize, thaid_op.issue_code(authorize, nonce=None))
    assert signed_in_as(client) is None


# --- the id_token -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"tamper": {"ial": 3, "amr": ["mfa"]}}, id="tampered-payload"),
        pytest.param({"sign_with": new_key()}, id="signed-with-another-key"),
        pytest.param({"unsigned": True}, id="alg-none"),
        pytest.param({"aud": "another-client"}, id="wrong-audience"),
        pytest.param({"exp": 1_000_000_000}, id="expired"),
    ],
)
def test_a_bad_id_token_is_refused(client, thaid_op, clerk, changes):
    link(Client(), thaid_op, clerk)
    authorize = start(client, thaid_op)
    response = back(client, authorize, thaid_op.issue_code(authorize, **changes))
    assert response.status_code == 401  # the login failure page, in Thai, back to sign in
    assert "เข้าสู่ระบบด้วย ThaID ไม่สำเร็จ" in response.content.decode()
    assert f'href="{reverse("account_login")}"' in response.content.decode()
    assert signed_in_as(client) is None
    assert "thaid_assertion" not in client.session


def test_a_replayed_callback_is_refused(client, thaid_op, clerk):
    link(Client(), thaid_op, clerk)
    authorize = start(client, thaid_op)
    code = thaid_op.issue_code(authorize)
    assert back(client, authorize, code).status_code == 302
    assert signed_in_as(client) == clerk.pk
    client.post(reverse("account_logout"))
    assert signed_in_as(client) is None
    back(client, authorize, code)  # the same URL again: its state was used up
    assert signed_in_as(client) is None


def test_a_replayed_code_is_refused_by_the_provider_and_then_by_the_portal(client, thaid_op, clerk):
    link(Client(), thaid_op, clerk)
    first = start(client, thaid_op)
    code = thaid_op.issue_code(first)
    back(client, first, code)
    client.post(reverse("account_logout"))
    second = start(client, thaid_op)  # a fresh state, the old code
    back(client, second, code)
    assert signed_in_as(client) is None
    assert thaid_op.token_requests[-1]["code"] == code  # redeemed twice: refused the second time


def test_userinfo_naming_another_person_than_the_id_token_is_refused(client, thaid_op, clerk):
    link(Client(), thaid_op, clerk)
    authorize = start(client, thaid_op)
    back(client, authorize, thaid_op.issue_code(authorize, userinfo={"pid": ELSEWHERE_PID}))
    assert signed_in_as(client) is None


# --- linking ----------------------------------------------------------------------------------


def test_linking_keeps_the_hash_of_pid_and_no_personal_claim(client, thaid_op, clerk):
    link(client, thaid_op, clerk, {"given_name": "สมศรี", "family_name": "ใจดี", "ial": 3})
    account = SocialAccount.objects.get(user=clerk)
    assert account.uid == keyed_hash(PID)
    stored = json.dumps(account.extra_data, ensure_ascii=False)
    assert PID not in stored and "สมศรี" not in stored
    assert account.extra_data["pid_last4"] == PID[-4:]


def test_an_unlinked_thaid_identity_opens_no_account_not_even_one_with_its_email(
    client, thaid_op, clerk
):
    authorize = start(client, thaid_op)
    response = back(client, authorize, thaid_op.issue_code(authorize, {"email": clerk.email}))
    assert signed_in_as(client) is None
    assert response["Location"] == reverse("account_login")
    assert not SocialAccount.objects.exists()


def test_a_thaid_identity_linked_to_another_account_is_refused_with_a_clear_message(
    client, thaid_op, actors
):
    link(Client(), thaid_op, actors["lao_clerk"])
    response = link(client, thaid_op, actors["other_lao_clerk"])
    assert SocialAccount.objects.get().user == actors["lao_clerk"]
    with translation.override("th"):
        expected = translation.gettext(
            "This ThaID identity is already linked to another account of the portal. Nothing "
            "was linked. If that account is yours, sign in to it; otherwise contact your "
            "provincial office."
        )
    assert expected != "" and expected in texts(response)
    assert expected.startswith("ThaID") is False  # translated into Thai


def test_a_second_thaid_identity_for_one_account_is_refused(client, thaid_op, clerk):
    link(client, thaid_op, clerk)
    link(client, thaid_op, clerk, {"pid": ELSEWHERE_PID})
    assert list(SocialAccount.objects.values_list("uid", flat=True)) == [keyed_hash(PID)]


def test_linking_needs_a_signed_in_person(client, thaid_op):
    authorize = start(client, thaid_op, process="connect")
    back(client, authorize, thaid_op.issue_code(authorize))
    assert not SocialAccount.objects.exists()


# --- officers: the second factor --------------------------------------------------------------


def _officer_signs_in_with_thaid(client, op, officer, amr, acr=None):
    claims = {"pid": ELSEWHERE_PID, "amr": amr}
    if acr:
        claims["acr"] = acr
    link(Client(), op, officer, claims)
    authorize = start(client, op)
    return back(client, authorize, op.issue_code(authorize, claims))


def test_an_officers_thaid_sign_in_with_mfa_is_the_second_factor(client, thaid_op, actors):
    officer = actors["province_officer"]
    response = _officer_signs_in_with_thaid(client, thaid_op, officer, ["pwd", "otp", "mfa"])
    assert signed_in_as(client) == officer.pk
    assert "mfa" not in response["Location"]
    assert client.get(reverse("onboarding:review_queue")).status_code == 200


def test_an_officers_thaid_sign_in_without_mfa_still_asks_for_totp(client, thaid_op, actors):
    officer = actors["province_officer"]
    response = _officer_signs_in_with_thaid(client, thaid_op, officer, ["pwd"])
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in_as(client) is None


def test_an_acr_listed_as_mfa_counts_as_the_second_factor(client, thaid_op, actors, settings):
    settings.THAID_MFA_ACR_VALUES = ["urn:thaid:loa:high"]
    officer = actors["province_officer"]
    _officer_signs_in_with_thaid(client, thaid_op, officer, ["pwd"], acr="urn:thaid:loa:high")
    assert client.get(reverse("onboarding:review_queue")).status_code == 200


# --- linking at sign-up -----------------------------------------------------------------------


@pytest.fixture
def signup_open(places, portal_clock, circulars):
    portal_clock("2025-04-10T09:00:00+07:00")
    return places


def sign_up(client, org):
    return client.post(
        reverse("account_signup"),
        {
            "email": "new-clerk@test.example",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "full_name": "สมหญิง ตั้งใจ",
            "phone": "042-511-000",
            "organization": org.pk,
            "position": "finance_director",
        },
    )


def test_an_unlinked_thaid_sign_in_is_never_linked_to_the_next_sign_up_in_the_browser(
    client, thaid_op, signup_open
):
    """Issue 26: someone's ThaID sign-in left on a shared browser was linked to the account the
    next person signed up there, and its owner could then sign into that account."""
    authorize = start(client, thaid_op)
    back(client, authorize, thaid_op.issue_code(authorize, {"pid": ELSEWHERE_PID}))
    assert signed_in_as(client) is None
    assert sign_up(client, signup_open.lao).status_code == 302
    assert not SocialAccount.objects.exists()
    authorize = start(client, thaid_op)  # the ThaID owner comes back: still no account opens
    back(client, authorize, thaid_op.issue_code(authorize, {"pid": ELSEWHERE_PID}))
    assert signed_in_as(client) is None


@pytest.mark.parametrize("act", ["login", "logout", "signup"])
def test_a_pending_thaid_key_left_in_a_session_is_dropped_at_every_login_logout_and_sign_up(
    client, thaid_op, signup_open, clerk, act
):
    from accounts.thaid.adapter import PENDING_SIGNUP_KEY

    if act == "logout":
        login(client, clerk)
    session = client.session
    session[PENDING_SIGNUP_KEY] = {"uid": keyed_hash(ELSEWHERE_PID), "extra_data": {}, "at": 0}
    session.save()
    if act == "login":
        client.post(reverse("account_login"), {"login": clerk.email, "password": PASSWORD})
        assert signed_in_as(client) == clerk.pk
    elif act == "logout":
        client.post(reverse("account_logout"))
    else:
        sign_up(client, signup_open.lao)
    assert PENDING_SIGNUP_KEY not in client.session
    assert not SocialAccount.objects.exists()


def test_after_sign_up_the_person_links_thaid_by_a_fresh_sign_in_of_their_own(
    client, thaid_op, clerk
):
    link(client, thaid_op, clerk, {"pid": ELSEWHERE_PID})
    assert SocialAccount.objects.get().user == clerk


def test_the_provider_going_down_mid_sign_in_ends_on_the_failure_page(client, thaid_op, clerk):
    link(Client(), thaid_op, clerk)
    authorize = start(client, thaid_op)
    code = thaid_op.issue_code(authorize)
    thaid_op.stop()
    response = back(client, authorize, code)
    assert response.status_code == 401 and signed_in_as(client) is None


@pytest.mark.parametrize(
    "query",
    [
        {"code": "x\x00y", "state": "\x00"},
        {"code": "๑๒๓" * 500, "state": "a" * 5000},
        {"error": "access_denied", "state": "\u202e"},
        {"error": "server_error"},
        {},
    ],
)
def test_hostile_callbacks_get_the_failure_page_not_a_server_error(client, thaid_op, query):
    response = Client(raise_request_exception=False).get(CALLBACK, query)
    assert response.status_code in (400, 401)
    assert signed_in_as(client) is None


def test_my_organisation_shows_the_link_and_the_person_can_unlink_it(client, thaid_op, clerk):
    link(client, thaid_op, clerk)
    page = client.get(reverse("onboarding:my")).content.decode()
    assert PID[-4:] in page and PID not in page
    connections = client.get(reverse("socialaccount_connections"))
    assert connections.status_code == 200
    account = SocialAccount.objects.get(user=clerk)
    client.post(reverse("socialaccount_connections"), {"account": account.pk})
    assert not SocialAccount.objects.exists()
    page = client.get(reverse("onboarding:my")).content.decode()
    assert 'name="process" value="connect"' in page  # "Link ThaID" again
