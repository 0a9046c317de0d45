"""Text people type or send us, made safe to show: invisible direction and width controls removed.

Bidirectional overrides and isolates can make "gpj.exe" read as "exe.jpg", and zero-width
characters make two names that look the same compare different. They have no place in a person's
name or a file name, so every such text goes through `strip_invisible` before it is kept.
"""

import re

from core.thai import KEEP_TOGETHER

# Zero-width space, non-joiner, joiner; left-to-right and right-to-left marks (U+200B-U+200F);
# the embeddings and overrides (U+202A-U+202E); the isolates (U+2066-U+2069); the byte order mark
# used as a zero-width no-break space (U+FEFF); the Arabic letter mark (U+061C).
INVISIBLE_CONTROLS = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c]")


def strip_invisible(text: str) -> str:
    """`text` without bidirectional and zero-width control characters (None gives "")."""
    return INVISIBLE_CONTROLS.sub("", text or "")


# --- terms kept on one line (core.thai.KEEP_TOGETHER) -------------------------------------------

# Elements whose text is no place for markup: a span there would show as text, or break them.
_NO_MARKUP_IN = frozenset({"script", "style", "textarea", "title", "option", "pre", "template"})
_TAG = re.compile(r"<!--.*?-->|<(/?)([A-Za-z][A-Za-z0-9-]*)\b[^>]*>", re.S)


_TERMS = re.compile("|".join(re.escape(t) for t in sorted(KEEP_TOGETHER, key=len, reverse=True)))
KEEP_CLASS = "keep"  # portal.css: .keep { white-space: nowrap }
_KEEP = rf'<span class="{KEEP_CLASS}">\g<0></span>'


def keep_terms_together(html: str) -> str:
    """Wrap each KEEP_TOGETHER term in the text of an HTML page in `<span class="keep">`, so that
    no line breaks inside it ("ยืนยันตัว|ตน", "New e-|LAAS"). Only text between tags changes:
    never a tag, an attribute or a comment, nor the text of the elements in _NO_MARKUP_IN."""
    if not _TERMS.search(html):  # a page without any: no copy made
        return html
    out, pos, inside = [], 0, None
    for tag in _TAG.finditer(html):
        text = html[pos : tag.start()]
        out.append(text if inside else _TERMS.sub(_KEEP, text))
        out.append(tag.group(0))
        closing, name = tag.group(1), (tag.group(2) or "").lower()
        if inside is None and not closing and name in _NO_MARKUP_IN:
            inside = name
        elif inside == name and closing:
            inside = None
        pos = tag.end()
    tail = html[pos:]
    out.append(tail if inside else _TERMS.sub(_KEEP, tail))
    return "".join(out)


# Thai vowels written before their consonant: a family name's first letter is the consonant after.
_LEADING_VOWELS = "เแโใไ"


def mask_name(full_name: str, email: str = "") -> str:
    """A person's name as shown to someone who needs to recognise it, not to learn it (PDPA):
    the given name whole, the family name by its first letter ("สมศรี ใจดี" → "สมศรี ใจ***",
    "เ" and the other leading vowels kept with the consonant they precede); a title before the
    name stays. Without a name, the e-mail address's first two characters and its domain."""
    words = strip_invisible(full_name).split()
    if not words:
        local, _, domain = (email or "").partition("@")
        return f"{local[:2]}***@{domain}" if domain else "***"
    if len(words) == 1:
        return words[0]
    family = words[-1]
    keep = 2 if family[0] in _LEADING_VOWELS else 1
    return " ".join([*words[:-1], family[:keep] + "***"])
