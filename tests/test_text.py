"""core.text: invisible direction and width controls out of what people type."""

import pytest

from core.text import strip_invisible

CONTROLS = (
    [chr(c) for c in range(0x200B, 0x2010)]  # zero-width space, (non-)joiner, LRM, RLM
    + [chr(c) for c in range(0x202A, 0x202F)]  # embeddings and overrides
    + [chr(c) for c in range(0x2066, 0x206A)]  # isolates
    + ["\ufeff", "\u061c"]  # zero-width no-break space (BOM), Arabic letter mark
)


@pytest.mark.parametrize("control", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_each_control_is_stripped_wherever_it_stands(control):
    assert strip_invisible(f"{control}ab{control}c{control}") == "abc"


@pytest.mark.parametrize(
    "text",
    ["สมศรี ใจดี", "ผู้ใหญ่ลี ศรีสุข", "order (1).pdf", "Jean-Luc O'Neill", "عبد الله", "  a  b  "],
)
def test_ordinary_text_of_any_script_is_left_as_it_is(text):
    assert strip_invisible(text) == text


def test_nothing_gives_an_empty_text():
    assert strip_invisible(None) == "" and strip_invisible("") == ""


def test_the_neighbouring_characters_are_kept():
    """U+200A (hair space), U+2010 (hyphen), U+2029, U+202F (narrow no-break space), U+2065,
    U+206A, U+FEFE are just outside the stripped ranges."""
    kept = "\u200a\u2010\u2029\u202f\u2065\u206a\ufefe"
    assert strip_invisible(kept) == kept
