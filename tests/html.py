"""Pages as a person reads them, for tests that look for a sentence in a page's HTML."""

import re

from core.text import KEEP_CLASS

# core.text.keep_terms_together wraps each term a line must not break inside, and nothing else,
# in this span: the term's text alone, no tag inside.
_KEPT = re.compile(rf'<span class="{KEEP_CLASS}">([^<]*)</span>')


def without_keep_spans(html: str) -> str:
    """`html` with each `<span class="keep">term</span>` back to `term` (and every other tag
    as it was): a sentence holding such a term reads as it was written."""
    return _KEPT.sub(r"\1", html)
