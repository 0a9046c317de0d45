"""Template filters for Thai conventions: {{ value|thaidate }} is 2 เม.ย. 2568 in Thai,
2 Apr 2025 in English."""

import datetime as dt
import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

from core import thai
from core.text import keep_terms_together

register = template.Library()


def _lang() -> str:
    return get_language() or "th"


_ENGLISH_HALF = re.compile(r"\s/\s(?=[A-Za-z])")


@register.filter
def own_language(value):
    """A note kept as "Thai / English" (the circulars' data) in the page's language: the Thai
    half on Thai pages, the English half on English ones; other text as it is."""
    text = str(value or "")
    parts = _ENGLISH_HALF.split(text, maxsplit=1)
    if len(parts) != 2:
        return text
    return parts[0].strip() if _lang().startswith("th") else parts[1].strip()


@register.filter
def thaidate(value):
    return thai.format_date(value, _lang())


@register.filter
def thaidate_full(value):
    return thai.format_date(value, _lang(), full=True)


@register.filter
def thaidatetime(value):
    return thai.format_datetime(value, _lang())


@register.filter
def thaidigits(value):
    return thai.to_thai_digits(value)


@register.filter
def isodate(value):
    return value.isoformat() if value else ""


@register.simple_tag
def bilingual(th, en):
    """Pick the Thai or the English of a pair held as data (reasons, labels), its terms kept on
    one line (`keep`)."""
    return keep(th if _lang().startswith("th") else en)


@register.filter(is_safe=True)
def keep(value):
    """`value` with each core.thai.KEEP_TOGETHER term in `<span class="keep">` (white-space:
    nowrap): "ยืนยันตัว|ตน" and "New e-|LAAS" are never broken at a line's end. Text is escaped
    first; markup already safe (a `blocktranslate … asvar`) keeps its tags and attributes as they
    are (core.text.keep_terms_together)."""
    if value is None:
        return ""
    html = value if isinstance(value, SafeData) else conditional_escape(str(value))
    return mark_safe(keep_terms_together(str(html)))  # noqa: S308 - escaped or safe above


@register.filter
def last_moment(value):
    """The last second before an exclusive end: 22 Apr 00:00 is shown as 21 Apr 23:59:59."""
    if value is None:
        return ""
    return thai.format_datetime(value - dt.timedelta(seconds=1), _lang())


@register.filter
def deadline(value):
    """An exclusive end as a deadline: 'ภายในวันที่ ๒๑ เมษายน ๒๕๖๘' (core.thai.format_deadline)."""
    return thai.format_deadline(value, _lang())


@register.filter
def since(value):
    """A start as a Thai letter writes it: 'ตั้งแต่วันที่ ๔ เมษายน ๒๕๖๘' (core.thai.format_since)."""
    return thai.format_since(value, _lang())


@register.filter
def boundary(value, field):
    """A window's side as a letter writes it: an end ("ends_at") as a deadline, a start as
    'ตั้งแต่วันที่ …'."""
    if field == "ends_at":
        return thai.format_deadline(value, _lang())
    return thai.format_since(value, _lang())


@register.simple_tag
def window(start, end):
    """A window as a Thai letter writes it: 'ระหว่างวันที่ ๕ – ๒๑ เมษายน ๒๕๖๘'."""
    return thai.format_window(start, end, _lang())


@register.filter
def reason(decision):
    """A policy decision's reason in the current language."""
    return decision.reason(_lang()) if decision is not None else ""


@register.filter
def thaidatetime_th(value):
    """Always Thai (Buddhist era), whatever the request's language: for bilingual e-mail."""
    return thai.format_datetime(value, "th") if value else ""


@register.filter
def thaidatetime_en(value):
    return thai.format_datetime(value, "en") if value else ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key) if hasattr(mapping, "get") else key
