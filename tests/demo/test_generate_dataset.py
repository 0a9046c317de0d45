"""The national data set for measurement (generate_national_dataset) on a small registry: counts,
the LAOs' states as the dashboards compute them, the requests' histories, units' logins and the
month of notifications; the same seed gives the same data; a second run and production refuse."""

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count

from accounts.models import Role, User
from compliance import stats
from core.thai import BANGKOK
from demo.accounts import DOMAIN, MARK
from demo.dataset import (
    FIRST_DAY,
    LAST_DAY,
    NOTIFICATION_DAYS,
    UNITS_OPEN,
    DatasetExists,
    generate_dataset,
)
from notifications.models import Notification
from onboarding.models import VerificationRequest
from onboarding.services import position_status
from registry.models import District, Organization, Province

KINDS = ["SAO", "SAO", "SUBDISTRICT_MUNI", "SAO", "TOWN_MUNI", "SAO", "CITY_MUNI", "SAO"]
DIGIT = {"PAO": "2", "CITY_MUNI": "3", "TOWN_MUNI": "4", "SUBDISTRICT_MUNI": "5", "SAO": "6"}
LAOS_PER_DISTRICT = 8
PLACES = {"48": ["4801", "4802", "4803"], "50": ["5001", "5002"]}  # Nakhon Phanom, Chiang Mai
LAOS = LAOS_PER_DISTRICT * sum(map(len, PLACES.values())) + len(PLACES)  # and a PAO per province
History = VerificationRequest.history.model


@pytest.fixture
def registry(circulars):
    """Two provinces, five districts, 42 LAOs (a PAO per province), with the circulars loaded."""
    for pcode, districts in PLACES.items():
        province, _ = Province.objects.get_or_create(
            code=pcode, defaults={"name_th": f"จังหวัด{pcode}"}
        )
        for dcode in districts:
            district = District.objects.create(
                code=dcode, province=province, name_th=f"อำเภอ{dcode}"
            )
            for n, kind in enumerate(KINDS, start=1):
                Organization.objects.create(
                    kind=kind,
                    dla_code=f"{DIGIT[kind]}{dcode}{n:02d}",
                    name_th=f"ทดสอบ{dcode}{n}",
                    district=district,
                )
        Organization.objects.create(
            kind="PAO", dla_code=f"2{pcode}0000", name_th=f"จังหวัด{pcode}", district=district
        )
    assert Organization.objects.laos().count() == LAOS


def bangkok_day(at: dt.datetime) -> dt.date:
    return at.astimezone(BANGKOK).date()


def test_it_builds_units_accounts_requests_and_notifications(registry):
    result = generate_dataset()

    assert result.laos == LAOS
    assert (
        result.units_created
        == result.units
        == Organization.objects.units().filter(is_generated=True).count()
        > LAOS
    )
    assert (
        User.objects.filter(email__endswith=f"@{DOMAIN}").count()
        == result.accounts_created
        == 3 * LAOS + 5 + 2 + 1
    )
    assert sum(result.lao_states.values()) == LAOS
    requests = VerificationRequest.objects.all()
    assert requests.count() == sum(result.requests.values())
    assert 1.5 * LAOS < requests.count() < 5 * LAOS  # about 25,000 for the 7,849 LAOs
    assert dict(Counter(requests.values_list("state", flat=True))) == dict(result.requests)
    assert History.objects.count() == result.request_history
    assert Notification.objects.count() == sum(result.notifications.values()) > 0
    assert {"units", "accounts", "requests", "units_logins", "notifications"} <= set(result.seconds)


