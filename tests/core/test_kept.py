"""Every cache is one declared object (core/kept.py): its key, its version and its bound are made
there, and each has a test that a change of what it depends on is seen at once or within it."""

import ast
import datetime as dt
import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings

from core import kept

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "registry", "accounts", "maintenance", "notifications", "circulars"]
APPS += ["onboarding", "compliance", "elaas_portal"]
# Django's cache framework used for something that is not a cache of derived data: the evidence
# upload quota's counters (onboarding/quota.py), and the cache backend itself (core/cache.py).
NOT_CACHES = {"core/cache.py", "core/kept.py", "onboarding/quota.py"}


def all_declared() -> dict[str, kept.Kept]:
    for app in APPS:
        if (ROOT / app / "caches.py").exists():
            importlib.import_module(f"{app}.caches")
    return dict(kept.DECLARED)


def test_no_module_reaches_djangos_caches_but_through_a_declared_cache():
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in NOT_CACHES or "/migrations/" in relative:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == "django.core.cache":
                    found.append(f"{relative}:{node.lineno}")
    assert found == []


def test_every_declared_cache_has_its_test():
    """`test_cache_<name>_...` in a tests/*/test_caches.py for each declared cache."""
    tested = set()
    for path in ROOT.glob("tests/*/test_caches.py"):
        tested |= set(re.findall(r"^def test_cache_(\w+)\(", path.read_text(), re.M))
    for name in all_declared():
        stem = name.replace("-", "_")
        assert any(t.startswith(stem + "_") for t in tested), f"no test_cache_{stem}_…"


def test_every_declared_cache_names_its_parts_sources_and_bound():
    declared = all_declared()
    assert {
        "compliance",
        "compliance-html",
        "compliance-national",
        "status-body",
        "status-page",
    } <= (set(declared))
    for cache in declared.values():
        assert cache.sources and cache.depends_on
        # seconds, or a setting in seconds (the tests set some to 0: nothing kept)
        assert cache.bound > 0 if isinstance(cache.bound, int) else hasattr(settings, cache.bound)
        assert cache.alias in ("default", "process", kept.PROCESS_MEMORY)


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """A source file and a cache declared on it, forgotten afterwards."""
    monkeypatch.setattr(kept, "ROOT", tmp_path)
    (tmp_path / "page.html").write_text("<p>{{ n }}</p>")

    def declare(**fields):
        kept.DECLARED.pop("scratch", None)
        return kept.Kept(
            **{
                "name": "scratch",
                "alias": "process",
                "parts": ("who",),
                "sources": ("page.html",),
                "depends_on": "nothing",
                "bound": 10,
            }
            | fields
        )

    yield tmp_path, declare
    kept.DECLARED.pop("scratch", None)


def test_the_version_follows_the_sources_bytes(scratch):
    folder, declare = scratch
    first = declare()
    first.set("drawn by the old template", who=1)
    assert first.get(who=1) == "drawn by the old template"
    (folder / "page.html").write_text("<p>{{ n }} คน</p>")
    second = declare()
    assert second.version != first.version
    assert second.get(who=1) is None  # the new code never reads what the old one kept


def test_the_key_is_made_of_the_declared_parts_only(scratch):
    _, declare = scratch
    cache = declare()
    assert cache.key(who=7) == "scratch:7"
    with pytest.raises(TypeError):
        cache.key(who=7, extra=1)
    with pytest.raises(TypeError):
        cache.key()


def test_nothing_is_kept_past_the_bound(scratch, time_machine):
    _, declare = scratch
    cache = declare()
    time_machine.move_to(dt.datetime(2025, 4, 10, 2, 0, 0, tzinfo=dt.UTC), tick=False)
    cache.set("asked for an hour", 3600, who=1)
    cache.set("under a second: not kept", 0.5, who=2)
    assert cache.get(who=1) == "asked for an hour" and cache.get(who=2) is None
    time_machine.shift(10)
    assert cache.get(who=1) is None


def test_a_cache_is_declared_once_on_sources_that_exist(scratch):
    _, declare = scratch
    declare()
    with pytest.raises(ValueError, match="declared twice"):
        kept.Kept(name="scratch", alias="process", parts=(), sources=(), depends_on="", bound=1)
    with pytest.raises(ValueError, match="no such source"):
        declare(sources=("missing.html",))
