"""Templates compare domain values with enum members, never with literals (README: each value has
one home). A member a template names must exist: a misspelt one resolves to "" and the comparison
is silently false.
"""

import re
from pathlib import Path

import pytest

from elaas_portal.context_processors import ENUMS

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TAG = re.compile(r"{%.*?%}", re.S)
QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
MEMBER = re.compile(r"(?<![\w.])([A-Z][A-Za-z]*)\.([A-Z][A-Z0-9_]*)\b")
LITERAL_COMPARISON = re.compile(r"([\w.]+)\s*(?:==|!=)\s*(\"[^\"]*\"|'[^']*'|\d+)")
# What is no domain value: the page's language, a form field's name or its input's type, the
# name of a query parameter (the pagers').
NOT_DOMAIN = {"LANG", "LANGUAGE_CODE", "field.name", "field.field.widget.input_type", "k"}


def template_tags():
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix in (".html", ".txt"):
            for tag in TAG.findall(path.read_text(encoding="utf-8")):
                yield path.relative_to(TEMPLATES), tag


@pytest.mark.parametrize("name, enum", sorted(ENUMS.items()), ids=sorted(ENUMS))
def test_every_enum_the_pages_get_is_not_called_in_templates(name, enum):
    assert enum.do_not_call_in_templates, name


def test_every_enum_member_a_template_names_exists():
    named = set()
    for path, tag in template_tags():
        for name, member in MEMBER.findall(QUOTED.sub('""', tag)):
            assert name in ENUMS, f"{path}: {tag}"
            assert member in ENUMS[name].__members__, f"{path}: {tag}"
            named.add(name)
    assert named  # the check has something to check


def test_no_template_compares_a_domain_value_with_a_literal():
    found = [
        f"{path}: {tag}"
        for path, tag in template_tags()
        for left, _literal in LITERAL_COMPARISON.findall(tag)
        if left not in NOT_DOMAIN
    ]
    assert found == []
