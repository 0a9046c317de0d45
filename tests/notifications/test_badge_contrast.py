"""The inbox badge in the menu meets WCAG 2.1 AA contrast (4.5:1 for its small text): it used to
inherit the header's white text on the badge's #e8e8e8 (1.2:1)."""

import re
from pathlib import Path

from django.conf import settings

from tests.actors import login

CSS = Path(settings.BASE_DIR) / "static" / "css" / "portal.css"


def _luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of #rgb or #rrggbb."""
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _declarations(css: str, selector: str) -> dict[str, str]:
    match = re.search(r"(?m)^" + re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert match, selector
    pairs = (d.split(":", 1) for d in match[1].split(";") if ":" in d)
    return {k.strip(): v.strip() for k, v in pairs}


def _resolve(value: str, css: str) -> str:
    var = re.fullmatch(r"var\((--[\w-]+)\)", value)
    if var:
        return re.search(re.escape(var[1]) + r":\s*(#[0-9a-fA-F]{3,6})", css)[1]
    return {"white": "#fff"}.get(value, value)


def test_the_measure_gives_the_known_ratios():
    assert round(contrast("#fff", "#000"), 1) == 21.0
    assert round(contrast("#fff", "#e8e8e8"), 2) == 1.23  # what the badge was


def test_the_menu_badge_meets_wcag_aa(client, actors):
    css = CSS.read_text()
    badge = _declarations(css, "header.top .badge")
    ratio = contrast(_resolve(badge["color"], css), _resolve(badge["background"], css))
    assert ratio >= 4.5, ratio
    # and the badge is where that rule applies: inside the header's menu
    from .test_views import note

    clerk = actors["lao_clerk"]
    note(clerk)
    login(client, clerk)
    page = client.get("/my/").content.decode()
    header = page.split('<header class="top"')[1].split("</header>")[0]
    assert '<span class="badge">' in header
