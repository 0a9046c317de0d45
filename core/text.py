"""Text people type or send us, made safe to show: invisible direction and width controls removed.

Bidirectional overrides and isolates can make "gpj.exe" read as "exe.jpg", and zero-width
characters make two names that look the same compare different. They have no place in a person's
name or a file name, so every such text goes through `strip_invisible` before it is kept.
"""

import re

# Zero-width space, non-joiner, joiner; left-to-right and right-to-left marks (U+200B-U+200F);
# the embeddings and overrides (U+202A-U+202E); the isolates (U+2066-U+2069); the byte order mark
# used as a zero-width no-break space (U+FEFF); the Arabic letter mark (U+061C).
INVISIBLE_CONTROLS = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c]")


def strip_invisible(text: str) -> str:
    """`text` without bidirectional and zero-width control characters (None gives "")."""
    return INVISIBLE_CONTROLS.sub("", text or "")


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
