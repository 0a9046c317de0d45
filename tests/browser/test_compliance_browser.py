"""The compliance dashboard end to end on a phone-sized Chromium, over the real national registry.

A provincial officer of Nakhon Phanom (password and TOTP) opens /compliance/, lands on the
province's dashboard (104 LAOs in 12 districts), drills into one district, opens its "who is
late" list and downloads it as CSV: the file holds exactly the LAOs the page lists, never the
one LAO of the district whose identity is verified.

Selectors are by id, name and href, not by text, so that the translations may change freely.
"""

import csv
import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.national_id import with_check_digit
from core.thai import to_arabic_digits
from tests.actors import make_user
from tests.browser.login import log_in
from tests.conftest import require_registry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PROVINCE = "48"  # Nakhon Phanom: 104 LAOs in 12 districts in the registry
DISTRICT = "4802"  # Pla Pak: 9 LAOs
OTHER_DISTRICT = "4801"  # Mueang Nakhon Phanom: one waiting request, never in 4802's list
LAO_LINK = re.compile(r"^/compliance/lao/([0-9]{7})/$")
THAI = re.compile(r"[\u0e00-\u0e7f]")
BOM = b"\xef\xbb\xbf"


def national_id(first12: str) -> str:
    """The 13-digit national ID with its check digit (from core.national_id)."""
    return with_check_digit(first12)


def log_in_with_totp(page, base_url, email):
    log_in(page, base_url, email, totp=True)


def number(locator) -> int:
    """An integer shown on the page, in Arabic or Thai digits."""
    return int(to_arabic_digits(locator.inner_text().strip()))


