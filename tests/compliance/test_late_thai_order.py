"""The late list in Thai dictionary order (issue 24): LAO names through PostgreSQL's ICU collation
"th-TH-x-icu" (โคก… before หนอง…, a leading vowel read after its consonant), states by their Thai
label; and a "days" value that cannot be read keeps the page, with a Thai message in the form.

The names are real LAOs of Nakhon Phanom, from the DLA registry (shared/data/registry/
dla_lao_registry.csv: codes 6480113, 6480205, 6480302, 6480115, 5480309, 5480103)."""

import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from registry.models import Organization
from tests.actors import login

from .support import add_request, bangkok, district, lao

# Thai dictionary order (ราชบัณฑิตยสถาน): by first consonant ก ค ช พ ว ห; the leading vowels
# โ ไ เ do not count first. In code-point order หนองญาติ (ห, U+0E2B) would come before
# เวินพระบาท, โคกสว่าง, โพธิ์ตาก and ไชยบุรี (U+0E40–U+0E44).
REAL_LAOS = [  # (district, NN, kind, name) in Thai dictionary order
    ("4801", 13, "SAO", "กุรุคุ"),
    ("4802", 5, "SAO", "โคกสว่าง"),
    ("4803", 2, "SAO", "ไชยบุรี"),
    ("4801", 15, "SAO", "โพธิ์ตาก"),
    ("4803", 9, "SUBDISTRICT_MUNI", "เวินพระบาท"),
    ("4801", 3, "SUBDISTRICT_MUNI", "หนองญาติ"),
]

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the ICU collation is PostgreSQL's"
)


def late(**query):
    return f"{reverse('compliance:late')}?{urlencode(query)}"


@pytest.fixture
def real_laos(actors, portal_clock, circulars):
    portal_clock("2025-04-10T09:00:00+07:00")
    for code, nn, kind, name in reversed(REAL_LAOS):
        lao(district(code), nn, kind=kind, name_th=name)
    return actors


def names_on_page(html):
    wanted = {name for *_rest, name in REAL_LAOS}
    return [n for n in re.findall(r"(?:อบต\.|ทต\.)?([\u0e00-\u0e7f]+)</a>", html) if n in wanted]


@on_postgresql
def test_the_late_list_sorted_by_name_follows_thai_dictionary_order(client, real_laos):
    login(client, real_laos["province_officer"])
    html = client.get(late(province="48", order="name")).content.decode()
    assert names_on_page(html) == [name for *_rest, name in REAL_LAOS]


@on_postgresql
def test_states_are_sorted_by_their_thai_label_not_their_english_key(client, real_laos):
    from compliance.states import LaoState

    # one LAO waiting for review, one returned, one rejected, the others not started
    at = bangkok("2025-04-09 10:00")
    for code, state in (("6480113", "submitted"), ("6480205", "returned"), ("6480115", "rejected")):
        add_request(Organization.objects.get(dla_code=code), state, at=at, decided_at=at)
    login(client, real_laos["province_officer"])
    response = client.get(late(province="48", order="state"))
    with translation.override("th"):
        shown = [str(LaoState(org.state).label) for org in response.context["page"].object_list]
        keys = [org.state for org in response.context["page"].object_list]
    runs = [label for i, label in enumerate(shown) if i == 0 or shown[i - 1] != label]
    assert len(runs) == len(set(runs)) >= 3, runs  # each state together, three of them
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT s FROM unnest(%s::text[]) AS s ORDER BY s COLLATE "th-TH-x-icu"', [runs]
        )
        assert runs == [row[0] for row in cursor.fetchall()]
    english = [k for i, k in enumerate(keys) if i == 0 or keys[i - 1] != k]
    assert english != sorted(english)  # the English keys would have given another order


@pytest.mark.parametrize("typed", ["abc", "-1", "99999", "๑.๕"])
def test_a_days_value_that_cannot_be_read_keeps_the_page_with_a_thai_message(
    client, real_laos, typed
):
    login(client, real_laos["province_officer"])
    response = client.get(late(province="48", age=typed))
    assert response.status_code == 400  # like the status page's unreadable date
    html = response.content.decode()
    form = html.split('id="late-filters"')[1].split("</form>")[0]
    assert 'role="alert"' in form and "ต้องเป็นจำนวนเต็ม" in form
    assert "<table" in html  # the list itself is still shown, unfiltered by age
