"""The compliance pages' HTML as sent: without the templates' indentation.

Every dashboard and late list is drawn for its request. A page kept per officer (path, CSRF
cookie, badge, 30-second bucket, per worker) was removed after the morning benchmark
(bench/morning.py, README "Compliance dashboards"): with each officer opening their own pages
with their own filters about once a minute, it was rarely served, and it did not change the
mix's throughput. The figures and the dashboard's body built from them stay in Django's cache,
shared by everyone who may see the scope (`stats.cached`, `stats.cached_html`).
"""

from __future__ import annotations

import re

from django.http import HttpResponse

_INDENTATION = re.compile(rb"\n[ \t]+")


def without_indentation(html: bytes) -> bytes:
    """The page without the templates' indentation (a fifth of a province dashboard's 45 kB):
    each line break is kept, so the browser lays the page out the same. Not where whitespace is
    content (`<pre>`, `<textarea>`: no compliance page has either)."""
    if b"<pre" in html or b"<textarea" in html:
        return html
    return _INDENTATION.sub(b"\n", html)


def sent(response: HttpResponse) -> HttpResponse:
    """`response` with its HTML without indentation (a drawn page, 200 or 400)."""
    response.content = without_indentation(response.content)
    return response
