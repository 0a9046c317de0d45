"""Every compliance URL tried by every actor, and what each one shows: only their area's rows, on
the page and in the files; the API's JSON; CSV and XLSX with Thai headers and Buddhist-era dates
holding exactly the rows the page counts; the late list's filters, sort orders and pages.

The scene, at portal time 10 April 2568 09:00 (inside the window):
  district 4801 (เมืองนครพนม): 6480199 submitted by lao_clerk that morning, 6480101 verified,
      5480102 returned (7 April), 6480103 rejected (6 April); units: one logged in of two
  district 4802 (ปลาปาก): 6480299 not started, 6480201 verified; one unit, not logged in
  district 5001 (เมืองเชียงใหม่): 6500199 not started, 6500101 submitted (9 April)
"""

import datetime as dt
import itertools
import re
from urllib.parse import urlencode

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.urls import reverse
from django.utils import translation

from compliance.states import LaoState
from registry.models import OrganizationKind
from tests.actors import ACTOR_NAMES, login, make_user

from .support import (
    LATE_HEADERS,
    TOTAL,
    add_request,
    bangkok,
    district,
    file_request,
    lao,
    lao_rows,
    normalised,
    read_csv,
    read_xlsx,
    staff,
    summary_headers,
    total_rows,
    unit,
)

NOW = "2025-04-10T09:00:00+07:00"
ACTORS = ("anonymous",) + ACTOR_NAMES

DISTRICT_OF = {
    "6480199": "4801",
    "6480101": "4801",
    "5480102": "4801",
    "6480103": "4801",
    "6480299": "4802",
    "6480201": "4802",
    "6500199": "5001",
    "6500101": "5001",
}
LATE_IN = {
    "4801": {"6480199", "5480102", "6480103"},
    "4802": {"6480299"},
    "5001": {"6500199", "6500101"},
}
# The districts each officer may see.
AREA = {
    "district_officer": {"4801"},
    "other_district_officer": {"4802"},
    "province_officer": {"4801", "4802"},
    "other_province_officer": {"5001"},
    "dla_officer": {"4801", "4802", "5001"},
}
HOME = {
    "district_officer": "/compliance/district/4801/",
    "other_district_officer": "/compliance/district/4802/",
    "province_officer": "/compliance/province/48/",
    "other_province_officer": "/compliance/province/50/",
    "dla_officer": "/compliance/country/",
}


def late_in(districts):
    return set().union(*(LATE_IN[d] for d in districts))


def export(table, fmt, **query):
    url = reverse("compliance:export", args=[table, fmt])
    return f"{url}?{urlencode(query)}" if query else url


def late(**query):
    return (
        f"{reverse('compliance:late')}?{urlencode(query)}" if query else reverse("compliance:late")
    )


def api(**query):
    return f"/api/compliance?{urlencode(query)}" if query else "/api/compliance"


URLS = {
    "home": "/compliance/",
    "country": "/compliance/country/",
    "province 48": "/compliance/province/48/",
    "province 50": "/compliance/province/50/",
    "district 4801": "/compliance/district/4801/",
    "district 4802": "/compliance/district/4802/",
    "district 5001": "/compliance/district/5001/",
    "lao 6480199": "/compliance/lao/6480199/",
    "lao 6480299": "/compliance/lao/6480299/",
    "lao 6500199": "/compliance/lao/6500199/",
    "late": late(),
    "late 48": late(province="48"),
    "late 48/4801": late(province="48", district="4801"),
    "late 50": late(province="50"),
    "late.csv": export("late", "csv"),
    "late.csv 48": export("late", "csv", province="48"),
    "late.csv 48/4801": export("late", "csv", province="48", district="4801"),
    "late.csv 50": export("late", "csv", province="50"),
    "late.xlsx 48/4802": export("late", "xlsx", province="48", district="4802"),
    "summary.xlsx": export("summary", "xlsx"),
    "summary.xlsx 48": export("summary", "xlsx", province="48"),
    "summary.xlsx 48/4801": export("summary", "xlsx", province="48", district="4801"),
    "summary.xlsx 50": export("summary", "xlsx", province="50"),
    "summary.csv 48/4802": export("summary", "csv", province="48", district="4802"),
    "api": api(),
    "api 48": api(province="48"),
    "api 48/4801": api(province="48", district="4801"),
    "api /4802": api(district="4802"),
    "api 50": api(province="50"),
    "api 50/4801": api(province="50", district="4801"),  # the district is not in that province
    # the narrow layout's column names: labels only, the same for everyone (compliance/tables.py)
    "tables.css": "/compliance/tables.th.0.css",
}

# Columns: anonymous, lao_clerk, other_lao_clerk, unit_clerk, district_officer (4801),
# other_district_officer (4802), province_officer (48), other_province_officer (50), dla_officer.
# Anonymous visitors go to the login page (the API answers 401), people who are no officers get
# 403, officers outside the scope 404; "home" sends each officer to their own scope (302). Without
# a province or district the late list, the exports and the API show the officer's own scope.
# fmt: off
MATRIX = {
    #                        anon  lao  lao2  unit  dist  dist2  prov  prov2  dla
    "home":                 (302,  403, 403,  403,  302,  302,   302,  302,   302),
    "country":              (302,  403, 403,  403,  404,  404,   404,  404,   200),
    "province 48":          (302,  403, 403,  403,  404,  404,   200,  404,   200),
    "province 50":          (302,  403, 403,  403,  404,  404,   404,  200,   200),
    "district 4801":        (302,  403, 403,  403,  200,  404,   200,  404,   200),
    "district 4802":        (302,  403, 403,  403,  404,  200,   200,  404,   200),
    "district 5001":        (302,  403, 403,  403,  404,  404,   404,  200,   200),
    "lao 6480199":          (302,  403, 403,  403,  200,  404,   200,  404,   200),
    "lao 6480299":          (302,  403, 403,  403,  404,  200,   200,  404,   200),
    "lao 6500199":          (302,  403, 403,  403,  404,  404,   404,  200,   200),
    "late":                 (302,  403, 403,  403,  200,  200,   200,  200,   200),
    "late 48":              (302,  403, 403,  403,  404,  404,   200,  404,   200),
    "late 48/4801":         (302,  403, 403,  403,  200,  404,   200,  404,   200),
    "late 50":              (302,  403, 403,  403,  404,  404,   404,  200,   200),
    "late.csv":             (302,  403, 403,  403,  200,  200,   200,  200,   200),
    "late.csv 48":          (302,  403, 403,  403,  404,  404,   200,  404,   200),
    "late.csv 48/4801":     (302,  403, 403,  403,  200,  404,   200,  404,   200),
    "late.csv 50":          (302,  403, 403,  403,  404,  404,   404,  200,   200),
    "late.xlsx 48/4802":    (302,  403, 403,  403,  404,  200,   200,  404,   200),
    "summary.xlsx":         (302,  403, 403,  403,  200,  200,   200,  200,   200),
    "summary.xlsx 48":      (302,  403, 403,  403,  404,  404,   200,  404,   200),
    "summary.xlsx 48/4801": (302,  403, 403,  403,  200,  404,   200,  404,   200),
    "summary.xlsx 50":      (302,  403, 403,  403,  404,  404,   404,  200,   200),
    "summary.csv 48/4802":  (302,  403, 403,  403,  404,  200,   200,  404,   200),
    "api":                  (401,  403, 403,  403,  200,  200,   200,  200,   200),
    "api 48":               (401,  403, 403,  403,  404,  404,   200,  404,   200),
    "api 48/4801":          (401,  403, 403,  403,  200,  404,   200,  404,   200),
    "api /4802":            (401,  403, 403,  403,  404,  200,   200,  404,   200),
    "api 50":               (401,  403, 403,  403,  404,  404,   404,  200,   200),
    "api 50/4801":          (401,  403, 403,  403,  404,  404,   404,  404,   404),
    "tables.css":           (200,  200, 200,  200,  200,  200,   200,  200,   200),
}
# fmt: on

