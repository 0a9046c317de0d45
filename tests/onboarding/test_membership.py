"""Staff are vetted: signing up for an organisation asks for a membership that grants nothing
until someone with authority over the organisation approves it (issue 11).

Before: anyone could sign up as staff of any LAO or unit, confirm their own address and read, on
/my/, the names, positions, e-mail addresses and phones of every member of the unit and its LAO;
unconfirmed accounts were reminded and listed as staff to call.
"""

import datetime as dt
import itertools
import re
import threading

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from accounts.scope import forget_roles, roles_of
from accounts.services import invite_staff, request_membership
from core import clock
from core.text import mask_name
from core.thai import BANGKOK
from notifications.models import Kind, Notification
from notifications.reminders import run_pass
from onboarding import membership
from onboarding.membership import AlreadyDecided, approve_membership, expire_memberships
from onboarding.models import VerificationRequest
from tests.actors import PASSWORD, login, make_user

NOW = "2025-04-10T09:00:00+07:00"  # units may use the system; LAOs may file their requests
CONFIRM_LINK = re.compile(r"/accounts/confirm-email/[^\s/]+/")
NEWCOMER = "newcomer@test.example"
_serial = itertools.count(1)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BANGKOK)


def say_th(msgid: str) -> str:
    with translation.override("th"):
        text = translation.gettext(msgid)
    assert text != msgid, f"not translated into Thai yet: {msgid!r}"
    return text


def verify(user, org, position="permanent_secretary"):
    """An approved identity verification request of `user` for `position` at `org`."""
    when = at("2025-04-08 10:00")
    return VerificationRequest.objects.create(
        organization=org,
        requester=user,
        full_name=user.full_name,
        national_id_hash=f"{next(_serial):064d}",
        national_id_last4="0001",
        position=position,
        appointment_order_number="1/2568",
        appointment_date=dt.date(2024, 10, 1),
        consent_at=when,
        created_at=when,
        submitted_at=when,
        state="approved",
        decided_at=when,
    )


def pending(org, email=NEWCOMER, *, confirmed=True, position=""):
    """Someone who signed up for `org` (and confirmed their address, unless told otherwise)."""
    user = make_user(email, "ผู้สมัคร ใหม่")
    if not confirmed:
        EmailAddress.objects.filter(user=user).update(verified=False)
    return request_membership(user, org, position)


@pytest.fixture
def scene(actors, places, portal_clock, circulars):
    portal_clock(NOW)
    for name, phone in (("lao_clerk", "081-111-1111"), ("unit_clerk", "082-222-2222")):
        actors[name].phone = phone
        actors[name].save()
    return actors