def test_the_states_are_the_ones_the_dashboards_count(registry):
    result = generate_dataset()

    at = dt.datetime(2025, 4, 22, tzinfo=BANGKOK)  # the window is over
    counted = dict(
        stats.with_state(Organization.objects.laos(), at)
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert counted == dict(result.lao_states)
    assert len(counted) >= 4  # a mix, not one state
    assert 0.35 <= counted["verified"] / LAOS <= 0.85  # about 60% nationally

    for org in Organization.objects.laos():
        covered = all(row["done"] for row in position_status(org))
        assert covered == (org.identity_verified_at is not None), org.dla_code
        if org.identity_verified_at:
            # Verified at the approval covering the last required position, with its history row.
            required = [row["request"] for row in position_status(org)]
            assert org.identity_verified_at == max(r.decided_at for r in required)
            row = org.history.get(history_type="~", identity_verified_at__isnull=False)
            assert row.history_date == org.identity_verified_at
            assert row.history_user_id in {r.decided_by_id for r in required}
    assert Organization.history.filter(history_type="~").count() == counted["verified"]


def test_every_request_has_its_history_by_its_people_within_the_window(registry):
    generate_dataset()

    staff = dict(Role.objects.filter(kind="lao_staff").values_list("user_id", "organization_id"))
    reviewers = set(
        Role.objects.filter(kind__in=["province_officer", "dla_officer"]).values_list(
            "user_id", flat=True
        )
    )
    first, last = FIRST_DAY, LAST_DAY
    for vr in VerificationRequest.objects.all():
        assert staff[vr.requester_id] == vr.organization_id
        assert vr.full_name.endswith(MARK)
        assert len(vr.national_id_hash) == 64 and vr.national_id_last4.isdigit()
        rows = list(History.objects.filter(id=vr.pk).order_by("history_date", "history_id"))
        assert [r.history_type for r in rows] == ["+"] + ["~"] * (len(rows) - 1)
        assert [r.version for r in rows] == list(range(1, len(rows) + 1))
        assert rows[-1].version == vr.version
        assert rows[-1].state == vr.state
        assert rows[0].state in ("draft", "submitted") and rows[0].history_date == vr.created_at
        for row in rows:
            assert first <= bangkok_day(row.history_date) <= last
            assert row.history_event
            if (
                row.state in ("approved", "returned", "rejected")
                and row.decided_at == row.history_date
            ):
                assert row.history_user_id == row.decided_by_id and row.history_user_id in reviewers
            else:
                assert row.history_user_id == vr.requester_id
        if vr.state in ("approved", "returned", "rejected"):
            assert vr.decided_by_id in reviewers and vr.decided_at >= vr.submitted_at
    # Everyone has one open request at most per LAO (the database's own rule holds as well).
    open_ = (
        VerificationRequest.objects.open()
        .values("requester", "organization")
        .annotate(n=Count("id"))
    )
    assert max(row["n"] for row in open_) == 1


def test_units_log_in_and_notifications_follow_the_ladder(registry):
    result = generate_dataset()

    logged_in = Organization.objects.units().filter(first_login_at__isnull=False)
    assert logged_in.count() == result.units_logged_in > 0
    assert all(UNITS_OPEN <= bangkok_day(u.first_login_at) <= LAST_DAY for u in logged_in)

    notes = Notification.objects.all()
    generated = set(User.objects.filter(email__endswith=f"@{DOMAIN}").values_list("id", flat=True))
    assert set(notes.values_list("recipient_id", flat=True)) <= generated
    assert {"lao_reminder", "district_digest", "province_summary", "dla_summary"} <= set(
        notes.values_list("kind", flat=True)
    )
    assert {"sent", "failed"} <= set(notes.values_list("status", flat=True))
    first = LAST_DAY - dt.timedelta(days=NOTIFICATION_DAYS - 1)
    periods = {dt.date.fromisoformat(p) for p in notes.values_list("period", flat=True)}
    assert first <= min(periods) and max(periods) == LAST_DAY
    keys = list(notes.values_list("recipient_id", "kind", "subject_key", "period"))
    assert len(keys) == len(set(keys))
    assert all(n.title_th.endswith(MARK) for n in notes)
    # A reminder goes only to the staff of an LAO not verified by the end of its day.
    for n in notes.filter(kind="lao_reminder"):
        org = Organization.objects.get(pk=int(n.subject_key.split(":")[1]))
        day = dt.date.fromisoformat(n.period)
        assert org.identity_verified_at is None or bangkok_day(org.identity_verified_at) > day
    for n in notes.filter(status="sent"):
        assert n.sent_at and n.sent_at >= n.created_at


def fingerprint():
    return (
        sorted(
            VerificationRequest.objects.values_list(
                "organization__dla_code",
                "requester__email",
                "state",
                "created_at",
                "decided_at",
                "national_id_hash",
            )
        ),
        sorted(Organization.objects.laos().values_list("dla_code", "identity_verified_at")),
        sorted(Notification.objects.values_list("recipient__email", "kind", "period", "status")),
        sorted(
            Organization.objects.units().values_list(
                "parent__dla_code", "name_th", "first_login_at"
            )
        ),
    )


def test_the_same_seed_gives_the_same_data(registry):
    with transaction.atomic():
        generate_dataset(seed=7)
        first = fingerprint()
        transaction.set_rollback(True)
    assert not VerificationRequest.objects.exists()

    generate_dataset(seed=7)
    assert fingerprint() == first


def test_a_second_run_refuses_and_adds_nothing(registry):
    out = StringIO()
    call_command("generate_national_dataset", stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "verification requests:" in text and "notifications:" in text and "seconds:" in text
    counts = (
        VerificationRequest.objects.count(),
        History.objects.count(),
        Notification.objects.count(),
    )

    with pytest.raises(DatasetExists, match="already here"):
        generate_dataset()
    with pytest.raises(CommandError, match="already here"):
        call_command("generate_national_dataset", stdout=StringIO(), stderr=StringIO())
    assert (
        VerificationRequest.objects.count(),
        History.objects.count(),
        Notification.objects.count(),
    ) == counts


def test_production_refuses(registry, settings):
    settings.DEMO_FEATURES = False

    with pytest.raises(CommandError, match="production"):
        call_command("generate_national_dataset", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(PermissionDenied):
        generate_dataset()
    assert not VerificationRequest.objects.exists()
    assert not User.objects.filter(email__endswith=f"@{DOMAIN}").exists()
    assert not Organization.objects.units().exists()


def test_without_a_registry_it_says_what_to_load(db):
    with pytest.raises(CommandError, match="load_registry"):
        call_command("generate_national_dataset", stdout=StringIO(), stderr=StringIO())