CASES = [
    pytest.param(name, actor, status, id=f"{name}-{actor}-{status}")
    for name, row in MATRIX.items()
    for actor, status in zip(ACTORS, row, strict=True)
]


@pytest.fixture
def scene(scene_once, db, portal_clock):
    """The scene, written once for the module (`scene_once`); each test runs in a savepoint of its
    own, rolled back after it, with the clock at NOW."""
    portal_clock(NOW)
    return scene_once


@pytest.fixture
def places(scene):
    return scene["places"]


@pytest.fixture
def actors(scene):
    return scene["actors"]


def make_scene(actors, places) -> dict:
    clerk = actors["lao_clerk"]
    clerk.phone = "081-234-5678"
    clerk.save()
    d4801, d4802 = places.lao.district, places.other_lao.district
    d5001 = district("5001")
    vr = file_request(clerk, places.lao)  # 6480199, submitted at 10 April 09:00
    verified = lao(d4801, 1, name_th="กขทดสอบ", verified_at=bangkok("2025-04-08 10:00"))
    returned = lao(d4801, 2, kind="SUBDISTRICT_MUNI", name_th="คงทดสอบ")
    add_request(returned, "returned", at=bangkok("2025-04-07 10:00"))
    rejected = lao(d4801, 3, name_th="จฉทดสอบ")
    add_request(rejected, "rejected", at=bangkok("2025-04-06 10:00"))
    staff(rejected, full_name="สมชาย รักดี", phone="089-876-5432")
    lao(d4802, 1, name_th="ชซทดสอบ", verified_at=bangkok("2025-04-09 10:00"))
    waiting_cm = lao(d5001, 1, name_th="ญดทดสอบ")
    add_request(waiting_cm, "submitted", at=bangkok("2025-04-09 10:00"))
    unit(verified, first_login_at=bangkok("2025-04-09 08:00"))
    unit(places.other_lao)
    return {"vr": vr, "actors": actors, "places": places}


def get_as(client, scene, actor, url, method="get"):
    if actor != "anonymous":
        login(client, scene["actors"][actor])
    return getattr(client, method)(url)


def test_the_matrix_tries_every_compliance_url_and_both_formats_of_both_tables():
    from django.urls import resolve

    from compliance.urls import urlpatterns

    matches = [resolve(url.split("?")[0]) for url in URLS.values()]
    assert {m.url_name for m in matches} == {p.name for p in urlpatterns} | {"compliance-api"}
    assert {(m.kwargs["table"], m.kwargs["fmt"]) for m in matches if m.url_name == "export"} == {
        ("late", "csv"),
        ("late", "xlsx"),
        ("summary", "csv"),
        ("summary", "xlsx"),
    }


def lao_codes(response) -> set[str]:
    """The scene's LAO codes found anywhere in a page or a file."""
    if response["Content-Type"].startswith("application/vnd.openxml"):
        text = " ".join(str(cell) for row in read_xlsx(response) for cell in row)
    else:
        text = response.content.decode("utf-8-sig")
    return set(re.findall(r"(?<!\d)\d{7}(?!\d)", text)) & set(DISTRICT_OF)


@pytest.fixture(scope="module")
def scene_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The scene written once for the module's tests (the matrix alone makes 279 requests), not
    once per test: `built_once`, each test in a savepoint rolled back after it."""
    from core import clock
    from core.clock import parse_instant
    from tests.actors import make_actors, make_places
    from tests.conftest import (
        built_once,
        make_circulars,
        make_nakhon_phanom,
        make_sao_elsewhere,
        make_sao_in_nakhon_phanom,
    )

    with built_once(django_db_blocker, tmp_path_factory.mktemp("matrix")):
        province = make_nakhon_phanom()
        places = make_places(make_sao_in_nakhon_phanom(province), make_sao_elsewhere(), province)
        actors = make_actors(places)
        make_circulars()
        clock.set_clock(parse_instant(NOW), by="test")
        yield make_scene(actors, places)
    clock.invalidate()


class TestTheMatrix:
    @pytest.mark.parametrize(("name", "actor", "expected"), CASES)
    def test_each_actor_gets_the_status_the_scope_rules_give_and_sees_only_their_area(
        self, client, scene, name, actor, expected
    ):
        check_the_status_and_the_area(client, scene, name, actor, expected)


def check_the_status_and_the_area(client, scene, name, actor, expected):
    url = URLS[name]
    response = get_as(client, scene, actor, url)
    assert response.status_code == expected, f"{actor} GET {url}"

    if expected == 302 and actor == "anonymous":
        assert response["Location"].startswith("/accounts/login/?next=")
    elif expected == 302:
        assert response["Location"] == HOME[actor]
    elif expected == 200:
        kind = name.split()[0]
        content_type = {
            "api": "application/json; charset=utf-8",
            "late.csv": "text/csv; charset=utf-8",
            "summary.csv": "text/csv; charset=utf-8",
            "late.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "summary.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "tables.css": "text/css; charset=utf-8",
        }.get(kind, "text/html; charset=utf-8")
        assert response["Content-Type"] == content_type
        outside = {code for code in lao_codes(response) if DISTRICT_OF[code] not in AREA[actor]}
        assert not outside, f"{actor} sees {outside} at {url}"
    elif expected in (401, 403) and name.startswith("api"):
        assert "error" in response.json()


def through_the_wsgi_entry(client, url):
    """GET `url` through the portal's real WSGI entry, with the test client's cookies, as
    gunicorn would call it: (status, headers with every Set-Cookie in a list, body)."""
    from django.test import RequestFactory

    from tests.wsgi import call_wsgi

    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    path, _, query = url.partition("?")
    environ = RequestFactory().get(path, QUERY_STRING=query, HTTP_COOKIE=cookie).environ
    status, sent, body = call_wsgi(environ)
    headers = dict(sent)
    headers["Set-Cookie"] = [value for name, value in sent if name == "Set-Cookie"]
    return status, headers, body


READING_CASES = [case for case in CASES if URLS[case.values[0]].split("?")[0].endswith("/")]


@pytest.mark.parametrize(("name", "actor", "expected"), READING_CASES)
def test_the_wsgi_entry_decides_access_as_the_test_client_does(
    client, scene, name, actor, expected
):
    """The compliance pages officers reload, through gunicorn's entry point: every actor gets the
    same answer there, with the same headers, as through the test client's handler."""
    url = URLS[name]
    if actor != "anonymous":
        login(client, scene["actors"][actor])
    status, headers, body = through_the_wsgi_entry(client, url)
    assert status == expected, f"{actor} GET {url}"
    whole = client.get(url)
    assert whole.status_code == expected
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert headers[header] == whole[header], header
    if expected == 302:
        assert headers["Location"] == whole["Location"]
    if expected == 200:
        codes = set(re.findall(r"(?<!\d)\d{7}(?!\d)", body.decode())) & set(DISTRICT_OF)
        assert codes == lao_codes(whole)


