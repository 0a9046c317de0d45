"""What a Thai official reads, checked on a page open in Chromium: no English sentence
(tests/test_thai_pages.py's scan), no deadline in another style than "ภายในวันที่ ๒๑ เมษายน
๒๕๖๘", and no term of `core.thai.KEEP_TOGETHER` split across two lines."""

from core.thai import KEEP_TOGETHER
from tests.test_thai_pages import english_sentences, wrong_deadlines

# Each drawn occurrence of a term in the page's text, and on how many lines its glyphs sit (two
# rects are on one line when their vertical middles are less than half a line apart).
TERM_LINES_JS = """(terms) => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const term of terms) {
      let at = node.data.indexOf(term);
      while (at >= 0) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + term.length);
        const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
        const lines = [];
        for (const r of rects) {
          const middle = r.top + r.height / 2;
          if (!lines.some(m => Math.abs(m - middle) < r.height / 2)) lines.push(middle);
        }
        const where = node.parentElement;
        const context = `${where.tagName.toLowerCase()}: ${node.data.trim().slice(0, 60)}`;
        if (lines.length) out.push([term, lines.length, context]);
        at = node.data.indexOf(term, at + term.length);
      }
    }
  }
  return out;
}"""


def terms_drawn(page) -> list[tuple[str, int, str]]:
    """(term, lines, where) for each occurrence of a KEEP_TOGETHER term drawn on the page."""
    return [tuple(found) for found in page.evaluate(TERM_LINES_JS, list(KEEP_TOGETHER))]


def broken_terms(page) -> list[str]:
    """Each term drawn on more than one line, with the element and text it sits in."""
    return [f"{term} ({where})" for term, lines, where in terms_drawn(page) if lines > 1]


class Findings:
    """What the pages of a journey showed that they should not, per page."""

    def __init__(self):
        self.english: dict[str, list[str]] = {}
        self.deadlines: dict[str, list[str]] = {}
        self.broken: dict[str, list[str]] = {}
        self.pages: list[str] = []

    def check(self, page, label: str) -> None:
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "th", label
        html = page.content()
        key = f"{label} {page.url.split('//', 1)[-1].split('/', 1)[-1]}"
        self.pages.append(key)
        for found, into in (
            (english_sentences(html), self.english),
            (wrong_deadlines(html), self.deadlines),
            (broken_terms(page), self.broken),
        ):
            if found:
                into.setdefault(key, []).extend(found)

    def counts(self) -> dict[str, int]:
        return {
            name: sum(len(v) for v in getattr(self, name).values())
            for name in ("english", "deadlines", "broken")
        }
