"""The late list's rows as its page writes them: each row's HTML made here, once per page.

A drawn late list spent most of its CPU in the template: 50 rows, each with two includes (the
district's link, the positions' list), a `{% url %}`, a `reverse` per district link and a label
looked up and translated per cell (bench/late_cpu.py: ~56-59 ms a page of province 30). The
row's strings were then made here once per page (rows.py, 1f52b50), but the template still
resolved some twenty variables per row and four per position (bench/late_cpu.py province 30:
~20 of ~60 ms in the template). Each row's `<tr>` is now written here with every value escaped
as the template escaped it, line for line what the template wrote once its indentation is
dropped (`compliance.pages.sent`); the template's loop prints one string per row.
"""

from __future__ import annotations

import html

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import thai
from onboarding.positions import PositionState, group_label

from .states import LaoState

_ROW = (
    "<tr>\n<td>\n"
    '<a href="{url}">{name}</a>\n'
    '<span class="small">{code}</span>\n'
    "</td>\n"
    '<td><a href="{district_url}">{district}</a>, {province}</td>\n'
    "<td>\n"
    '<span class="state state-{state}">{state_label}</span>\n'
    "</td>\n"
    "<td>\n"
    "{verified}\n"
    '<ul class="positions small">\n'
    "{cells}\n"
    "</ul>\n"
    "</td>\n"
    "<td>\n"
    "{last_activity}\n"
    "</td>\n"
    "<td>\n"
    "\n{staff}\n\n"
    "</td>\n"
    "</tr>"
)


def _esc(value) -> str:
    """`value` as the template wrote it: as is if already safe, else escaped as Django's
    `escape` does (the standard library's `html.escape`, without Django's lazy-string wrapper: it
    was a third of this module's CPU)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _lao_url(code: str, prefix: str) -> str:
    """The LAO's page: `reverse` once per page for the prefix; a code of ASCII digits needs no
    quoting (any other code is reversed as before)."""
    if code.isascii() and code.isdigit():
        return f"{prefix}{code}/"
    return reverse("compliance:lao", args=[code])


_CELL = '\n<li>{label}: <span class="state state-{state}">{state_label}</span></li>\n'


def late_rows(laos: list) -> list:
    """`laos` (from `stats.with_positions`), each with `row_html`: its table row (the LAO's link
    and code, the district's link and the province, the state, 'k of n verified' and each
    required position's state, the last request's date, the staff to call), every value escaped,
    in the active language."""
    lang = get_language() or "th"
    esc = _esc
    prefix = reverse("compliance:lao", args=["0"]).removesuffix("0/")
    lao_states = {s.value: esc(str(s.label)) for s in LaoState}
    position_states = {s.value: esc(str(s.label)) for s in PositionState}
    group_labels: dict[tuple, str] = {}
    districts: dict[int, tuple[str, str, str]] = {}
    no_staff = format_html('<span class="muted">{}</span>', _("no staff account"))
    for org in laos:
        district = org.district
        if district.pk not in districts:
            districts[district.pk] = (
                esc(district.get_absolute_url()),
                esc(district.title),
                esc(district.province.name_th),
            )
        district_url, district_title, province_name = districts[district.pk]
        cells = []
        for row in org.positions:
            if row.positions not in group_labels:
                group_labels[row.positions] = esc(group_label(row.positions))
            state = str(row.state)
            cells.append(
                _CELL.format(
                    label=group_labels[row.positions],
                    state=esc(state),
                    state_label=position_states.get(state) or esc(state),
                )
            )
        state = str(org.state)
        verified = _("%(k)s of %(n)s verified") % {
            "k": org.positions_verified,
            "n": len(org.positions),
        }
        org.row_html = mark_safe(  # noqa: S308 - every value escaped above or here
            _ROW.format(
                url=esc(_lao_url(org.dla_code, prefix)),
                name=esc(org.display_name),
                code=esc(org.dla_code),
                district_url=district_url,
                district=district_title,
                province=province_name,
                state=esc(state),
                state_label=lao_states.get(state) or esc(state),
                verified=esc(verified),
                cells="".join(cells),
                last_activity=esc(thai.format_date(org.last_activity, lang))
                if org.last_activity
                else "—",
                staff=staff_html(org.staff) if org.staff else no_staff,
            )
        )
    return laos


def staff_html(contacts) -> SafeString:
    """Each staff member's name (or e-mail address), phone and e-mail address as links, one a
    line; every value escaped (as `format_html` would)."""
    lines = []
    for user in contacts:  # stats.Contact
        email = _esc(user.email)
        phone = f'<a href="tel:{_esc(user.phone)}">{_esc(user.phone)}</a>' if user.phone else ""
        lines.append(
            f'{_esc(user.full_name or user.email)}\n{phone}\n<a href="mailto:{email}">{email}</a>'
        )
    return mark_safe("<br>\n".join(lines))  # noqa: S308 - every value escaped by _esc