def test_a_slash_is_appended_to_a_compliance_page(client, scene):
    login(client, scene["actors"]["dla_officer"])
    status, headers, _body = through_the_wsgi_entry(client, "/compliance/country")
    assert (status, headers["Location"]) == (301, "/compliance/country/")


def test_a_compliance_page_refuses_a_host_not_allowed(client, scene, settings):
    login(client, scene["actors"]["dla_officer"])
    settings.ALLOWED_HOSTS = ["portal.example"]  # the test client's "testserver" is not
    assert through_the_wsgi_entry(client, "/compliance/country/")[0] == 400


def test_an_officer_without_the_second_factor_in_the_session_is_sent_to_confirm_it(client, scene):
    """The second factor's gate writes a message for the page it sends to."""
    client.force_login(scene["actors"]["dla_officer"], backend="elaas_portal.backends.ModelBackend")
    status, headers, _body = through_the_wsgi_entry(client, "/compliance/country/")
    assert status == 302
    assert headers["Location"].startswith("/accounts/2fa/")
    assert any(cookie.strip().startswith("messages=") for cookie in headers["Set-Cookie"])


# Wrong methods, each tried by the DLA officer (who may GET every URL) and, for the API, by
# anonymous visitors too: nothing but GET is accepted.
WRONG_METHODS = [
    (name, method, "dla_officer")
    for name in (
        "home",
        "country",
        "province 48",
        "district 4801",
        "lao 6480199",
        "late 48",
        "late.csv 48",
        "summary.xlsx 48",
        "api 48",
    )
    for method in ("post", "put", "patch", "delete")
] + [("api", "post", "anonymous"), ("api 48", "delete", "lao_clerk")]


@pytest.mark.parametrize(
    ("name", "method", "actor"), WRONG_METHODS, ids=[f"{n}-{m}-{a}" for n, m, a in WRONG_METHODS]
)
def test_a_wrong_method_gets_405(client, scene, name, method, actor):
    assert get_as(client, scene, actor, URLS[name], method).status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        export("late", "pdf"),
        export("summary", "json"),
        export("people", "csv"),
        "/compliance/lao/6489999/",
        "/compliance/province/99/",
        "/compliance/district/9999/",
        late(province="99"),
        api(district="9999"),
    ],
)
def test_what_does_not_exist_is_404_even_for_the_dla_officer(client, scene, url):
    assert get_as(client, scene, "dla_officer", url).status_code == 404


# --- officers and their second factor ------------------------------------------------------------

GATED = ["home", "country", "late", "late.csv", "summary.xlsx"]


@pytest.mark.parametrize("name", GATED)
def test_an_officer_whose_session_did_not_use_the_authenticator_is_asked_to_confirm_it(
    client, scene, name
):
    client.force_login(scene["actors"]["dla_officer"], backend="elaas_portal.backends.ModelBackend")
    response = client.get(URLS[name])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/?next=")


@pytest.mark.parametrize("name", GATED)
def test_an_officer_without_an_authenticator_is_sent_to_set_one_up(client, scene, name):
    officer = make_user("new-dla@test.example", kind="dla_officer")
    Authenticator.objects.filter(user=officer).delete()
    login(client, officer)
    response = client.get(URLS[name])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/?next=")


@pytest.mark.parametrize("with_totp", [True, False])
def test_the_api_answers_403_to_an_officer_without_the_second_factor(client, scene, with_totp):
    officer = scene["actors"]["dla_officer"]
    if not with_totp:
        Authenticator.objects.filter(user=officer).delete()
    client.force_login(officer, backend="elaas_portal.backends.ModelBackend")
    response = client.get(api(province="48"))
    assert response.status_code == 403
    assert set(response.json()) == {"error"}


# --- nobody sees a row outside their scope --------------------------------------------------------


@pytest.mark.parametrize("actor", list(AREA))
def test_each_officers_late_list_page_and_files_hold_exactly_the_late_laos_of_their_area(
    client, scene, actor
):
    login(client, scene["actors"][actor])
    expected = late_in(AREA[actor])
    page = client.get(late())
    assert page.context["page"].paginator.count == len(expected)
    assert set(re.findall(r'href="/compliance/lao/(\d{7})/"', page.content.decode())) == expected
    for fmt, read in (("csv", read_csv), ("xlsx", read_xlsx)):
        rows = read(client.get(export("late", fmt)))
        assert rows[0] == LATE_HEADERS
        assert [str(r[0]) for r in lao_rows(rows)] == [
            org.dla_code for org in page.context["page"].object_list
        ]
        assert {str(r[0]) for r in lao_rows(rows)} == expected


def test_the_district_officers_late_csv_holds_only_laos_of_district_4801(client, scene):
    login(client, scene["actors"]["district_officer"])
    rows = read_csv(client.get(export("late", "csv", province="48", district="4801")))
    assert sorted(r[0] for r in lao_rows(rows)) == ["5480102", "6480103", "6480199"]
    assert {r[3] for r in lao_rows(rows)} == {"เมืองนครพนม"}
    assert {r[4] for r in lao_rows(rows)} == {"นครพนม"}
    # the province filter names the district officer's province; its district list is not theirs
    response = client.get(export("late", "csv", province="48", district="4801", in_district="4802"))
    assert read_csv(response)[1:] == []


