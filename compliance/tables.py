"""The narrow layout's cell labels of the compliance tables, as one stylesheet per language.

On a narrow screen a responsive table shows each row as a card, its head hidden, each cell
introduced by its column's name. The name used to be written into every cell (`data-label`),
the same Thai words on each of hundreds of cells; here each table's column names are written
once, in a stylesheet served from the portal (`style-src 'self'`: no inline styles), one rule a
column: `#late > tbody > tr > td:nth-child(3)::before { content: "สถานะ: " }`. Generated
content is read by screen readers as the `data-label` text was, so the card still says which
column each value is in.

Each entry lists the column heads of one table in order, exactly as the table's `<thead>` has
them (tests/compliance/test_tables_css.py compares them with the rendered pages).
"""

from __future__ import annotations

import functools
import hashlib

from django.utils import translation
from django.utils.translation import gettext as _

from .states import columns

NARROW = "40rem"  # static/css/portal.css's breakpoint of table.responsive
VERSION = 1  # raise when a table's columns change, so browsers fetch the new stylesheet


def tables() -> dict[str, list[str]]:
    """CSS selector of each table → its column heads, in the active language."""
    state_labels = [label for _value, label, _anchor in columns()]
    by_area = [_("LAOs"), *state_labels, _("Share verified"), _("Units logged in")]
    return {
        "#late": [
            _("LAO"),
            _("District"),
            _("State"),
            _("Required positions"),
            _("Last request"),
            _("Staff to contact"),
        ],
        "#breakdown.by-province": [_("Province"), *by_area],
        "#breakdown.by-district": [_("District"), *by_area],
        "#breakdown.by-lao": [
            _("LAO"),
            _("State"),
            _("Required positions"),
            _("Units logged in"),
        ],
        "#per-day": [_("Day"), _("Verified that day"), _("Days left after it")],
        "#by-kind": [_("Kind"), _("LAOs"), *state_labels],
        "#by-circular": [_("Recipients"), _("Delivered"), _("Not acknowledged")],
    }


def css_string(text: str) -> str:
    """`text` as a CSS string: quotes, backslashes and line ends escaped."""
    escaped = "".join(
        f"\\{ord(ch):x} " if ch in '"\\\n\r\f' or ord(ch) < 0x20 else ch for ch in str(text)
    )
    return f'"{escaped}"'


@functools.cache
def stylesheet(language: str) -> str:
    """The labels' stylesheet in `language` (the same for the process's life: built once)."""
    with translation.override(language):
        rules = [
            f"{table} > tbody > tr > td:nth-child({n})::before {{ content: {css_string(label)} "
            '": "; }'
            for table, labels in tables().items()
            for n, label in enumerate(labels, start=1)
        ]
    body = "\n".join(f"  {rule}" for rule in rules)
    return (
        f"/* The column names of the compliance tables on a narrow screen ({language}). */\n"
        f"@media (max-width: {NARROW}) {{\n{body}\n"
        "  table.responsive > tbody > tr > td[colspan]::before { content: none; }\n}\n"
    )


def fingerprint(language: str) -> str:
    """A short hash of the stylesheet: its URL changes whenever its text does."""
    return hashlib.sha256(stylesheet(language).encode()).hexdigest()[:12]