def sign_up_and_confirm(client, org, mailoutbox, capture_on_commit):
    """The real door: the sign-up form, then the link in the confirmation mail."""
    response = client.post(
        reverse("account_signup"),
        {
            "email": NEWCOMER,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "full_name": "ผู้สมัคร ใหม่",
            "phone": "089-000-0000",
            "organization": org.pk,
            "position": "",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    link = CONFIRM_LINK.search(mailoutbox[-1].body).group(0)
    with capture_on_commit(execute=True):
        assert client.post(link).status_code == 302
    user = EmailAddress.objects.get(email=NEWCOMER, verified=True).user
    client.logout()
    return user


def contacts_of(actors) -> list[str]:
    clerk, unit_clerk = actors["lao_clerk"], actors["unit_clerk"]
    return [clerk.email, clerk.phone, clerk.full_name, unit_clerk.email, unit_clerk.phone]


# --- what a newcomer sees ------------------------------------------------------------------------


def test_a_self_signed_up_unit_clerk_sees_nothing_of_the_unit_or_its_lao_before_approval(
    client, scene, places, mailoutbox, django_capture_on_commit_callbacks
):
    newcomer = sign_up_and_confirm(
        client, places.unit, mailoutbox, django_capture_on_commit_callbacks
    )
    assert Role.objects.get(user=newcomer).status == "pending"

    login(client, newcomer)
    page = client.get(reverse("onboarding:my")).content.decode()

    for secret in contacts_of(scene):
        assert secret not in page
    assert say_th("Your membership is waiting for approval.") in page
    assert places.unit.name_th in page  # the organisation they asked for, and who approves
    assert places.lao.district.name_th in page


def test_after_the_verified_permanent_secretary_approves_the_unit_clerk_sees_the_lao(
    client, scene, places, mailoutbox, django_capture_on_commit_callbacks
):
    secretary = scene["lao_clerk"]
    verify(secretary, places.lao)
    newcomer = sign_up_and_confirm(
        client, places.unit, mailoutbox, django_capture_on_commit_callbacks
    )
    role = Role.objects.get(user=newcomer)

    login(client, secretary)
    assert newcomer.email in client.get(reverse("onboarding:memberships")).content.decode()
    response = client.post(reverse("onboarding:membership_approve", args=[role.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("onboarding:memberships")

    role.refresh_from_db()
    assert (role.status, role.decided_by) == ("active", secretary)
    assert role.history.first().history_event == "membership_approved"
    assert role.history.first().history_user == secretary
    login(client, newcomer)
    page = client.get(reverse("onboarding:my")).content.decode()
    for contact in contacts_of(scene):
        assert contact in page


def test_approvers_are_told_once_the_newcomer_has_confirmed_the_address(
    client, scene, places, mailoutbox, django_capture_on_commit_callbacks
):
    verify(scene["lao_clerk"], places.lao)
    sign_up_and_confirm(client, places.unit, mailoutbox, django_capture_on_commit_callbacks)

    told = set(
        Notification.objects.filter(kind=Kind.MEMBERSHIP_REQUEST).values_list(
            "recipient__email", flat=True
        )
    )
    assert told == {
        scene["lao_clerk"].email,  # the LAO's verified permanent secretary
        scene["district_officer"].email,
        scene["province_officer"].email,
    }


def test_an_unconfirmed_sign_up_tells_nobody(client, scene, places, mailoutbox):
    client.post(
        reverse("account_signup"),
        {
            "email": NEWCOMER,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "full_name": "ผู้สมัคร ใหม่",
            "organization": places.unit.pk,
        },
    )
    assert Role.objects.get(user__email=NEWCOMER).status == "pending"
    assert not Notification.objects.filter(kind=Kind.MEMBERSHIP_REQUEST).exists()
    assert not membership.decidable_by(scene["district_officer"]).exists()


def test_a_pending_lao_member_sees_no_colleagues_requests_and_cannot_file_one(
    client, scene, places
):
    VerificationRequest.objects.create(  # a colleague's request, as the LAO's page lists them
        organization=places.lao,
        requester=scene["lao_clerk"],
        full_name="สมศรี ใจดี ผู้ยื่น",
        national_id_hash="9" * 64,
        national_id_last4="0009",
        position="permanent_secretary",
        appointment_order_number="1/2568",
        appointment_date=dt.date(2024, 10, 1),
        consent_at=at("2025-04-09 10:00"),
        created_at=at("2025-04-09 10:00"),
        state="submitted",
        submitted_at=at("2025-04-09 10:00"),
    )
    role = pending(places.lao, position="chief_executive")
    login(client, role.user)

    assert "สมศรี ใจดี ผู้ยื่น" not in client.get(reverse("onboarding:my")).content.decode()
    new_request = reverse("onboarding:request_new", args=[places.lao.pk])
    assert client.get(new_request).status_code == 404


# --- who decides ---------------------------------------------------------------------------------


def test_an_unverified_chief_cannot_approve(client, scene, places):
    role = pending(places.unit)
    chief = scene["lao_clerk"]  # permanent secretary of the LAO, identity not verified
    login(client, chief)

    assert client.get(reverse("onboarding:memberships")).status_code == 403
    response = client.post(reverse("onboarding:membership_approve", args=[role.pk]))
    assert response.status_code == 403
    role.refresh_from_db()
    assert role.status == "pending"


def test_a_chief_verified_for_another_position_than_the_one_held_cannot_approve(
    client, scene, places
):
    chief = scene["lao_clerk"]  # holds the permanent secretary's role
    verify(chief, places.lao, position="finance_director")
    role = pending(places.unit)
    login(client, chief)

    assert client.post(reverse("onboarding:membership_approve", args=[role.pk])).status_code == 403


def test_an_officer_of_another_province_gets_404(client, scene, places):
    role = pending(places.unit)
    login(client, scene["other_province_officer"])

    for name in ("membership_approve", "membership_refuse"):
        response = client.post(reverse(f"onboarding:{name}", args=[role.pk]), {"reason": "x"})
        assert response.status_code == 404
    assert newcomer_email_not_in(client.get(reverse("onboarding:memberships")))
    role.refresh_from_db()
    assert role.status == "pending"


def newcomer_email_not_in(response) -> bool:
    return response.status_code == 200 and NEWCOMER not in response.content.decode()


def test_the_district_officer_approves(client, scene, places):
    role = pending(places.unit)
    officer = scene["district_officer"]
    login(client, officer)

    assert NEWCOMER in client.get(reverse("onboarding:memberships")).content.decode()
    response = client.post(reverse("onboarding:membership_approve", args=[role.pk]))

    assert response.status_code == 302
    role.refresh_from_db()
    assert (role.status, role.decided_by, role.decided_at is not None) == ("active", officer, True)
    forget_roles(role.user)
    assert [r.pk for r in roles_of(role.user)] == [role.pk]


def test_an_officer_refuses_with_a_reason_the_newcomer_reads(client, scene, places):
    role = pending(places.unit)
    login(client, scene["province_officer"])
    url = reverse("onboarding:membership_refuse", args=[role.pk])

    client.post(url, {"reason": "   "})  # no reason: nothing changes
    role.refresh_from_db()
    assert role.status == "pending"
    client.post(url, {"reason": "ไม่พบชื่อในบัญชีเจ้าหน้าที่"})
    role.refresh_from_db()
    assert (role.status, role.decision_reason) == ("refused", "ไม่พบชื่อในบัญชีเจ้าหน้าที่")
    row = role.history.first()
    assert (row.history_event, row.history_data) == (
        "membership_refused",
        {"remarks": "ไม่พบชื่อในบัญชีเจ้าหน้าที่"},
    )

    login(client, role.user)
    page = client.get(reverse("onboarding:my")).content.decode()
    assert "ไม่พบชื่อในบัญชีเจ้าหน้าที่" in page
    assert scene["unit_clerk"].email not in page


def test_an_officer_without_the_second_factor_in_the_session_cannot_approve(client, scene, places):
    role = pending(places.unit)
    client.force_login(scene["district_officer"], backend="elaas_portal.backends.ModelBackend")

    response = client.post(reverse("onboarding:membership_approve", args=[role.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")
    role.refresh_from_db()
    assert role.status == "pending"


def test_nobody_approves_their_own_membership(scene, places):
    verify(scene["lao_clerk"], places.lao)
    role = request_membership(scene["lao_clerk"], places.unit)

    with pytest.raises(PermissionDenied):
        approve_membership(role.pk, actor=scene["lao_clerk"])


# --- two approvers at once -----------------------------------------------------------------------


def test_two_approvals_at_once_give_one(scene, places, monkeypatch):
    """The district officer has passed the permission check when the permanent secretary's
    approval lands: the officer's conditional update then changes nothing and says who acted."""
    secretary, officer = scene["lao_clerk"], scene["district_officer"]
    verify(secretary, places.lao)
    role = pending(places.unit)
    check = membership._check_authority

    def check_then_the_other_approves(actor, role_id):
        check(actor, role_id)
        if actor == officer:
            monkeypatch.setattr(membership, "_check_authority", check)
            approve_membership(role_id, actor=secretary)

    monkeypatch.setattr(membership, "_check_authority", check_then_the_other_approves)
    with pytest.raises(AlreadyDecided) as lost:
        approve_membership(role.pk, actor=officer)

    assert secretary.full_name in lost.value.message
    role.refresh_from_db()
    assert (role.status, role.decided_by) == ("active", secretary)
    assert role.history.filter(history_event="membership_approved").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_approvers_in_two_threads_give_one_result(actors, places):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers")
    role = pending(places.unit)
    barrier = threading.Barrier(2, timeout=10)
    outcomes = {}

    def run(name):
        try:
            barrier.wait()
            approve_membership(role.pk, actor=actors[name])
            outcomes[name] = "ok"
        except AlreadyDecided:
            outcomes[name] = "lost"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(n,)) for n in ("district_officer", "province_officer")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes.values()) == ["lost", "ok"], outcomes
    assert role.history.filter(history_event="membership_approved").count() == 1


# --- expiry --------------------------------------------------------------------------------------


@pytest.fixture
def fixed_clock(monkeypatch):
    def set_to(instant):
        monkeypatch.setattr(clock, "now", lambda: instant)

    return set_to


def test_a_membership_can_still_be_approved_at_23_59_59_of_its_14th_day(scene, places, fixed_clock):
    fixed_clock(at("2025-04-01 10:00"))
    role = pending(places.unit)
    fixed_clock(at("2025-04-15 23:59:59"))

    assert expire_memberships() == 0
    assert role in membership.decidable_by(scene["district_officer"])
    approve_membership(role.pk, actor=scene["district_officer"])
    role.refresh_from_db()
    assert role.status == "active"


def test_a_membership_expires_at_00_00_after_its_14th_day_and_grants_nothing(
    scene, places, fixed_clock
):
    fixed_clock(at("2025-04-01 10:00"))
    role = pending(places.unit)
    fixed_clock(at("2025-04-16 00:00"))

    assert role not in membership.decidable_by(scene["district_officer"])
    with pytest.raises(AlreadyDecided):
        approve_membership(role.pk, actor=scene["district_officer"])
    assert expire_memberships() == 1
    assert expire_memberships() == 0  # idempotent
    role.refresh_from_db()
    assert (role.status, role.decided_at) == ("expired", at("2025-04-16 00:00"))
    row = role.history.first()
    assert (row.history_event, row.history_data) == ("membership_expired", {"days": 14})
    assert roles_of(role.user) == []


def test_the_pending_days_are_a_setting(scene, places, fixed_clock, settings):
    settings.MEMBERSHIP_PENDING_DAYS = 3
    fixed_clock(at("2025-04-01 23:00"))
    role = pending(places.unit)

    assert expire_memberships(now=at("2025-04-04 23:59:59")) == 0
    assert expire_memberships(now=at("2025-04-05 00:00")) == 1
    role.refresh_from_db()
    assert role.status == "expired"


# --- reminders, circulars and the late list count only vetted staff ------------------------------


def test_unconfirmed_and_pending_staff_get_no_reminder_in_the_daily_pass(scene, places):
    waiting_lao = pending(places.lao, "waiting-lao@test.example", position="finance_director")
    waiting_unit = pending(places.unit, "waiting-unit@test.example")
    unconfirmed_lao = make_user(
        "unconfirmed-lao@test.example",
        kind="lao_staff",
        organization=places.lao,
        position="finance_officer",
    )
    unconfirmed_unit = make_user(
        "unconfirmed-unit@test.example", kind="unit_staff", organization=places.unit
    )
    EmailAddress.objects.filter(user__in=[unconfirmed_lao, unconfirmed_unit]).update(verified=False)

    run_pass(dt.date(2025, 4, 5), nudge_workers=False)  # the LAOs' window opens
    run_pass(dt.date(2025, 4, 7), nudge_workers=False)  # 3 days after units may use the system

    reminded = set(
        Notification.objects.filter(kind__in=[Kind.LAO_REMINDER, Kind.UNIT_REMINDER]).values_list(
            "recipient__email", "kind"
        )
    )
    assert (scene["lao_clerk"].email, Kind.LAO_REMINDER) in reminded
    assert (scene["unit_clerk"].email, Kind.UNIT_REMINDER) in reminded
    left_out = {waiting_lao.user.email, waiting_unit.user.email}
    left_out |= {unconfirmed_lao.email, unconfirmed_unit.email}
    assert not {email for email, _kind in reminded} & left_out


def test_unconfirmed_and_pending_staff_are_not_contacts_in_the_late_list_csv(client, scene, places):
    waiting = pending(places.lao, "waiting-lao@test.example", position="finance_director")
    unconfirmed = make_user(
        "unconfirmed-lao@test.example",
        kind="lao_staff",
        organization=places.lao,
        position="finance_officer",
    )
    EmailAddress.objects.filter(user=unconfirmed).update(verified=False)
    login(client, scene["province_officer"])

    response = client.get(reverse("compliance:export", args=["late", "csv"]) + "?province=48")

    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    row = next(line for line in body.splitlines() if places.lao.dla_code in line)
    assert scene["lao_clerk"].email in row and scene["lao_clerk"].phone in row
    assert waiting.user.email not in body and unconfirmed.email not in body


def district_letter_to(places, scene):
    """DLA's letter published, forwarded by Nakhon Phanom, then by the LAO's district (4801): the
    district's letter is delivered to the LAO itself, so its people are the recipients."""
    from circulars.models import Circular
    from circulars.services import publish_circular
    from tests.circulars.test_chain import forward_as_district, forward_as_province

    dla_letter = Circular.objects.get(number_normalized="มท 0808.4/ว 1541")
    publish_circular(dla_letter, actor=scene["dla_officer"])
    province_letter = forward_as_province(dla_letter, scene["province_officer"]).circular
    return forward_as_district(province_letter, scene["district_officer"]).circular


def circular_messages_to(user) -> int:
    return Notification.objects.filter(recipient=user, kind=Kind.CIRCULAR).count()


@pytest.mark.parametrize("who", ["pending member", "unconfirmed address", "deactivated account"])
def test_only_vetted_staff_of_an_lao_get_the_letter_addressed_to_it(scene, places, who):
    """The district's letter reaches the LAO: its vetted clerk is told, and nobody else is."""
    if who == "pending member":
        user = pending(places.lao, "waiting-lao@test.example", position="finance_director").user
    else:
        user = make_user(
            "not-vetted@test.example",
            kind="lao_staff",
            organization=places.lao,
            position="finance_director",
        )
        if who == "unconfirmed address":
            EmailAddress.objects.filter(user=user).update(verified=False)
        else:
            user.is_active = False
            user.save(update_fields=["is_active"])

    letter = district_letter_to(places, scene)

    assert letter.deliveries.filter(organization=places.lao).exists()
    assert circular_messages_to(scene["lao_clerk"]) == 1  # the letter does reach the LAO's people
    assert circular_messages_to(user) == 0


# --- invitations vouch for the invited ------------------------------------------------------------


def test_an_invitation_still_gives_an_active_role_at_once(
    client, scene, places, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite_staff(
            officer=scene["province_officer"],
            organization=places.unit,
            email="invited@test.example",
            position="",
        )
    link = re.search(r"(\S+)(/accounts/invitation/\S+/)", mailoutbox[-1].body)
    assert link.group(1) == settings.PORTAL_URL  # the portal's address, not the request's
    link = re.search(r"\S+(/accounts/invitation/\S+/)", mailoutbox[-1].body)
    client.get(link.group(1))
    response = client.post(
        reverse("account_signup"),
        {
            "email": "invited@test.example",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "full_name": "ผู้ได้รับเชิญ",
            "organization": places.unit.pk,
        },
    )

    assert response.status_code == 302
    role = Role.objects.get(user__email="invited@test.example")
    assert (role.status, role.invited_by) == ("active", scene["province_officer"])
    assert role in Role.objects.vetted()
    assert not Notification.objects.filter(kind=Kind.MEMBERSHIP_REQUEST).exists()


def test_a_membership_of_someone_who_has_not_confirmed_the_address_cannot_be_approved(
    client, scene, places
):
    role = pending(places.unit, confirmed=False)
    with pytest.raises(membership.MembershipError):
        approve_membership(role.pk, actor=scene["district_officer"])
    login(client, scene["district_officer"])
    with translation.override("th"):
        response = client.post(
            reverse("onboarding:membership_approve", args=[role.pk]), follow=True
        )
    assert (
        say_th(
            "Nothing was changed: this person has not confirmed their e-mail address yet. "
            "Approve the membership once they have."
        )
        in response.content.decode()
    )
    role.refresh_from_db()
    assert (role.status, role.decided_by) == ("pending", None)


# --- the member is told (issue 24) ---------------------------------------------------------------


def told_of_decision(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=Kind.MEMBERSHIP_DECISION))


def test_an_approved_member_is_told_once_in_the_inbox_and_by_mail(
    client, scene, places, mailoutbox, settings
):
    from notifications.delivery import deliver_due

    settings.PORTAL_URL = "https://portal.example.go.th"
    role = pending(places.unit)
    login(client, scene["district_officer"])
    client.post(reverse("onboarding:membership_approve", args=[role.pk]))
    client.post(reverse("onboarding:membership_approve", args=[role.pk]))  # a double submit

    [note] = told_of_decision(role.user)
    assert "อนุมัติ" in note.title_th and "ไม่อนุมัติ" not in note.title_th
    assert places.unit.display_name in note.title_th
    assert "https://portal.example.go.th/my/" in note.body_text  # a link a mail client can open
    assert scene["district_officer"].full_name in note.body_text
    assert "หน่วยงานของฉัน" in note.body_text
    assert membership.tell_member(Role.objects.get(pk=role.pk)) == 0  # a retried side effect

    mailoutbox.clear()
    deliver_due()
    [mail] = mailoutbox
    assert mail.to == [NEWCOMER]
    assert "https://portal.example.go.th/my/" in mail.body


def test_a_refused_member_is_told_with_the_reason(client, scene, places):
    role = pending(places.unit)
    login(client, scene["province_officer"])
    client.post(
        reverse("onboarding:membership_refuse", args=[role.pk]),
        {"reason": "ไม่พบชื่อในบัญชีเจ้าหน้าที่"},
    )

    [note] = told_of_decision(role.user)
    assert "ไม่อนุมัติ" in note.title_th and "refused" in note.title_en
    assert "เหตุผล: ไม่พบชื่อในบัญชีเจ้าหน้าที่" in note.body_text
    assert "ไม่พบชื่อในบัญชีเจ้าหน้าที่" in note.body_html


def test_an_expired_or_undecided_membership_tells_the_member_nothing(scene, places):
    role = pending(places.unit)
    assert told_of_decision(role.user) == []
    with pytest.raises(PermissionDenied):
        approve_membership(role.pk, actor=role.user)  # nobody approves their own
    assert told_of_decision(role.user) == []


def test_the_approvers_mail_names_the_menu_as_the_portal_does(
    client, scene, places, mailoutbox, django_capture_on_commit_callbacks
):
    sign_up_and_confirm(client, places.unit, mailoutbox, django_capture_on_commit_callbacks)
    note = Notification.objects.filter(kind=Kind.MEMBERSHIP_REQUEST).first()
    assert say_th("My organisation") in note.body_text
    assert "องค์กรของฉัน" not in note.body_text + note.body_html


def asked_on(role, text: str):
    Role.objects.filter(pk=role.pk).update(requested_at=at(text))
    return Role.objects.get(pk=role.pk)


def test_the_pending_page_warns_when_verification_closes_before_the_membership_expires(
    client, scene, places, portal_clock
):
    portal_clock("2025-04-16T09:00:00+07:00")
    role = asked_on(pending(places.lao, position="finance_officer"), "2025-04-16 08:00")
    # decided until 30 April 23:59:59; the LAO's requests close at the end of 21 April
    assert membership.expires_at(role) == at("2025-05-01 00:00")

    login(client, role.user)
    page = client.get(reverse("onboarding:my")).content.decode()

    assert 'class="verification-closes"' in page
    assert "ภายในวันที่ ๒๑ เมษายน ๒๕๖๘" in page


def test_no_warning_when_the_membership_expires_with_the_window_or_for_a_unit(
    client, scene, places, portal_clock
):
    portal_clock("2025-04-10T09:00:00+07:00")
    lao_role = asked_on(pending(places.lao, position="finance_officer"), "2025-04-07 23:59:59")
    # expires at 22 April 00:00, the very instant the window closes: nothing to warn of
    assert membership.verification_closes_first(lao_role, clock.now()) is None
    one_day_later = asked_on(lao_role, "2025-04-08 00:00")
    closes = membership.verification_closes_first(one_day_later, clock.now())
    assert closes == at("2025-04-22 00:00")

    unit_role = pending(places.unit, "unit-newcomer@test.example")
    assert membership.verification_closes_first(unit_role, clock.now()) is None
    login(client, unit_role.user)
    page = client.get(reverse("onboarding:my")).content.decode()
    assert 'class="verification-closes"' not in page


# --- the position's holder, before the approver decides (issue 24) ------------------------------


def test_the_approver_sees_who_already_holds_the_position_masked_and_since_when(
    client, scene, places
):
    clerk = scene["lao_clerk"]  # สมศรี ใจดี, permanent secretary of the LAO
    Role.objects.filter(user=clerk).update(decided_at=at("2025-04-01 10:00"))
    verify(clerk, places.lao)
    pending(places.lao, position="permanent_secretary")
    login(client, scene["district_officer"])
    html = client.get(reverse("onboarding:memberships")).content.decode()
    assert "ตำแหน่งนี้ของหน่วยงานนี้มีผู้ดำรงตำแหน่งอยู่แล้ว" in html
    assert "สมศรี ใจ***" in html
    assert "ใจดี" not in html  # the family name is not shown (PDPA)
    assert "ตั้งแต่ 1 เม.ย. 2568" in html
    assert "(ยืนยันตัวตนแล้ว)" in html


def test_no_holder_is_shown_for_a_position_nobody_holds_or_a_unit(client, scene, places):
    pending(places.lao, position="finance_director")
    pending(places.unit, "unit-newcomer@test.example")
    login(client, scene["district_officer"])
    html = client.get(reverse("onboarding:memberships")).content.decode()
    assert html.count("<tr>") == 3  # the head and two memberships
    assert "มีผู้ดำรงตำแหน่งอยู่แล้ว" not in html


def test_a_name_is_masked_to_the_given_name_and_the_family_name_s_first_letter():
    assert mask_name("สมศรี ใจดี") == "สมศรี ใจ***"
    assert mask_name("นาย สมชาย มั่นคง") == "นาย สมชาย ม***"
    assert mask_name("Somsri Jaidee") == "Somsri J***"
    assert mask_name("", "somsri@test.example") == "so***@test.example"
    assert mask_name("สมศรี") == "สมศรี"


# --- an invitation: from an officer of the area, for one address, used once, for 14 days ----------


def invite(officer, org, email="invited@test.example", position=""):
    """Invite through the service; the link's token, read from the mail it sends."""
    from django.core import mail

    before = len(mail.outbox)
    with _on_commit():
        invitation = invite_staff(officer=officer, organization=org, email=email, position=position)
    assert len(mail.outbox) == before + 1 and mail.outbox[-1].to == [invitation.email]
    token = re.search(r"/accounts/invitation/([^\s/]+)/", mail.outbox[-1].body).group(1)
    return invitation, token


class _on_commit:
    """Run the block's on-commit callbacks at its end (the test's transaction never commits)."""

    def __enter__(self):
        from django.db import connection

        self.start = len(connection.run_on_commit)

    def __exit__(self, *exc):
        from django.db import connection

        callbacks = connection.run_on_commit[self.start :]
        del connection.run_on_commit[self.start :]
        if exc[0] is None:
            for _sids, callback, _robust in callbacks:
                callback()


def test_an_invitation_is_for_the_address_given_lowercased_with_a_position_only_for_an_lao(
    scene, places
):
    from accounts.services import INVITATION_DAYS

    invitation, _token = invite(
        scene["district_officer"], places.lao, "  Invited@Test.Example ", "finance_director"
    )
    unit_invitation, _ = invite(
        scene["district_officer"], places.unit, "unit@test.example", "finance_director"
    )

    assert invitation.email == "invited@test.example"
    assert (invitation.position, unit_invitation.position) == ("finance_director", "")
    assert invitation.invited_by == scene["district_officer"]
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=INVITATION_DAYS)
    assert clock.now() - invitation.created_at < dt.timedelta(minutes=1)


def test_an_officer_invites_only_staff_of_organisations_in_their_area(scene, places):
    from accounts.models import Invitation

    for who, org in (
        ("other_province_officer", places.lao),  # Chiang Mai's officer, a Nakhon Phanom SAO
        ("other_district_officer", places.lao),  # district 4802's officer, an SAO of 4801
        ("lao_clerk", places.lao),  # staff, not an officer, of that very LAO
    ):
        with pytest.raises(PermissionDenied):
            invite_staff(
                officer=scene[who], organization=org, email="x@test.example", position="clerk"
            )
    assert not Invitation.objects.exists()


def test_an_lao_invitation_without_a_position_or_to_someone_already_there_is_refused(scene, places):
    from accounts.models import Invitation
    from accounts.services import InvitationError

    with pytest.raises(InvitationError) as refused:
        invite_staff(
            officer=scene["district_officer"],
            organization=places.lao,
            email="a@test.example",
            position="",
        )
    assert str(refused.value) == say_th("Choose the position of the LAO staff member you invite.")
    with pytest.raises(InvitationError) as refused:
        invite_staff(
            officer=scene["district_officer"],
            organization=places.lao,
            email=scene["lao_clerk"].email.upper(),
            position="clerk",
        )
    assert str(refused.value) == say_th(
        "%(email)s already has an account with this organisation."
    ) % {"email": scene["lao_clerk"].email}
    assert not Invitation.objects.exists()


def test_a_second_invitation_to_an_address_not_yet_answered_is_refused(scene, places):
    from accounts.models import Invitation
    from accounts.services import InvitationError

    invite(scene["district_officer"], places.unit)
    with pytest.raises(InvitationError) as refused:
        invite_staff(
            officer=scene["province_officer"],
            organization=places.unit,
            email="INVITED@test.example",
            position="",
        )
    assert str(refused.value) == say_th(
        "%(email)s has already been invited to this organisation and has not answered yet."
    ) % {"email": "invited@test.example"}
    assert Invitation.objects.count() == 1


def test_an_invitation_link_opens_until_its_14th_day_ends_and_not_after(
    client, scene, places, portal_clock
):
    from accounts.services import find_invitation

    invitation, token = invite(scene["district_officer"], places.unit)
    assert invitation.expires_at.astimezone(BANGKOK).date() == dt.date(2025, 4, 24)
    portal_clock((invitation.expires_at - dt.timedelta(seconds=1)).isoformat())
    assert find_invitation(token) == invitation
    assert client.get(f"/accounts/invitation/{token}/").status_code == 302
    client.logout()
    portal_clock(invitation.expires_at.isoformat())
    assert find_invitation(token) is None
    assert client.get(f"/accounts/invitation/{token}/").status_code == 404
    assert find_invitation(token[:-1]) is None and find_invitation("") is None


def test_an_invitation_is_used_once_and_gives_the_role_of_its_organisation(scene, places):
    from accounts.services import InvitationError, accept_invitation, find_invitation

    lao_invitation, lao_token = invite(
        scene["district_officer"], places.lao, "lao@test.example", "finance_director"
    )
    unit_invitation, _ = invite(scene["district_officer"], places.unit, "unit@test.example")
    lao_user = make_user("lao@test.example", "ผู้ได้รับเชิญ หนึ่ง")
    unit_user = make_user("unit@test.example", "ผู้ได้รับเชิญ สอง")

    lao_role = accept_invitation(lao_invitation, lao_user)
    unit_role = accept_invitation(unit_invitation, unit_user)

    assert (lao_role.kind, lao_role.position, lao_role.status) == (
        "lao_staff",
        "finance_director",
        "active",
    )
    assert (unit_role.kind, unit_role.position) == ("unit_staff", "")
    assert lao_role.invited_by == scene["district_officer"]
    lao_invitation.refresh_from_db()
    assert lao_invitation.accepted_by == lao_user
    assert clock.now() - lao_invitation.accepted_at < dt.timedelta(minutes=1)
    assert find_invitation(lao_token) is None
    with pytest.raises(InvitationError) as refused:
        accept_invitation(lao_invitation, make_user("third@test.example"))
    assert str(refused.value) == say_th("This invitation has already been used.")
    assert (
        Role.objects.filter(organization=places.lao, user__email="third@test.example").count() == 0
    )


def test_a_membership_request_is_pending_with_a_position_only_for_an_lao(scene, places):
    lao_role = pending(places.lao, "a@test.example", position="finance_director")
    unit_role = pending(places.unit, "b@test.example", position="finance_director")

    assert (lao_role.kind, lao_role.position, lao_role.status) == (
        "lao_staff",
        "finance_director",
        "pending",
    )
    assert (unit_role.kind, unit_role.position, unit_role.status) == ("unit_staff", "", "pending")
    assert clock.now() - lao_role.requested_at < dt.timedelta(minutes=1)
    assert lao_role.history.latest().history_user == lao_role.user
