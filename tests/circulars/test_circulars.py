"""Circulars as data: the letters load linked, search finds them in either digit set, pages show
their parts."""

import re

import pytest
from django.utils import translation

from circulars.models import Circular, CircularReference, Urgency
from circulars.services import load_circulars
from core.thai import BANGKOK
from maintenance.models import AccessRule, Discrepancy


def test_loading_twice_changes_nothing(circulars):
    history = Circular.history.count(), AccessRule.history.count()
    report = load_circulars()
    assert report.created == [] and report.updated == []
    assert (Circular.history.count(), AccessRule.history.count()) == history


def test_the_province_letter_forwards_dlas_letter(circulars):
    province, dla = circulars["province"], circulars["dla"]
    assert province.forwards == dla
    enclosure = province.references.get(kind="enclosure")
    assert enclosure.target == dla
    assert province.province.code == "48"
    assert dla.urgency == "normal" and dla.authority == 3


def test_the_disagreements_are_recorded_4_vs_5_april_and_1_vs_15_march(circulars):
    found = {
        (
            d.forwarding_value.astimezone(BANGKOK).date().isoformat(),
            d.source_value.astimezone(BANGKOK).date().isoformat(),
        )
        for d in Discrepancy.objects.filter(forwarding_circular=circulars["province"])
    }
    assert found == {("2025-04-04", "2025-04-05"), ("2025-03-01", "2025-03-15")}


@pytest.mark.parametrize(
    "query", ["๐๘๐๘.๔/ว ๑๕๔๑", "0808.4/ว 1541", "มท 0808.4 / ว1541", "๑๕๔๑", "1541", "0808.4"]
)
def test_search_finds_dlas_letter_in_either_digit_set(circulars, query):
    assert circulars["dla"] in Circular.objects.search(query)


def test_search_finds_words_of_the_subject(circulars):
    assert set(Circular.objects.search("ระบบบัญชีคอมพิวเตอร์")) == {
        circulars["dla"],
        circulars["province"],
    }
    assert list(Circular.objects.search("ไม่มีคำนี้ในหนังสือ")) == []


def test_the_list_page_searches_in_both_digit_sets(client, circulars):
    for query in ("๐๐๒๓.๕/ว ๑๕๗๘", "0023.5/ว 1578"):
        page = client.get("/circulars/", {"q": query}).content.decode()
        assert "นพ ๐๐๒๓.๕/ว ๑๕๗๘" in page


def test_the_detail_page_shows_the_parts_links_rules_and_discrepancy(client, circulars):
    page = client.get(circulars["province"].get_absolute_url()).content.decode()
    for part in (
        "นายอำเภอ ทุกอำเภอ",
        "นพ ๐๐๒๓.๕/ว ๑๓๗๕",
        "รองผู้ว่าราชการจังหวัด",
        "๐ ๔๒๕๑ ๕๗๒๐",
        "๗๙ เมษาฯ ๒๕๖๘",
        circulars["dla"].get_absolute_url(),
        "ข้อ ๑",
    ):
        assert part in page
    assert "ตั้งแต่วันที่ ๔ เมษายน ๒๕๖๘" in page and "ตั้งแต่วันที่ ๕ เมษายน ๒๕๖๘" in page  # the disagreement
    dla_page = client.get(circulars["dla"].get_absolute_url()).content.decode()
    assert circulars["province"].get_absolute_url() in dla_page  # forwarded by
    assert "2 เมษายน 2568" in dla_page


def test_the_detail_page_labels_each_reference_and_rule_by_its_kind_and_effect(client, circulars):
    letter = circulars["province"]
    page = client.get(letter.get_absolute_url()).content.decode()
    with translation.override("th"):
        shown = re.findall(r"<dt>\s*([^<]*?)\s*</dt>\s*<dd>", page)
        for kind, msgid in (
            (CircularReference.Kind.REFERENCE, "Reference (อ้างถึง)"),
            (CircularReference.Kind.ENCLOSURE, "Enclosure (สิ่งที่ส่งมาด้วย)"),
        ):
            assert (
                shown.count(translation.gettext(msgid))
                == letter.references.filter(kind=kind).count()
                == 1
            )
        for effect, css in (
            (AccessRule.Effect.ALLOW, "allowed"),
            (AccessRule.Effect.DENY, "denied"),
        ):
            rules = letter.access_rules.filter(effect=effect).count()
            assert page.count(f'<span class="{css}">{effect.label}</span>') == rules > 0


def test_only_a_letter_that_is_not_of_normal_urgency_gets_a_badge(client, circulars):
    letter = circulars["dla"]
    badge = '<span class="badge">'
    assert badge not in client.get(letter.get_absolute_url()).content.decode()
    assert badge not in client.get("/circulars/").content.decode()
    Circular.objects.filter(pk=letter.pk).update(urgency=Urgency.VERY_URGENT)
    with translation.override("th"):
        label = str(Urgency.VERY_URGENT.label)
    assert f"{badge}{label}</span>" in client.get("/circulars/").content.decode()
    detail = client.get(letter.get_absolute_url()).content.decode()
    assert re.search(rf'<span\s+class="badge">{re.escape(label)}</span>', detail)


def test_dates_are_common_era_in_english(client, circulars):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(circulars["dla"].get_absolute_url()).content.decode()
    assert "2 Apr 2025" in page


def test_an_unknown_circular_is_404(client, circulars):
    assert client.get("/circulars/999999/").status_code == 404
