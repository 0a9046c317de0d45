"""Every URL pattern of the portal, as parts to fill, with the parameter names its view reads.

Walks `django.urls.get_resolver()`. The names come from reading the view's module: each
`GET.get("…")`/`POST.get("…")` in it, and the fields of every form it uses (a class-based
view's `form_class`, the Form classes a function view's module holds).
"""

import inspect
import re
import sys
from dataclasses import dataclass, field
from functools import cache

from django import forms
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_READS = re.compile(r"""(GET|POST)\.(?:get|getlist)\(\s*f?["']([^"'{}]+)["']""")

# Fields added to a form at run time, or read as a bare `"name" in request.POST`.
DYNAMIC_FIELDS = ["submit", "remove_evidence", "delivery", "next", "version"]
# Query names built at run time: the circular page's `<level>_page`.
DYNAMIC_QUERY = ["province_page", "district_page", "organization_page"]


@dataclass(frozen=True)
class Slot:
    """A variable part of a path: an int, str or path converter, or a regex group."""

    name: str
    kind: str  # "int", "str", "path", "slug", "uuid" or "regex"
    regex: str = ""


@dataclass
class Page:
    name: str
    parts: list = field(default_factory=list)  # literal strings and Slots
    callback: object = None
    get_names: list = field(default_factory=list)
    post_names: list = field(default_factory=list)

    @property
    def template(self) -> str:
        return "/" + "".join(p if isinstance(p, str) else f"<{p.name}>" for p in self.parts)

    @property
    def slots(self) -> list[Slot]:
        return [p for p in self.parts if isinstance(p, Slot)]


def _route_parts(route: str) -> list:
    parts, last = [], 0
    for m in _ROUTE_PARAM.finditer(route):
        parts.append(route[last : m.start()])
        parts.append(Slot(m["name"], m["converter"] or "str"))
        last = m.end()
    parts.append(route[last:])
    return [p for p in parts if p != ""]


def _regex_parts(regex: str) -> list:
    """Literal text and top-level groups of a URL regex such as `^(?P<key>[-:\\w]+)/$`."""
    regex = regex.removeprefix("^").removesuffix("$")
    parts, literal, i, unnamed = [], "", 0, 0
    while i < len(regex):
        c = regex[i]
        if c == "\\" and i + 1 < len(regex):
            literal += regex[i + 1]
            i += 2
        elif c == "(":
            depth, j, in_class = 0, i, False
            while j < len(regex):
                ch = regex[j]
                if ch == "\\":
                    j += 2
                    continue
                if ch == "[":
                    in_class = True
                elif ch == "]":
                    in_class = False
                elif ch == "(" and not in_class:
                    depth += 1
                elif ch == ")" and not in_class:
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            body = regex[i + 1 : j]
            if literal:
                parts.append(literal)
                literal = ""
            named = re.match(r"\?P<(\w+)>", body)
            if named:
                parts.append(Slot(named[1], "regex", body[named.end() :]))
            else:
                unnamed += 1
                parts.append(Slot(f"_{unnamed}", "regex", body))
            i = j + 1
        else:
            literal += c
            i += 1
    if literal:
        parts.append(literal)
    return parts


def _parts(pattern) -> list:
    if isinstance(pattern, RoutePattern):
        return _route_parts(str(pattern))
    if isinstance(pattern, RegexPattern):
        return _regex_parts(pattern.regex.pattern)
    raise TypeError(pattern)


def _walk(patterns, prefix, namespace):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from _walk(p.url_patterns, prefix + _parts(p.pattern), ns)
        elif isinstance(p, URLPattern):
            parts = prefix + _parts(p.pattern)
            name = namespace + (p.name or "".join(x if isinstance(x, str) else "*" for x in parts))
            yield Page(name=name, parts=parts, callback=p.callback)


# Values the forms' choice fields offer, by field name: {"decision": {"approve", ...}}.
CHOICES: dict[str, set[str]] = {}


def _form_fields(form_class) -> set[str]:
    fields = getattr(form_class, "base_fields", {})
    for name, f in fields.items():
        for value, _label in getattr(f, "choices", None) or ():
            if isinstance(value, str | int):
                CHOICES.setdefault(name, set()).add(str(value))
    return set(fields)


@cache
def _module_reads(module_name: str) -> tuple[frozenset, frozenset]:
    module = sys.modules.get(module_name)
    if module is None:
        return frozenset(), frozenset()
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        source = ""
    get_names, post_names = set(), set()
    for method, name in _READS.findall(source):
        (get_names if method == "GET" else post_names).add(name)
    for value in vars(module).values():
        if inspect.isclass(value) and issubclass(value, forms.BaseForm):
            post_names |= _form_fields(value)
            if "GET" in source and "Filter" in value.__name__:
                get_names |= _form_fields(value)
    return frozenset(get_names), frozenset(post_names)


def _names(callback) -> tuple[list[str], list[str]]:
    view = inspect.unwrap(callback)
    view_class = getattr(callback, "view_class", None) or getattr(view, "view_class", None)
    modules = {view.__module__}
    get_names, post_names = set(), set()
    if view_class is not None:
        modules.add(view_class.__module__)
        post_names |= _form_fields(getattr(view_class, "form_class", None))
    for module_name in modules:
        g, p = _module_reads(module_name)
        get_names |= g
        post_names |= p
    return sorted(get_names), sorted(post_names)


def all_pages() -> list[Page]:
    pages = list(_walk(get_resolver().url_patterns, [], ""))
    for page in pages:
        page.get_names, page.post_names = _names(page.callback)
    return pages


def everyones_names(pages: list[Page]) -> list[str]:
    names = set(DYNAMIC_FIELDS) | set(DYNAMIC_QUERY)
    for page in pages:
        names |= set(page.get_names) | set(page.post_names)
    return sorted(names)
