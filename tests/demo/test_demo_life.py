"""`make run`'s demo (issue 12, item 9): the clock inside the window, said on every page, and one
province with life (demo/life.py, command prepare_demo), never in production."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from compliance import stats
from core import clock
from core.thai import BANGKOK
from demo.accounts import DOMAIN, MARK
from demo.demo_accounts import create_demo_accounts, demo_places
from demo.life import DEMO_INSTANT, prepare_demo
from notifications.models import Notification
from onboarding.models import VerificationRequest
from onboarding.services import position_status
from registry.models import Organization
from tests.demo.test_generate_dataset import registry  # noqa: F401 - the fixture
from tests.html import without_keep_spans

History = VerificationRequest.history.model


@pytest.fixture
def demo(registry):  # noqa: F811
    create_demo_accounts()
    return demo_places()


def test_make_run_leaves_the_clock_inside_the_window_and_nakhon_phanom_with_life(demo):
    out = StringIO()
    call_command("prepare_demo", stdout=out)

    assert clock.is_set()
    assert DEMO_INSTANT <= clock.now() < DEMO_INSTANT + dt.timedelta(minutes=1)
    assert "Demo clock set to 16 Apr 2025 10:00" in out.getvalue()
    laos = Organization.objects.laos().filter(district__province__code="48")
    states = dict(
        stats.with_state(laos, clock.now()).values_list("state").annotate(n=Count("id")).order_by()
    )
    assert {"verified", "submitted", "returned", "not_started"} <= set(states), states
    assert sum(states.values()) == laos.count()
    # In progress: some required position approved, the LAO not yet verified.
    in_progress = [
        org
        for org in laos.filter(identity_verified_at__isnull=True)
        if any(row["done"] for row in position_status(org))
    ]
    assert in_progress
    units = Organization.objects.units().filter(parent__in=laos, is_generated=True)
    assert 0 < units.filter(first_login_at__isnull=False).count() < units.count()
    # Only Nakhon Phanom; the demo accounts' LAOs are left for a person to try.
    requests = VerificationRequest.objects.all()
    assert requests.exists()
    assert not requests.exclude(organization__district__province__code="48").exists()
    assert not requests.filter(organization__in=[demo["lao"], demo["lao2"]]).exists()
    # Marked as generated, and nothing after the demo instant.
    assert all(r.full_name.endswith(MARK) for r in requests)
    emails = requests.values_list("requester__email", flat=True)
    assert all(e.endswith(f"@{DOMAIN}") for e in emails)
    assert not History.objects.filter(history_date__gte=DEMO_INSTANT).exists()
    assert not requests.filter(decided_at__gte=DEMO_INSTANT).exists()
    assert not units.filter(first_login_at__gte=DEMO_INSTANT).exists()
    assert not laos.filter(identity_verified_at__gte=DEMO_INSTANT).exists()
    notes = Notification.objects.all()
    assert notes.exists()
    assert not notes.filter(created_at__gte=DEMO_INSTANT).exists()
    assert not notes.filter(sent_at__gte=DEMO_INSTANT).exists()
    assert not notes.filter(read_at__gte=DEMO_INSTANT).exists()


def test_a_second_run_builds_nothing_and_puts_a_run_out_clock_back(demo):
    prepare_demo()
    counts = [m.objects.count() for m in (VerificationRequest, User, Notification)]

    clock.set_clock(dt.datetime(2025, 4, 18, 9, 0, tzinfo=BANGKOK))  # inside: left alone
    again = prepare_demo()
    assert not again.clock_set and again.data is None and again.existing_requests == counts[0]
    assert clock.now() > dt.datetime(2025, 4, 18, 9, 0, tzinfo=BANGKOK)

    for outside in ("2025-04-22T00:00:00+07:00", "2025-04-16T09:59:59+07:00"):
        clock.set_clock(dt.datetime.fromisoformat(outside))
        assert prepare_demo().clock_set
        assert DEMO_INSTANT <= clock.now() < DEMO_INSTANT + dt.timedelta(minutes=1)
    assert [m.objects.count() for m in (VerificationRequest, User, Notification)] == counts


def test_never_in_production(demo, settings):
    settings.DEMO_FEATURES = False
    with pytest.raises(PermissionDenied):
        prepare_demo()
    out = StringIO()
    call_command("prepare_demo", stdout=out)
    assert "production" in out.getvalue()
    assert not VerificationRequest.objects.exists()
    settings.DEMO_FEATURES = True
    assert not clock.is_set()


@pytest.mark.parametrize(
    "at, says",
    [
        ("2025-04-04T23:59:59+07:00", "not open"),
        ("2025-04-05T00:00:00+07:00", "open: file by 21 April 2025"),
        ("2025-04-21T23:59:59+07:00", "open: file by 21 April 2025"),
        ("2025-04-22T00:00:00+07:00", "not open"),
    ],
)
def test_every_page_says_where_the_demo_clock_stands(client, circulars, monkeypatch, at, says):
    # The demo clock runs on from the instant set: stop the real time so that 23:59:59 stays it.
    stopped = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: stopped)
    clock.set_clock(dt.datetime.fromisoformat(at))
    client.cookies["django_language"] = "en"
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Demo clock" in page
    assert f"The identity verification window for LAOs is {says}" in page


def test_the_banner_in_thai(client, circulars):
    clock.set_clock(dt.datetime(2025, 4, 16, 10, 0, tzinfo=BANGKOK))
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="th").content.decode()
    page = without_keep_spans(page)  # terms kept on one line: <span class="keep">
    assert "ขณะนี้อยู่ในช่วงที่ อปท. ยื่นคำขอยืนยันตัวตนได้ ยื่นภายในวันที่ ๒๑ เมษายน ๒๕๖๘" in page
