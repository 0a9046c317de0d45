"""Query counts of the compliance pages, pinned: the same on a few LAOs as on 300.

Every number comes from a fixed set of grouped queries (compliance/stats.py); a page that ran a
query per province, district, LAO or row would show here as a count that grows with the data.
The numbers are computed on every request (COMPLIANCE_CACHE_SECONDS = 0) and the portal clock and
the policy are read afresh each time (their caches at 0 too), so the counts do not depend on timing.
"""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from onboarding.models import VerificationRequest
from registry.models import District, Organization, Province
from tests.actors import login, make_user

from .support import KIND_DIGIT, bangkok

NOW = "2025-04-10T09:00:00+07:00"
KINDS = ["SAO", "SUBDISTRICT_MUNI", "TOWN_MUNI", "SAO", "CITY_MUNI"]
# What each LAO has, in turn: nothing, a draft, a request waiting, one returned, one rejected, one
# approved (one position of two), one withdrawn; or it is verified.
STATES = [None, "draft", "submitted", "returned", "rejected", "approved", "withdrawn", "verified"]
SMALL = {"provinces": ["48"], "districts": 1, "laos": 3}
LARGE = {"provinces": ["48", "50", "30"], "districts": 5, "laos": 20}  # 300 LAOs, 600 units


def populate(provinces, districts, laos, first=0):
    """Provinces × districts × LAOs, in bulk: requests in every state, two units per LAO (one
    logged in), a staff member (with a phone) for every other LAO."""
    now = bangkok("2025-04-10 09:00")
    requester = User.objects.filter(
        email="requester@test.example"
    ).first() or User.objects.create_user(email="requester@test.example", password=None)
    orgs = []
    for p in provinces:
        province, _ = Province.objects.get_or_create(code=p, defaults={"name_th": f"จังหวัด{p}"})
        for d in range(1, districts + 1):
            district, _ = District.objects.get_or_create(
                code=f"{p}{d:02d}", defaults={"province": province, "name_th": f"อำเภอ{p}{d:02d}"}
            )
            for n in range(first, first + laos):
                kind = KINDS[n % len(KINDS)]
                orgs.append(
                    Organization(
                        kind=kind,
                        dla_code=f"{KIND_DIGIT[kind]}{district.code}{n:02d}",
                        name_th=f"ทดสอบ{n}",
                        district=district,
                        identity_verified_at=now - dt.timedelta(days=1 + n % 4)
                        if STATES[n % len(STATES)] == "verified"
                        else None,
                    )
                )
    orgs = Organization.objects.bulk_create(orgs)
    orgs = list(Organization.objects.filter(dla_code__in=[o.dla_code for o in orgs]).order_by("id"))
    requests, units, users = [], [], []
    for i, org in enumerate(orgs):
        state = STATES[i % len(STATES)]
        if state not in (None, "verified"):
            at = now - dt.timedelta(days=i % 9, hours=1)
            requests.append(
                VerificationRequest(
                    organization=org,
                    requester=requester,
                    full_name="ผู้ยื่น",
                    national_id_hash=f"{org.pk:064d}",
                    national_id_last4="0001",
                    position="permanent_secretary",
                    appointment_order_number="1/2568",
                    appointment_date=dt.date(2024, 10, 1),
                    consent_at=at,
                    state=state,
                    created_at=at,
                    submitted_at=None if state == "draft" else at,
                    decided_at=at + dt.timedelta(minutes=5)
                    if state in ("approved", "returned", "rejected")
                    else None,
                )
            )
        for logged_in in (True, False):
            units.append(
                Organization(
                    kind="SCHOOL",
                    name_th=f"โรงเรียน{i}",
                    district=org.district,
                    parent=org,
                    first_login_at=now - dt.timedelta(days=2) if logged_in else None,
                )
            )
        if i % 2:
            users.append(
                User(
                    email=f"staff-{org.dla_code}@test.example",
                    full_name=f"เจ้าหน้าที่ {i}",
                    phone="042-000-000",
                )
            )
    VerificationRequest.objects.bulk_create(requests)
    Organization.objects.bulk_create(units)
    users = User.objects.bulk_create(users)
    EmailAddress.objects.bulk_create(  # staff with a confirmed address: the late list shows them
        EmailAddress(user=u, email=u.email, verified=True, primary=True)
        for u in User.objects.filter(pk__in=[u.pk for u in users])
    )
    by_code = {o.dla_code: o for o in orgs}
    Role.objects.bulk_create(
        Role(
            user=u,
            kind="lao_staff",
            organization=by_code[u.email.split("-")[1].split("@")[0]],
            position="finance_director",
        )
        for u in User.objects.filter(pk__in=[u.pk for u in users])
    )
    return orgs