@pytest.mark.parametrize("table", ["late", "summary"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_other_provinces_officer_never_gets_nakhon_phanom_in_a_file(client, scene, table, fmt):
    login(client, scene["actors"]["other_province_officer"])
    for query in (
        {},
        {"province": "50"},
        {"province": "50", "district": "5001"},
        {"in_district": "4801"},
    ):
        response = client.get(export(table, fmt, **query))
        assert response.status_code == 200
        text = response.content.decode("utf-8-sig") if fmt == "csv" else str(read_xlsx(response))
        for word in ("นครพนม", "ปลาปาก", "6480", "4801", "4802"):
            assert word not in text, (query, word)
    for query in ({"province": "48"}, {"province": "48", "district": "4801"}, {"district": "4802"}):
        assert client.get(export(table, fmt, **query)).status_code == 404


def test_the_other_district_officer_does_not_see_the_district_next_door_on_any_page(client, scene):
    login(client, scene["actors"]["other_district_officer"])
    for url in (
        "/compliance/",
        "/compliance/district/4802/",
        late(),
        late(in_district="4801"),
        "/compliance/lao/6480299/",
    ):
        response = client.get(url, follow=True)
        assert response.status_code == 200
        body = response.content.decode()
        assert "เมืองนครพนม" not in body and not {
            "6480199",
            "6480101",
            "5480102",
            "6480103",
        } & lao_codes(response), url


# --- the API ----------------------------------------------------------------------------------


def counts(total, verified=0, submitted=0, returned=0, rejected=0, not_started=0, in_progress=0):
    return {
        "total": total,
        "verified": verified,
        "in_progress": in_progress,
        "submitted": submitted,
        "returned": returned,
        "rejected": rejected,
        "not_started": not_started,
    }


def lao_row(code, name_th, state, units, share, secretary=None):
    secretary = secretary or ("not_filed" if state == "verified" else state)
    return {
        "code": code,
        "name_th": name_th,
        "laos": counts(1, **{state: 1}),
        "units": units,
        "share_verified": share,
        "state": state,
        "positions": [
            {"positions": ["chief_executive", "permanent_secretary"], "state": secretary},
            {"positions": ["finance_director"], "state": "not_filed"},
        ],
        "positions_verified": int(secretary == "verified"),
        "positions_required": 2,
    }


# The issue's shape: {"laos": {...}, "units": {"total", "logged_in"}, "districts": [{"code",
# "name_th", "laos": {...}}], "as_of": ISO 8601}; the portal adds the scope's key, the share
# verified and, per district, its units and share (and, for one district, its LAOs).
API_48 = {
    "scope": "province:48",
    "laos": counts(6, verified=2, submitted=1, returned=1, rejected=1, not_started=1),
    "units": {"total": 3, "logged_in": 1},
    "share_verified": 33.3,
    "districts": [
        {
            "code": "4801",
            "name_th": "เมืองนครพนม",
            "laos": counts(4, verified=1, submitted=1, returned=1, rejected=1),
            "units": {"total": 2, "logged_in": 1},
            "share_verified": 25.0,
        },
        {
            "code": "4802",
            "name_th": "ปลาปาก",
            "laos": counts(2, verified=1, not_started=1),
            "units": {"total": 1, "logged_in": 0},
            "share_verified": 50.0,
        },
    ],
}
API_4801 = {
    "scope": "district:4801",
    "laos": counts(4, verified=1, submitted=1, returned=1, rejected=1),
    "units": {"total": 2, "logged_in": 1},
    "share_verified": 25.0,
    "districts": [
        {
            "code": "4801",
            "name_th": "เมืองนครพนม",
            "laos": counts(4, verified=1, submitted=1, returned=1, rejected=1),
            "units": {"total": 2, "logged_in": 1},
            "share_verified": 25.0,
        },
    ],
    "laos_list": [
        # each LAO with its state and its required positions (the scene's requests are all the
        # permanent secretary's; 6480101 was verified before any request of the portal)
        lao_row("5480102", "ทต.คงทดสอบ", "returned", {"total": 0, "logged_in": 0}, 0.0),
        lao_row("6480101", "อบต.กขทดสอบ", "verified", {"total": 1, "logged_in": 1}, 100.0),
        lao_row("6480103", "อบต.จฉทดสอบ", "rejected", {"total": 0, "logged_in": 0}, 0.0),
        lao_row("6480199", "อบต.ทดสอบ", "submitted", {"total": 1, "logged_in": 0}, 0.0),
    ],
}
ISSUE_LAO_KEYS = {
    "total",
    "verified",
    "in_progress",
    "submitted",
    "returned",
    "rejected",
    "not_started",
}


@pytest.mark.parametrize(
    ("actor", "query", "expected"),
    [
        ("province_officer", {"province": "48"}, API_48),
        ("dla_officer", {"province": "48"}, API_48),
        ("province_officer", {"province": "48", "district": "4801"}, API_4801),
        ("district_officer", {"province": "48", "district": "4801"}, API_4801),
        ("district_officer", {}, API_4801),  # no parameter: the officer's own scope
        ("province_officer", {"province": "๔๘", "district": "๔๘๐๑"}, API_4801),  # Thai digits
    ],
)
def test_the_api_gives_the_scopes_numbers_in_the_issues_shape(
    client, scene, actor, query, expected
):
    login(client, scene["actors"][actor])
    response = client.get(api(**query))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    as_of = dt.datetime.fromisoformat(body.pop("as_of"))
    assert body == expected
    # the issue's keys, each with exactly its fields
    assert {"laos", "units", "districts"} <= set(body)
    assert set(body["laos"]) == ISSUE_LAO_KEYS and set(body["units"]) == {"total", "logged_in"}
    for row in body["districts"]:
        assert {"code", "name_th", "laos"} <= set(row) and set(row["laos"]) == ISSUE_LAO_KEYS
    # as_of: ISO 8601 in Bangkok time, the portal clock's now
    assert as_of.utcoffset() == dt.timedelta(hours=7)
    assert dt.timedelta(0) <= as_of - dt.datetime.fromisoformat(NOW) < dt.timedelta(minutes=1)
    assert "เมืองนครพนม" in response.content.decode("utf-8")  # Thai as it is, not \u escapes


@pytest.mark.parametrize(
    ("actor", "page", "query"),
    [
        ("district_officer", "/compliance/district/4801/", {"province": "48", "district": "4801"}),
        ("province_officer", "/compliance/province/48/", {"province": "48"}),
        ("province_officer", "/compliance/district/4802/", {"district": "4802"}),
        ("other_province_officer", "/compliance/province/50/", {"province": "50"}),
        ("dla_officer", "/compliance/country/", {}),
    ],
)
def test_the_api_and_the_summary_export_give_the_dashboards_numbers(
    client, scene, actor, page, query
):
    login(client, scene["actors"][actor])
    response = client.get(page)
    data = response.context["data"]
    body = client.get(api(**query)).json()
    assert (body["laos"], body["units"], body["share_verified"]) == (
        data["laos"],
        data["units"],
        data["share_verified"],
    )
    html = response.content.decode()
    assert f'<span class="n" id="lao-total">{data["laos"]["total"]}</span>' in html
    assert f'<span class="n" id="lao-verified">{data["laos"]["verified"]}</span>' in html
    assert f'<span class="n" id="lao-not-started">{data["laos"]["not_started"]}</span>' in html
    children = body.get("laos_list") or body.get("districts") or body.get("provinces")
    assert [(c["code"], c["laos"]) for c in children] == [
        (c["code"], c["laos"]) for c in data["children"]
    ]

    breakdown = html.split('id="breakdown"')[1].split("</tbody>")[0]
    for fmt, read in (("csv", read_csv), ("xlsx", read_xlsx)):
        rows = read(client.get(export("summary", fmt, **query)))
        assert rows[0] == summary_headers(data["level"])
        assert len(rows) - 2 == len(data["children"]) == breakdown.count("<tr>") - 1
        assert normalised([r[:12] for r in rows[1:-1]]) == normalised(
            [
                [
                    c["code"],
                    c["name_th"],
                    c["laos"]["total"],
                    *(c["laos"][state] for state in LaoState),
                    c["share_verified"],
                    c["units"]["total"],
                    c["units"]["logged_in"],
                ]
                for c in data["children"]
            ]
        )


def test_a_returned_request_shows_in_the_api_at_once(client, scene, settings, portal_clock):
    from onboarding import services

    settings.COMPLIANCE_CACHE_SECONDS = 30
    portal_clock("2025-04-10T10:00:00+07:00")
    officer = scene["actors"]["province_officer"]
    login(client, officer)
    assert client.get(api(province="48")).json()["laos"]["submitted"] == 1
    vr = scene["vr"]
    vr.refresh_from_db()
    assert client.get(api(province="48")).json()["laos"]["submitted"] == 1  # kept
    services.return_request(
        vr.pk, actor=officer, expected_version=vr.version, remarks="แนบคำสั่งให้ครบ"
    )
    laos = client.get(api(province="48")).json()["laos"]  # the next request
    assert (laos["submitted"], laos["returned"]) == (0, 2)


def test_the_dashboard_body_is_kept_per_data_version_language_and_reviewer(
    client, scene, settings, portal_clock
):
    """The rendered dashboard body is kept with its figures, for one data version: a change is
    seen by the next request; a body per language, and per reviewer or not (the oldest
    request's link goes to the review for those who decide, to the request otherwise)."""
    from onboarding import services

    settings.COMPLIANCE_CACHE_SECONDS = 30
    portal_clock("2025-04-10T10:00:00+07:00")
    page = "/compliance/district/4801/"

    def waiting(response) -> int:
        html = response.content.decode()
        return int(re.search(r'<span class="n" id="lao-submitted">(\d+)</span>', html).group(1))

    def oldest_link(response) -> str:
        return re.search(r'<a id="oldest-waiting" href="([^"]+)"', response.content.decode()).group(
            1
        )

    vr = scene["vr"]
    login(client, scene["actors"]["district_officer"])
    thai = client.get(page)
    assert oldest_link(thai) == vr.get_absolute_url()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(page)
    assert waiting(english) == 1 and oldest_link(english) == vr.get_absolute_url()
    assert "<h1>Identity verification:" in english.content.decode()
    assert "<h1>Identity verification:" not in thai.content.decode()

    officer = scene["actors"]["province_officer"]
    login(client, officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert oldest_link(client.get(page)) == reverse("onboarding:review", args=[vr.pk])

    vr.refresh_from_db()
    services.return_request(
        vr.pk, actor=officer, expected_version=vr.version, remarks="แนบคำสั่งให้ครบ"
    )
    assert waiting(client.get(page)) == 0  # the next request


# --- the files: BOM, Thai headers, Buddhist-era dates --------------------------------------------


def test_the_late_csv_starts_with_the_bom_and_has_thai_headers_states_contacts_and_be_dates(
    client, scene
):
    login(client, scene["actors"]["province_officer"])
    response = client.get(export("late", "csv", province="48", district="4801"))
    assert response.content.startswith(b"\xef\xbb\xbf" + "รหัส อปท.".encode())
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="elaas-late-district-4801-20250410.csv"'
    )
    rows = read_csv(response)
    assert rows[0] == LATE_HEADERS
    with_kind = {r[0]: r for r in lao_rows(rows)}
    assert [r[0] for r in lao_rows(rows)] == ["5480102", "6480103", "6480199"]
    assert with_kind["6480199"][5:] == [
        "รอตรวจสอบ",
        "0 จาก 2",
        "รอตรวจสอบ",
        "ยังไม่ยื่นคำขอ",
        "10 เม.ย. 2568",
        "สมศรี ใจดี",
        "081-234-5678",
        "lao-clerk@test.example",
    ]
    assert with_kind["5480102"][5:] == [
        "ส่งกลับให้แก้ไข",
        "0 จาก 2",
        "ส่งกลับให้แก้ไข",
        "ยังไม่ยื่นคำขอ",
        "7 เม.ย. 2568",
        "",
        "",
        "",
    ]
    assert with_kind["6480103"][5:12] == [
        "ไม่อนุมัติ",
        "0 จาก 2",
        "ไม่อนุมัติ",
        "ยังไม่ยื่นคำขอ",
        "6 เม.ย. 2568",
        "สมชาย รักดี",
        "089-876-5432",
    ]
    assert with_kind["6480103"][12].endswith("@test.example")
    assert [r[1:5] for r in lao_rows(rows)] == [
        ["ทต.คงทดสอบ", thai_label("SUBDISTRICT_MUNI"), "เมืองนครพนม", "นครพนม"],
        ["อบต.จฉทดสอบ", thai_label("SAO"), "เมืองนครพนม", "นครพนม"],
        ["อบต.ทดสอบ", thai_label("SAO"), "เมืองนครพนม", "นครพนม"],
    ]
    with translation.override("th"):
        assert {s.label for s in LaoState} >= {r[5] for r in lao_rows(rows)}


def thai_label(kind):
    """The kind's label in Thai, as the files give it whatever the page's language."""
    with translation.override("th"):
        return str(OrganizationKind(kind).label)


def test_the_late_page_and_its_csv_give_each_lao_the_same_state_label(client, scene):
    """One label per state (compliance.states.LaoState): the Thai page and the file agree."""
    login(client, scene["actors"]["province_officer"])
    query = {"province": "48", "district": "4801"}
    html = client.get(late(**query)).content.decode()
    on_page = dict(
        re.findall(
            r'/compliance/lao/(\d+)/".*?<span class="state state-\w+">([^<]*)</span>', html, re.S
        )
    )
    in_file = {r[0]: r[5] for r in lao_rows(read_csv(client.get(export("late", "csv", **query))))}
    assert on_page == in_file and len(in_file) == 3


def test_the_late_xlsx_holds_the_csvs_rows_with_thai_headers(client, scene):
    login(client, scene["actors"]["dla_officer"])
    csv_rows = read_csv(client.get(export("late", "csv")))
    response = client.get(export("late", "xlsx"))
    assert (
        response["Content-Disposition"] == 'attachment; filename="elaas-late-country-20250410.xlsx"'
    )
    xlsx_rows = read_xlsx(response)
    assert xlsx_rows[0] == LATE_HEADERS
    assert normalised(xlsx_rows) == normalised(csv_rows)
    assert len(lao_rows(xlsx_rows)) == sum(len(v) for v in LATE_IN.values())
    assert "10 เม.ย. 2568" in [r[9] for r in xlsx_rows if len(r) > 9]


def test_the_summary_files_date_their_figures_in_the_buddhist_era(client, scene):
    login(client, scene["actors"]["province_officer"])
    for fmt, read in (("csv", read_csv), ("xlsx", read_xlsx)):
        rows = read(client.get(export("summary", fmt, province="48")))
        assert rows[0] == summary_headers("district")
        assert [r[0:2] for r in rows[1:-1]] == [["4801", "เมืองนครพนม"], ["4802", "ปลาปาก"]]
        for row in rows[1:]:
            assert re.fullmatch(r"10 เม\.ย\. 2568 09:0\d(:\d\d)? น\.", row[12]), row[12]


def test_the_late_page_shows_contacts_and_buddhist_era_dates(client, scene):
    login(client, scene["actors"]["district_officer"])
    html = client.get(late()).content.decode()
    assert '<a href="tel:081-234-5678">081-234-5678</a>' in html
    assert '<a href="mailto:lao-clerk@test.example">lao-clerk@test.example</a>' in html
    assert "10 เม.ย. 2568" in html and "6 เม.ย. 2568" in html


def test_the_dashboard_names_the_recipients_of_each_row_of_circular_deliveries(client, scene):
    login(client, scene["actors"]["dla_officer"])
    html = client.get("/compliance/country/").content.decode()
    with translation.override("th"):
        expected = [translation.gettext(w) for w in ("provinces", "districts", "LAOs")]
    rows = html.split('id="by-circular"')[1].split("<tbody>")[1].split("</tbody>")[0]
    first_cells = [r.split("<td>")[1].split("</td>")[0] for r in rows.split("<tr>")[1:]]
    assert [c.strip() for c in first_cells] == expected


def test_the_charts_show_the_numbers_of_their_tables(client, scene):
    login(client, scene["actors"]["province_officer"])
    response = client.get("/compliance/province/48/")
    data, ctx = response.context["data"], response.context
    assert [b["value"] for b in ctx["per_day_chart"]["bars"]] == [
        row["verified"] for row in data["per_day"]
    ]
    assert sorted((r["code"], r["share"]) for r in ctx["ranking_chart"]["rows"]) == sorted(
        (c["code"], c["share_verified"]) for c in data["children"]
    )
    html = response.content.decode()
    day_chart = html.split('aria-labelledby="day-title"')[1].split("</svg>")[0]
    assert day_chart.count("<rect ") == len(data["per_day"]) == 17  # 5 to 21 April
    assert (
        "<title>8 เม.ย. 2568: 1</title>" in day_chart
        and "<title>9 เม.ย. 2568: 1</title>" in day_chart
    )
    day_table = (
        html.split('aria-labelledby="day-title"')[1].split("</details>")[0].split("<tbody>")[1]
    )
    assert day_table.count("<tr>") == len(data["per_day"])
    rank_chart = html.split('aria-labelledby="rank-title"')[1].split("</svg>")[0]
    assert [int(float(s)) for s in re.findall(r">([\d.]+)%</text>", rank_chart)] == [
        50,
        25,
    ]  # 4802, then 4801


def test_the_charts_say_in_words_what_they_show(client, scene):
    """Each chart's text alternative (issue 12, item 10): a caption the svg is described by."""
    login(client, scene["actors"]["province_officer"])
    html = client.get("/compliance/province/48/").content.decode()
    assert 'aria-describedby="day-summary"' in html and 'aria-describedby="rank-summary"' in html
    day = " ".join(html.split('<figcaption id="day-summary">')[1].split("</figcaption>")[0].split())
    assert day == (
        "ในช่วงเวลานี้ อปท. ยืนยันตัวตนแล้วรวม 2 แห่ง วันที่มากที่สุด: 1 แห่ง เมื่อ 8 เม.ย. 2568 "
        "วันนี้ (แท่งสีส้ม): 0 แห่ง เหลืออีก 11 วันหลังจากวันนี้"
    )
    rank = " ".join(
        html.split('<figcaption id="rank-summary">')[1].split("</figcaption>")[0].split()
    )
    assert rank == "สูงสุด: ปลาปาก ยืนยันตัวตนแล้ว 50.0% ต่ำสุด: เมืองนครพนม ยืนยันตัวตนแล้ว 25.0%"


# --- the late list with more than one page: filters, exports, sorting, pages ----------------------

STATE_CYCLE = ["not_started", "submitted", "returned", "rejected", "draft", "withdrawn"]
KIND_CYCLE = ["SAO", "SUBDISTRICT_MUNI", "TOWN_MUNI", "SAO"]
LATE_STATE = {"draft": "not_started", "withdrawn": "not_started"}


@pytest.fixture(scope="class")
def crowd_once(scene_once, django_db_blocker):
    """The crowd written once for the tests of `TestTheCrowd`, in a savepoint of the scene's
    transaction, rolled back after the class's last test: the module's other tests never see it."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield make_crowd(scene_once["places"])
        transaction.set_rollback(True)


@pytest.fixture
def crowd(crowd_once, scene):
    return crowd_once


def make_crowd(places):
    """60 more late LAOs in district 4801 and 12 in 4802, of three kinds, in every state, silent for
    0 to 14 days; 5 verified ones besides. Returns what each late LAO of Nakhon Phanom is."""
    now = bangkok("2025-04-10 09:00")
    late = {
        "6480199": ("4801", "SAO", "submitted", now, "ทดสอบ"),
        "5480102": ("4801", "SUBDISTRICT_MUNI", "returned", bangkok("2025-04-07 10:00"), "คงทดสอบ"),
        "6480103": ("4801", "SAO", "rejected", bangkok("2025-04-06 10:00"), "จฉทดสอบ"),
        "6480299": ("4802", "SAO", "not_started", None, "ทดสอบสอง"),
    }
    for place, n in ((places.lao.district, 60), (places.other_lao.district, 12)):
        for i in range(n):
            kind, state = KIND_CYCLE[i % 4], STATE_CYCLE[i % 6]
            org = lao(place, 20 + i, kind=kind)
            activity = None
            if state != "not_started":
                activity = now - dt.timedelta(days=i % 15, hours=1)
                add_request(org, state, at=activity)
            late[org.dla_code] = (
                place.code,
                kind,
                LATE_STATE.get(state, state),
                activity,
                org.name_th,
            )
    for i in range(5):
        lao(places.lao.district, 90 + i, verified_at=now - dt.timedelta(days=1))
    return late


def expected_late(crowd, districts, *, in_district="", kind="", state="", age=0):
    now = bangkok("2025-04-10 09:00")
    return {
        code
        for code, (d, k, s, activity, _name) in crowd.items()
        if d in districts
        and (not in_district or d == in_district)
        and (not kind or k == kind)
        and (not state or s == state)
        and (not age or activity is None or activity <= now - dt.timedelta(days=age))
    }


def all_pages(client, query) -> tuple[int, list[str]]:
    """The count the late page states, and the codes of its rows over every page, in order."""
    first = client.get(late(**query))
    count, pages = first.context["page"].paginator.count, first.context["page"].paginator.num_pages
    codes = []
    for number in range(1, pages + 1):
        response = first if number == 1 else client.get(late(**query, page=number))
        codes += re.findall(r'<a href="/compliance/lao/(\d{7})/">', response.content.decode())
    return count, codes


# (filters as the form sends them, what they mean for the oracle)
# fmt: off
FILTERS = [
    ({},                                                {}),
    ({"in_district": "4801"},                           {"in_district": "4801"}),
    ({"in_district": "4802"},                           {"in_district": "4802"}),
    ({"kind": "SAO"},                                   {"kind": "SAO"}),
    ({"kind": "TOWN_MUNI"},                             {"kind": "TOWN_MUNI"}),
    ({"state": "submitted"},                            {"state": "submitted"}),
    ({"state": "not_started"},                          {"state": "not_started"}),
    ({"state": "rejected"},                             {"state": "rejected"}),
    ({"age": "7"},                                      {"age": 7}),
    ({"age": "๑๐"},                                     {"age": 10}),  # Thai digits
    ({"in_district": "4801", "kind": "SUBDISTRICT_MUNI", "state": "returned", "age": "3"},
     {"in_district": "4801", "kind": "SUBDISTRICT_MUNI", "state": "returned", "age": 3}),
    ({"kind": "SAO", "state": "not_started", "age": "5"},
     {"kind": "SAO", "state": "not_started", "age": 5}),
    ({"state": "verified"},                             {}),  # not a late state: ignored
    ({"kind": "SCHOOL"},                                {}),  # not an LAO kind: ignored
]  # an age that is not a number is a 400 (tests/test_bad_input.py)
# fmt: on


def thai_state_label(state):
    """The state's Thai label as the late list sorts it: Thai collation on PostgreSQL (a leading
    vowel, as in ไม่อนุมัติ, is read after its consonant), code points on SQLite."""
    with translation.override("th"):
        label = str(LaoState(state).label)
    if connection.vendor == "postgresql" and label[:1] in "เแโใไ":
        label = label[1] + label[0] + label[2:]
    return label


def sort_key(order, crowd):
    def key(code):
        d, _kind, state, activity, name = crowd[code]
        return {
            "district": (d, code),
            "name": (name, code),
            "state": (thai_state_label(state), d, code),
            "activity": (
                activity is not None,
                activity or dt.datetime.min.replace(tzinfo=dt.UTC),
                code,
            ),
        }[order]

    return key


@pytest.mark.parametrize("order", ["district", "name", "state", "activity"])
def test_the_sort_menu_offers_every_order_and_keeps_the_chosen_one(client, scene, order):
    login(client, scene["actors"]["province_officer"])
    html = client.get(late(province="48", order=order)).content.decode()
    menu = html.split('<select id="f-order" name="order">')[1].split("</select>")[0]
    values = ["district", "name", "state", "activity"]
    with translation.override("th"):
        labels = [translation.gettext(w) for w in ("district", "name", "state", "last activity")]
    assert re.findall(r'<option value="(\w+)" (selected)?>([^<]*)</option>', menu) == [
        (v, "selected" if v == order else "", label)
        for v, label in zip(values, labels, strict=True)
    ]


class TestTheCrowd:
    """The late list's filters, pages and sort orders over the crowd (`crowd_once`): written once
    for these tests, not once per test."""

    @pytest.mark.parametrize(
        ("actor", "scope"), [("province_officer", {"province": "48"}), ("district_officer", {})]
    )
    @pytest.mark.parametrize(
        ("filters", "meaning"), FILTERS, ids=[urlencode(f) or "none" for f, _m in FILTERS]
    )
    def test_the_late_exports_hold_exactly_the_rows_the_page_counts_with_the_same_filters(
        self, client, crowd, scene, actor, scope, filters, meaning
    ):
        login(client, scene["actors"][actor])
        expected = expected_late(crowd, AREA[actor], **meaning)
        count, codes = all_pages(client, {**scope, **filters})
        assert count == len(codes) == len(expected)
        assert set(codes) == expected
        for fmt, read in (("csv", read_csv), ("xlsx", read_xlsx)):
            rows = read(client.get(export("late", fmt, **scope, **filters)))
            assert rows[0] == LATE_HEADERS
            # the same rows, in the page's order
            assert [str(r[0]) for r in lao_rows(rows)] == codes

    def test_the_crowd_runs_over_more_than_one_page_and_the_pager_keeps_the_filters(
        self, client, crowd, scene
    ):
        login(client, scene["actors"]["province_officer"])
        query = {"province": "48", "in_district": "4801"}
        expected = expected_late(crowd, {"4801", "4802"}, in_district="4801")
        assert len(expected) > 50
        first = client.get(late(**query))
        page = first.context["page"]
        assert (page.number, page.paginator.num_pages, len(page.object_list)) == (1, 2, 50)
        html = first.content.decode()
        assert 'href="?province=48&amp;in_district=4801&amp;page=2"' in html
        second = client.get(late(**query, page=2))
        assert len(second.context["page"].object_list) == len(expected) - 50
        assert 'href="?province=48&amp;in_district=4801&amp;page=1"' in second.content.decode()
        assert (
            client.get(late(**query, page=99)).context["page"].number == 2
        )  # past the end: the last page
        assert client.get(late(**query, page="x")).context["page"].number == 1

    @pytest.mark.parametrize("order", ["district", "name", "state", "activity", "nonsense"])
    def test_each_sort_order_of_the_late_list_holds_on_the_page_and_in_the_file(
        self, client, crowd, scene, order
    ):
        login(client, scene["actors"]["province_officer"])
        count, codes = all_pages(client, {"province": "48", "order": order})
        expected = sorted(
            expected_late(crowd, {"4801", "4802"}),
            key=sort_key("district" if order == "nonsense" else order, crowd),
        )
        assert codes == expected
        assert [
            r[0]
            for r in lao_rows(
                read_csv(client.get(export("late", "csv", province="48", order=order)))
            )
        ] == expected

    def test_sorting_by_last_activity_puts_laos_that_never_started_first(
        self, client, crowd, scene
    ):
        """PostgreSQL sorts NULLs last, SQLite first: the list must not depend on the database."""
        login(client, scene["actors"]["province_officer"])
        _count, codes = all_pages(client, {"province": "48", "order": "activity"})
        silent = [code for code in codes if crowd[code][3] is None]
        assert codes[: len(silent)] == silent and len(silent) > 1
        dates = [crowd[code][3] for code in codes[len(silent) :]]
        assert dates == sorted(dates)


def test_the_district_filter_is_offered_to_provincial_officers_with_their_districts_only(
    client, scene
):
    login(client, scene["actors"]["province_officer"])
    html = client.get(late(province="48")).content.decode()
    assert 'name="in_district"' in html
    assert set(re.findall(r'<option value="(\d{4})"', html)) == {"4801", "4802"}
    login(client, scene["actors"]["district_officer"])
    assert 'name="in_district"' not in client.get(late()).content.decode()


# The oldest request waiting in each officer's dashboard, and where its link leads: reviewers to
# the review page, district officers (who follow requests, not decide them) to the request.
OLDEST = {
    "district_officer": ("6480199", "request"),
    "other_district_officer": (None, None),
    "province_officer": ("6480199", "review"),
    "other_province_officer": ("6500101", "review"),
    "dla_officer": ("6500101", "review"),  # submitted on 9 April, before 6480199
}


@pytest.mark.parametrize(("actor", "expected"), OLDEST.items())
def test_the_oldest_waiting_request_links_to_a_page_the_officer_may_open(
    client, scene, actor, expected
):
    from onboarding.models import VerificationRequest

    code, page = expected
    login(client, scene["actors"][actor])
    response = client.get(HOME[actor])
    oldest = response.context["data"]["oldest_waiting"]
    html = response.content.decode()
    if code is None:
        assert oldest is None and 'id="oldest-waiting"' not in html
        return
    assert oldest.organization.dla_code == code
    vr = VerificationRequest.objects.get(organization__dla_code=code, state="submitted")
    link = re.search(r'<a id="oldest-waiting" href="([^"]+)"', html).group(1)
    assert link == reverse(f"onboarding:{page}", args=[vr.pk])
    assert client.get(link).status_code == 200


def test_the_files_are_named_after_the_bangkok_day(client, scene, portal_clock):
    portal_clock("2025-04-11T05:30:00+07:00")  # still 10 April in UTC
    login(client, scene["actors"]["district_officer"])
    response = client.get(export("summary", "csv"))
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="elaas-summary-district-4801-20250411.csv"'
    )


def test_a_name_that_looks_like_a_formula_stays_text_in_the_xlsx(client, scene, places):
    import zipfile
    from io import BytesIO

    tricky = lao(places.other_lao.district, 5, name_th="ฌทดสอบ")
    staff(tricky, full_name='=HYPERLINK("http://example.com/x","click")', phone="+66 42 000 000")
    login(client, scene["actors"]["other_district_officer"])
    response = client.get(export("late", "xlsx"))
    sheet = zipfile.ZipFile(BytesIO(response.content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<hyperlink" not in sheet
    row = {r[0]: r for r in read_xlsx(response)[1:]}["6480205"]
    assert row[10:12] == ['=HYPERLINK("http://example.com/x","click")', "+66 42 000 000"]


# Drilling down from each officer's home: (actor, the links followed from the breakdown tables)
DRILL = {
    "dla_officer": [
        "/compliance/country/",
        "/compliance/province/48/",
        "/compliance/district/4801/",
        "/compliance/lao/6480199/",
    ],
    "province_officer": [
        "/compliance/province/48/",
        "/compliance/district/4802/",
        "/compliance/lao/6480299/",
    ],
    "district_officer": ["/compliance/district/4801/", "/compliance/lao/5480102/"],
}
CRUMBS = {
    "/compliance/country/": ["ทั่วประเทศ"],
    "/compliance/province/48/": ["ทั่วประเทศ", "จังหวัดนครพนม"],
    "/compliance/district/4801/": ["ทั่วประเทศ", "จังหวัดนครพนม", "อำเภอเมืองนครพนม"],
    "/compliance/lao/6480199/": ["ทั่วประเทศ", "จังหวัดนครพนม", "อำเภอเมืองนครพนม", "อบต.ทดสอบ"],
}


@pytest.mark.parametrize(("actor", "path"), DRILL.items())
def test_an_officer_drills_down_from_their_home_through_the_breakdown_links(
    client, scene, actor, path
):
    login(client, scene["actors"][actor])
    response = client.get("/compliance/", follow=True)
    assert response.redirect_chain[-1][0] == path[0]
    for here, there in itertools.pairwise(path):
        html = client.get(here).content.decode()
        table = html.split('id="breakdown"')[1].split("</table>")[0]
        assert f'href="{there}"' in table
        response = client.get(there)
        assert response.status_code == 200
    if actor == "dla_officer":
        for url, names in CRUMBS.items():
            crumbs = (
                client.get(url).content.decode().split('class="small crumbs"')[1].split("</nav>")[0]
            )
            assert re.findall(r">([^<>]+)</(?:a|span)>", crumbs) == names


# --- the files: one contact a column group, total rows (issue 24) --------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_phone_number_of_an_lao_has_a_cell_of_its_own(client, scene, fmt):
    rejected = scene["places"].lao.district.organizations.get(dla_code="6480103")
    staff(rejected, full_name="สมหญิง รักงาน", phone="042-511-234", position="finance_director")
    login(client, scene["actors"]["province_officer"])
    rows = (read_csv if fmt == "csv" else read_xlsx)(
        client.get(export("late", fmt, province="48", district="4801"))
    )
    assert rows[0][-6:] == [
        "เจ้าหน้าที่ 1",
        "โทรศัพท์ 1",
        "อีเมล 1",
        "เจ้าหน้าที่ 2",
        "โทรศัพท์ 2",
        "อีเมล 2",
    ]
    first = rows[0].index("เจ้าหน้าที่ 1")
    width = len(rows[0])
    by_code = {str(r[0]): r + [""] * (width - len(r)) for r in lao_rows(rows)}  # xlsx: no blanks
    assert by_code["6480103"][first:] == [
        "สมชาย รักดี",
        "089-876-5432",
        by_code["6480103"][first + 2],
        "สมหญิง รักงาน",
        "042-511-234",
        by_code["6480103"][first + 5],
    ]
    assert by_code["6480199"][first:] == [
        "สมศรี ใจดี",
        "081-234-5678",
        "lao-clerk@test.example",
        "",
        "",
        "",
    ]
    for row in lao_rows(rows):
        for cell in row:
            assert ";" not in str(cell)  # no cell holds two contacts


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_late_file_ends_with_a_total_row_per_province_and_one_for_all(client, scene, fmt):
    login(client, scene["actors"]["dla_officer"])
    rows = (read_csv if fmt == "csv" else read_xlsx)(client.get(export("late", fmt)))
    laos = lao_rows(rows)
    assert rows[-3:] == total_rows(rows)  # after the LAOs
    nakhon_phanom, chiang_mai, everything = total_rows(rows)
    in_48 = [r for r in laos if r[4] == "นครพนม"]
    assert nakhon_phanom[:6] == [
        TOTAL,
        "จังหวัดนครพนม",
        "",
        "",
        "นครพนม",
        f"ยังไม่ยืนยัน {len(in_48)} แห่ง",
    ]
    assert chiang_mai[1] == "จังหวัดเชียงใหม่"
    assert everything[1] == "ทุกจังหวัดในไฟล์นี้"
    assert everything[5] == f"ยังไม่ยืนยัน {len(laos)} แห่ง"
    verified = sum(int(r[6].split(" จาก ")[0]) for r in laos)
    required = sum(int(r[6].split(" จาก ")[1]) for r in laos)
    assert everything[6] == f"{verified} จาก {required}"


def test_a_province_s_late_file_has_its_one_total_row(client, scene):
    login(client, scene["actors"]["province_officer"])
    rows = read_csv(client.get(export("late", "csv", province="48")))
    [total] = total_rows(rows)
    assert total[1] == "จังหวัดนครพนม"
    assert total[5] == f"ยังไม่ยืนยัน {len(lao_rows(rows))} แห่ง"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_summary_file_ends_with_the_province_s_total(client, scene, fmt):
    login(client, scene["actors"]["province_officer"])
    rows = (read_csv if fmt == "csv" else read_xlsx)(
        client.get(export("summary", fmt, province="48"))
    )
    *districts, total = rows[1:]
    assert total[:2] == [TOTAL, "จังหวัดนครพนม"]
    numbers = normalised([total[2:12], *(d[2:12] for d in districts)])
    sums = [sum(column) for column in zip(*numbers[1:], strict=True)]
    assert numbers[0][:7] == sums[:7]  # LAOs in all and by state
    assert numbers[0][8:] == sums[8:]  # units, logged in


def test_a_district_s_late_file_names_the_district_in_its_total_row(client, scene):
    login(client, scene["actors"]["district_officer"])
    rows = read_csv(client.get(export("late", "csv")))
    [total] = total_rows(rows)
    assert total[:2] == [TOTAL, "อำเภอเมืองนครพนม"]
    assert total[5] == f"ยังไม่ยืนยัน {len(lao_rows(rows))} แห่ง"
