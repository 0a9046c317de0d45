"""On a phone the compliance tables show each row as a card whose cells are introduced by their
column's name, taken from the labels' stylesheet (compliance/tables.py), not from the cells."""

import pytest

from tests.actors import make_user
from tests.browser.login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BEFORE = "el => getComputedStyle(el, '::before').content"


def test_a_late_lists_cells_on_a_phone_are_introduced_by_their_column_heads(
    live_server, portal_clock, page
):
    from tests.compliance.support import district, lao

    portal_clock("2025-04-10T09:00:00+07:00")
    place = district("4801", "เมืองนครพนม")
    lao(place, 1)
    officer = make_user("narrow@test.example", kind="province_officer", province=place.province)
    log_in(page, live_server.url, officer.email, totp=True)
    page.goto(f"{live_server.url}/compliance/late/?province=48")
    assert page.locator("table#late thead").is_hidden()  # the narrow layout: cards
    heads = page.locator("table#late thead th").all_inner_texts()
    cells = page.locator("table#late tbody tr").first.locator("td").all()
    assert len(cells) == len(heads) == 6
    for head, cell in zip(heads, cells, strict=True):
        assert cell.evaluate(BEFORE) == f'"{head.strip()}: "', head
    assert "data-label" not in page.content()