@pytest.fixture
def officers(db, settings, circulars, portal_clock):
    settings.COMPLIANCE_CACHE_SECONDS = 0
    settings.CLOCK_CACHE_SECONDS = 0
    portal_clock(NOW)
    province, _ = Province.objects.get_or_create(code="48", defaults={"name_th": "นครพนม"})
    district, _ = District.objects.get_or_create(
        code="4801", defaults={"province": province, "name_th": "เมืองนครพนม"}
    )
    return {
        "dla_officer": make_user("dla@test.example", kind="dla_officer"),
        "province_officer": make_user(
            "province@test.example", kind="province_officer", province=province
        ),
        "district_officer": make_user(
            "district@test.example", kind="district_officer", district=district
        ),
    }


# (who asks, the URL)
PAGES = {
    "country": ("dla_officer", "/compliance/country/"),
    "province": ("province_officer", "/compliance/province/48/"),
    "district": ("district_officer", "/compliance/district/4801/"),
    "lao": ("district_officer", "/compliance/lao/6480100/"),
    "late": ("province_officer", "/compliance/late/?province=48"),
    "late filtered": (
        "province_officer",
        "/compliance/late/?province=48&in_district=4801&kind=SAO&age=1&order=activity",
    ),
    "late of the country": ("dla_officer", "/compliance/late/"),
    "api": ("province_officer", "/api/compliance?province=48"),
    "api district": ("district_officer", "/api/compliance?province=48&district=4801"),
    "api country": ("dla_officer", "/api/compliance"),
    "summary.csv": ("province_officer", "/compliance/export/summary.csv?province=48"),
    "summary.xlsx": ("dla_officer", "/compliance/export/summary.xlsx"),
    "late.csv": ("province_officer", "/compliance/export/late.csv?province=48"),
    "late.xlsx": ("district_officer", "/compliance/export/late.xlsx"),
}
# The pinned counts, the same for both data sets. Every page reads, fresh: the session (Django's
# database store), the user with their authenticator, their roles and the inbox badge (one query,
# accounts/backends.py), and the province or district named in the URL (one); nothing about who
# may do what is cached. Then the clock (read here because the test sets it; never in production),
# and on a dashboard the LAOs by state, the units, the children, the oldest request waiting, the
# policy (twice: the window and the per-day series), verified per day, reminders, circulars by
# level (three). Where LAOs are listed one a row (a district's dashboard and API, an LAO's page,
# the late lists and files), one more: their requests, for the state of each required position
# (issue 12; on the late lists and files those states are computed in SQL, in that one query,
# issue 23).
# While the demo clock is set (as here; never in production) every HTML page also reads the rules
# once more, for the banner that says whether the window is open.
# A page with an ETag (compliance/etags.py; not the late list filtered by days) reads the data
# version's counters (one), and, as the first request to see the rules' counters in this process,
# the rules again (maintenance.snapshot.forget: in production once per change of rules); under
# the demo clock (here) the clock's row once more for each of the version's and the tag's parts.
QUERIES = {
    "country": 24,
    "province": 25,
    "district": 26,
    "lao": 17,
    "late": 16,
    "late filtered": 12,
    "late of the country": 14,
    "api": 15,
    "api district": 16,
    "api country": 14,
    "summary.csv": 16,
    "summary.xlsx": 15,
    "late.csv": 8,
    "late.xlsx": 8,
}


def count_queries(client, officers, page) -> int:
    actor, url = PAGES[page]
    login(client, officers[actor])
    assert client.get(url).status_code == 200  # warm up: the session, per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("size", ["small", "large"])
@pytest.mark.parametrize("page", list(PAGES))
def test_each_compliance_page_makes_its_pinned_number_of_queries(client, officers, page, size):
    populate(**(SMALL if size == "small" else LARGE))
    actor, url = PAGES[page]
    login(client, officers[actor])
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries) == QUERIES[page], "\n".join(
        q["sql"][:160] for q in queries.captured_queries
    )


@pytest.mark.parametrize("page", list(PAGES))
def test_the_query_count_does_not_grow_with_the_number_of_laos(client, officers, page):
    populate(**SMALL)
    small = count_queries(client, officers, page)
    populate(provinces=["50", "30", "10"], districts=5, laos=20)
    populate(provinces=["48"], districts=5, laos=20, first=10)  # 4801 already holds LAOs 00–02
    assert Organization.objects.laos().count() > 300
    assert count_queries(client, officers, page) == small
