"""The late list's rows as its page writes them, each string made here once per page.

A drawn late list spent most of its CPU in the template: 50 rows, each with two includes (the
district's link, the positions' list), a `{% url %}`, a `reverse` per district link and a label
looked up and translated per cell (bench/late_cpu.py: ~56-59 ms a page of province 30). The
template's loop now only reads these strings; every label is made once per value and page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import thai
from onboarding.positions import PositionState, group_label

from .states import LaoState


@dataclass(frozen=True)
class PositionCell:
    label: str  # "chief executive or permanent secretary"
    state: str  # the PositionState value, for the CSS class
    state_label: str


def late_rows(laos: list) -> list:
    """`laos` (from `stats.with_positions`) with what each cell shows: `url`, `district_url`,
    `district_title`, `province_name`, `state_label`, `verified_text`, `cells` (the required
    positions), `last_activity_text` and `staff_html` (the staff to call, escaped), in the active
    language."""
    lang = get_language() or "th"
    lao_states = {s.value: str(s.label) for s in LaoState}
    position_states = {s.value: str(s.label) for s in PositionState}
    group_labels: dict[tuple, str] = {}
    districts: dict[int, tuple[str, str, str]] = {}
    for org in laos:
        org.url = reverse("compliance:lao", args=[org.dla_code])
        district = org.district
        if district.pk not in districts:
            districts[district.pk] = (
                district.get_absolute_url(),
                district.title,
                district.province.name_th,
            )
        org.district_url, org.district_title, org.province_name = districts[district.pk]
        org.state_label = lao_states.get(org.state, org.state)
        org.verified_text = _("%(k)s of %(n)s verified") % {
            "k": org.positions_verified,
            "n": len(org.positions),
        }
        cells = []
        for row in org.positions:
            if row.positions not in group_labels:
                group_labels[row.positions] = group_label(row.positions)
            state = str(row.state)
            cells.append(
                PositionCell(group_labels[row.positions], state, position_states.get(state, state))
            )
        org.cells = cells
        org.last_activity_text = (
            thai.format_date(org.last_activity, lang) if org.last_activity else ""
        )
        org.staff_html = staff_html(org.staff)
    return laos


def staff_html(roles) -> SafeString:
    """Each staff member's name (or e-mail address), phone and e-mail address as links, one a
    line; every value escaped."""
    lines = []
    for role in roles:
        user = role.user
        phone = format_html('<a href="tel:{}">{}</a>', user.phone, user.phone) if user.phone else ""
        lines.append(
            format_html(
                '{}\n{}\n<a href="mailto:{}">{}</a>',
                user.full_name or user.email,
                phone,
                user.email,
                user.email,
            )
        )
    return mark_safe("<br>\n".join(lines))  # noqa: S308 - each part made by format_html
