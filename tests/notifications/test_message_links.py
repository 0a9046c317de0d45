"""Every link in mail and in the inbox is absolute and opens the page it names (issue 22, item 3).

Each kind of message is written by the code that writes it in the portal (the daily pass, a
decision, a circular's publication, a sign-up, an officer's invitation), never rendered from a
context made up here; then every link of its text and HTML must start with PORTAL_URL (the
server that sent it: the test client's) and open for its recipient: 200, or a redirect to log
in or to the second factor, never 404. A kind added without a case here fails the first test.
"""

import datetime as dt
import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import RoleKind
from accounts.services import request_membership
from circulars.services import publish_circular
from notifications.models import Kind, Notification
from notifications.reminders import run_pass
from onboarding import officers, services
from onboarding.membership import notify_approvers, refuse_membership
from tests.actors import login, make_user
from tests.onboarding.test_verification_services import file_as

PORTAL = "http://testserver"
LINK = re.compile(r"https?://[^\s\"'<>)]+")
RELATIVE_HREF = re.compile(r"href=\"(?!https?://)([^\"]*)\"")


@pytest.fixture
def every_kind(settings, actors, places, circulars, ladder, portal_clock):
    """One or more messages of every kind, written by the portal's own code."""
    settings.PORTAL_URL = PORTAL
    portal_clock("2025-04-10T09:00:00+07:00")
    # A decision (returned for correction) and, on the ladder's day, the returned reminder.
    vr = file_as(actors["lao_clerk"], "permanent_secretary", places, "110170020345")
    services.return_request(
        vr.pk, actor=actors["province_officer"], expected_version=vr.version, remarks="แก้ไข"
    )
    run_pass(dt.date(2025, 4, 14), nudge_workers=False)  # 7 days before the last day: returned
    run_pass(dt.date(2025, 4, 18), nudge_workers=False)  # reminders, digests, summaries
    run_pass(dt.date(2025, 4, 7), nudge_workers=False)  # the units' reminder
    publish_circular(circulars["dla"], actor=actors["dla_officer"])
    newcomer = make_user("newcomer@test.example", "ผู้สมัคร ใหม่")
    request_membership(newcomer, places.lao, "finance_director")
    notify_approvers(user_id=newcomer.pk)
    refused = make_user("refused@test.example", "ผู้สมัคร อีกคน")
    role = request_membership(refused, places.lao, "finance_officer")
    refuse_membership(role.pk, actor=actors["district_officer"], reason="ไม่พบชื่อ")
    officers.place_officer(
        full_name="เจ้าหน้าที่ ใหม่", email="new-officer@dla.go.th", kind=RoleKind.DLA_OFFICER
    )
    return Notification.objects.select_related("recipient")


def links_of(note: Notification) -> list[str]:
    return LINK.findall(note.body_text) + LINK.findall(note.body_html)


def test_every_kind_of_message_is_written_and_carries_a_link(every_kind):
    kinds = set(every_kind.values_list("kind", flat=True))
    assert kinds == set(Kind.values), f"no case for {set(Kind.values) - kinds}"
    for note in every_kind:
        assert links_of(note), f"{note.kind} has no link"


def test_every_link_is_absolute_on_the_portals_address(every_kind):
    for note in every_kind:
        assert not RELATIVE_HREF.search(note.body_html), note.kind
        for link in links_of(note):
            assert link.startswith(f"{PORTAL}/"), (note.kind, link)
        # No bare path either, e.g. "In the portal: /my/memberships/".
        assert not re.search(r"(?:ในระบบ|In the portal):\s*/", note.body_text), note.kind


def test_every_link_opens_its_page_for_its_recipient(client, every_kind):
    seen = 0
    for note in every_kind.order_by("kind", "id"):
        recipient = note.recipient
        for link in set(links_of(note)):
            path = link.removeprefix(PORTAL)
            client.logout()
            anonymous = client.get(path)
            assert anonymous.status_code in (200, 302), (note.kind, path, anonymous.status_code)
            if anonymous.status_code == 302:
                assert anonymous["Location"].startswith(reverse("account_login")), path
            if recipient.has_usable_password():
                login(client, recipient)
                answer = client.get(path)
                assert answer.status_code == 200, (note.kind, path, answer.status_code)
            seen += 1
    assert seen >= len(Kind.values)


def test_the_invitation_link_opens_the_set_password_page(client, every_kind):
    note = every_kind.get(kind=Kind.OFFICER_INVITATION)
    [link] = set(links_of(note))
    page = client.get(link.removeprefix(PORTAL))
    assert page.status_code == 200
    assert EmailAddress.objects.get(email="new-officer@dla.go.th").verified is False
