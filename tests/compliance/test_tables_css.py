"""The compliance tables' narrow-layout labels: written once per column in a stylesheet
(`compliance.tables`), not in every cell; the stylesheet's column names are those of each
table's head, in order, so a card on a narrow screen (and a screen reader reading it) names the
right column."""

import re

import pytest
from django.utils import translation

from compliance import tables
from tests.actors import login

from .test_query_counts import officers, populate  # noqa: F401  (the fixture)

PAGES = [
    ("dla_officer", "/compliance/country/"),
    ("province_officer", "/compliance/province/48/"),
    ("district_officer", "/compliance/district/4801/"),
    ("province_officer", "/compliance/late/?province=48"),
]


def heads(html: str) -> dict[str, list[str]]:
    """Each responsive table of the page (`#id` or `#id.class`) → the texts of its head."""
    found = {}
    for m in re.finditer(
        r'<table class="responsive( [\w-]+)?" id="([\w-]+)">(.*?)</thead>', html, re.S
    ):
        selector = f"#{m[2]}" + (f".{m[1].strip()}" if m[1] else "")
        cells = re.findall(r"<th[^>]*>(.*?)</th>", m[3], re.S)
        found[selector] = [" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in cells]
    return found


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize(("who", "url"), PAGES)
def test_each_tables_labels_in_the_stylesheet_are_its_column_heads_in_order(
    client,
    officers,  # noqa: F811
    who,
    url,
    language,  # noqa: F811
):
    populate(provinces=["48"], districts=2, laos=8)
    login(client, officers[who])
    client.cookies["django_language"] = language
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    found = heads(html)
    assert found, "no responsive table with an id on the page"
    with translation.override(language):
        declared = {k: [str(label) for label in v] for k, v in tables.tables().items()}
    for selector, texts in found.items():
        assert declared[selector] == texts, selector


@pytest.mark.parametrize(("who", "url"), PAGES)
def test_the_cells_carry_no_label_and_the_page_links_the_labels_stylesheet(
    client,
    officers,  # noqa: F811
    who,
    url,
):
    populate(provinces=["48"], districts=2, laos=8)
    login(client, officers[who])
    html = client.get(url).content.decode()
    assert "data-label" not in html
    link = re.search(r'<link rel="stylesheet" href="(/compliance/tables\.th\.\w+\.css)">', html)
    assert link, "the page does not link the labels' stylesheet"
    css = client.get(link[1])
    assert css.status_code == 200
    assert css["Content-Type"] == "text/css; charset=utf-8"
    assert "immutable" in css["Cache-Control"] and "public" in css["Cache-Control"]
    text = css.content.decode()
    assert '#late > tbody > tr > td:nth-child(3)::before { content: "สถานะ" ": "; }' in text


def test_the_stylesheet_has_one_rule_per_column_and_none_for_an_unknown_language(client, db):
    text = tables.stylesheet("en")
    assert text.count(":nth-child(") == sum(len(v) for v in tables.tables().values())
    assert 'td:nth-child(6)::before { content: "Staff to contact" ": "; }' in text
    assert client.get("/compliance/tables.xx.0.css").status_code == 404


def test_a_label_with_quotes_or_a_backslash_stays_one_css_string():
    assert tables.css_string('a "b" \\ c') == '"a \\22 b\\22  \\5c  c"'
    assert tables.css_string("สถานะ") == '"สถานะ"'