def no_horizontal_overflow(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def late_rows_on_page(page) -> list[tuple[str, str]]:
    """(DLA code, state) of each row of table#late on the page shown."""
    rows = []
    for row in page.locator("table#late tbody tr").all():
        href = row.locator("a[href^='/compliance/lao/']").get_attribute("href")
        match = LAO_LINK.match(href or "")
        assert match, href
        state = row.locator("span.state").first.get_attribute("class")  # then the positions
        rows.append((match.group(1), re.search(r"state-(\w+)", state).group(1)))
    return rows


def all_late_rows(page) -> list[tuple[str, str]]:
    """Every row of the 'who is late' list, following the pager's next links (50 a page)."""
    rows = late_rows_on_page(page)
    number_ = 1
    while True:
        next_link = page.locator(f"nav.pager a[href*='page={number_ + 1}']")
        if next_link.count() == 0:
            return rows
        number_ += 1
        next_link.click()
        page.wait_for_url(re.compile(rf"[?&]page={number_}(&|$)"))
        rows += late_rows_on_page(page)


def download_late_csv(page) -> bytes:
    from playwright.sync_api import expect

    link = page.locator("#export-csv")
    expect(link).to_be_visible()
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    with open(download.path(), "rb") as f:
        return f.read()


def load_places_and_rules(portal_clock):
    """The national registry and the reference circulars, as `make run` loads them."""
    from circulars.services import load_circulars
    from registry.loader import load_registry

    require_registry()
    result = load_registry(settings.REGISTRY_DATA_DIR)
    assert result.laos.created > 7000, result.summary()
    load_circulars()
    portal_clock("2025-04-18T09:00:00+07:00")


def file_request(org, position, first12, *, email, submit=True):
    """A clerk of `org` files a request through the services, with a small PDF."""
    from onboarding import services

    clerk = make_user(
        email, f"เจ้าหน้าที่ {org.dla_code}", kind="lao_staff", organization=org, position=position
    )
    return services.create_request(
        requester=clerk,
        organization=org,
        data=services.RequestData(
            full_name=clerk.full_name,
            national_id=national_id(first12),
            position=position,
            appointment_order_number=f"นพ {org.dla_code}/1",
            appointment_date=dt.date(2024, 10, 1),
            consent=True,
        ),
        files=[SimpleUploadedFile("order.pdf", PDF, content_type="application/pdf")],
        submit=submit,
    )


def test_provincial_officer_sees_nakhon_phanom_drills_into_a_district_and_downloads_its_late_laos(
    live_server, portal_clock, page
):
    from django.utils import translation
    from playwright.sync_api import expect

    from compliance.states import LaoState
    from onboarding import services
    from registry.models import Organization, Province

    load_places_and_rules(portal_clock)
    province = Province.objects.get(code=PROVINCE)
    laos = list(Organization.objects.laos().filter(district__code=DISTRICT).order_by("dla_code"))
    assert len(laos) == 9
    officer = make_user(
        "nakhon-phanom.officer@test.example",
        "ผู้ตรวจ จังหวัดนครพนม",
        kind="province_officer",
        province=province,
    )

    # --- requests in several states for LAOs of Pla Pak --------------------------------------
    verified, waiting, returned, rejected, half, draft = laos[:6]
    both = [
        file_request(
            verified, "permanent_secretary", "110170010001", email="ps@verified.test.example"
        ),
        file_request(
            verified, "finance_director", "310170010002", email="fd@verified.test.example"
        ),
    ]
    for vr in both:
        services.approve_request(vr.pk, actor=officer, expected_version=vr.version)
    file_request(waiting, "permanent_secretary", "110170020001", email="ps@waiting.test.example")
    vr = file_request(
        returned, "finance_director", "310170030002", email="fd@returned.test.example"
    )
    services.return_request(
        vr.pk, actor=officer, expected_version=vr.version, remarks="แนบคำสั่งแต่งตั้งให้ครบ"
    )
    vr = file_request(
        rejected, "permanent_secretary", "110170040001", email="ps@rejected.test.example"
    )
    services.reject_request(
        vr.pk, actor=officer, expected_version=vr.version, reason="ไม่ใช่ผู้ดำรงตำแหน่ง"
    )
    vr = file_request(half, "permanent_secretary", "110170050001", email="ps@half.test.example")
    # one position of two approved: not verified, in progress (issue 12)
    services.approve_request(vr.pk, actor=officer, expected_version=vr.version)
    file_request(
        draft, "finance_director", "310170060002", email="fd@draft.test.example", submit=False
    )
    elsewhere = (
        Organization.objects.laos()
        .filter(district__code=OTHER_DISTRICT)
        .order_by("dla_code")
        .first()
    )
    file_request(
        elsewhere, "permanent_secretary", "110170070001", email="ps@elsewhere.test.example"
    )

    for org in laos:
        org.refresh_from_db()
    assert verified.identity_verified_at is not None
    assert all(org.identity_verified_at is None for org in laos[1:])
    expected_states = {
        waiting.dla_code: "submitted",
        returned.dla_code: "returned",
        rejected.dla_code: "rejected",
        # a draft counts as not started; one position of two approved is in progress
        **{org.dla_code: "not_started" for org in laos[4:]},
        half.dla_code: "in_progress",
    }

    # --- the officer logs in and lands on the province's dashboard ---------------------------
    base = live_server.url
    log_in_with_totp(page, base, officer.email)
    province_url = reverse("compliance:province", args=[PROVINCE])
    page.goto(base + reverse("compliance:home"))
    page.wait_for_url(f"**{province_url}")
    expect(page.locator("#lao-total")).to_be_visible()
    assert number(page.locator("#lao-total")) == 104
    assert number(page.locator("#lao-verified")) == 1
    breakdown = page.locator("table#breakdown tbody tr")
    expect(breakdown).to_have_count(12)
    district_links = page.locator("table#breakdown tbody a[href^='/compliance/district/']")
    expect(district_links).to_have_count(12)
    assert [a.get_attribute("href") for a in district_links.all()] == [
        reverse("compliance:district", args=[f"48{n:02d}"]) for n in range(1, 13)
    ]
    scroll_width, inner_width = no_horizontal_overflow(page)
    assert scroll_width <= inner_width + 1, (
        f"the province dashboard is {scroll_width}px wide on a {inner_width}px phone"
    )

    # --- into Pla Pak -------------------------------------------------------------------------
    district_url = reverse("compliance:district", args=[DISTRICT])
    page.click(f"table#breakdown a[href='{district_url}']")
    page.wait_for_url(f"**{district_url}")
    expect(page.locator("#lao-total")).to_be_visible()
    assert number(page.locator("#lao-total")) == 9
    assert number(page.locator("#lao-verified")) == 1
    # never filed, a draft; one position of two is in progress:
    assert number(page.locator("#lao-not-started")) == 4
    assert number(page.locator("#lao-in-progress")) == 1
    lao_links = page.locator("table#breakdown tbody a[href^='/compliance/lao/']")
    expect(lao_links).to_have_count(9)
    assert [LAO_LINK.match(a.get_attribute("href")).group(1) for a in lao_links.all()] == [
        o.dla_code for o in laos
    ]

    # --- who is late in Pla Pak ----------------------------------------------------------------
    late_url = f"{reverse('compliance:late')}?province={PROVINCE}&district={DISTRICT}"
    page.click(f"a[href='{late_url}']")
    page.wait_for_url(f"**{late_url}")
    expect(page.locator("table#late")).to_be_visible()
    shown = all_late_rows(page)
    codes = [code for code, _ in shown]
    assert verified.dla_code not in codes
    assert elsewhere.dla_code not in codes
    assert sorted(codes) == sorted(o.dla_code for o in laos[1:])
    assert len(codes) == len(set(codes)) == 8
    states = dict(shown)
    for code, state in expected_states.items():
        assert states[code] == state, (code, states[code], state)

    # --- the CSV holds exactly those LAOs --------------------------------------------------------
    body = download_late_csv(page)
    assert body.startswith(BOM), body[:20]
    table = list(csv.reader(io.StringIO(body[len(BOM) :].decode("utf-8"), newline="")))
    header, rows = table[0], [row for row in table[1:] if row[0] != "รวม"]  # not the total
    assert [row[:2] for row in table[1:] if row[0] == "รวม"] == [["รวม", "อำเภอปลาปาก"]]
    assert header[0] == "รหัส อปท."
    assert all(THAI.search(cell) for cell in header), header
    assert [row[0] for row in rows] == codes  # the same LAOs, in the page's order
    assert verified.dla_code not in [row[0] for row in rows]
    state_column = header.index("สถานะ")
    for row in rows:
        with translation.override("th"):
            assert row[state_column] == LaoState(states[row[0]]).label, row

    # --- the whole province's list runs over three pages; its CSV holds all of them ------------
    page.goto(base + province_url)
    province_late_url = f"{reverse('compliance:late')}?province={PROVINCE}"
    page.click(f"a[href='{province_late_url}']")
    page.wait_for_url(f"**{province_late_url}")
    expect(page.locator("table#late tbody tr")).to_have_count(50)
    shown = all_late_rows(page)
    assert page.url.endswith("page=3")
    codes = [code for code, _ in shown]
    assert len(codes) == len(set(codes)) == 103
    assert verified.dla_code not in codes and elsewhere.dla_code in codes
    body = download_late_csv(page)  # from page 3: the export ignores the page
    assert body.startswith(BOM)
    rows = list(csv.reader(io.StringIO(body[len(BOM) :].decode("utf-8"), newline="")))[1:]
    assert [row[0] for row in rows if row[0] != "รวม"] == codes  # then the province's total
