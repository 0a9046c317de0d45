"""Every cache of the portal is one declared `Kept` object: its name, the parts of its key, its
version, what it depends on and how long it may lag behind (its bound). Each app declares its own
in its `caches.py` (compliance/caches.py, maintenance/caches.py, accounts/caches.py); `DECLARED`
lists them all, and tests/core/test_kept.py holds each to its promise: a change of what it depends
on is seen at once, or within its bound.

The key and the version are made here, never by hand at the call site:
- the key is `name:part:part...`, the parts in the declared order, each given by keyword;
- the version (Django's cache framework keeps `KEY_PREFIX:version:key`) is drawn from the files
  that make what is kept (the module that computes it, the templates that render it): changing
  one of them changes the version, so an instance of the new code never reads what an instance
  of the old one wrote (a rolling upgrade shares Redis between the two). Nobody bumps a number;
- `set` never keeps anything longer than the bound.

What a key does not hold, the cache may show late, up to `bound_seconds` (a new approval in the
compliance figures); what must be seen at once is in the key (the rules' fingerprint of the
status page), or drops the cache when it is written (`watch`: the rules snapshot, on every save
or delete of the models named, whoever writes it: a loader, the admin, a shell).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db.models.signals import post_delete, post_save
from django.utils.module_loading import import_string

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

# Not a Django cache: an object the process keeps in its own memory (the rules snapshot: a
# `Policy` read on every decision, never pickled). Declared all the same, with its bound.
PROCESS_MEMORY = "process memory"

DECLARED: dict[str, Kept] = {}


def sources_digest(name: str, sources: tuple[str, ...]) -> str:
    """A digest of `name` and the bytes of `sources` (paths from the project root): it changes
    when one of them does. A missing source is an error, not an empty file."""
    missing = [s for s in sources if not (ROOT / s).is_file()]
    if missing:
        raise ValueError(f"{name!r}: no such source {missing}")
    digest = hashlib.sha256(name.encode())
    for source in sources:
        digest.update(source.encode() + b"\0" + (ROOT / source).read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True, eq=False)
class Kept:
    name: str  # the key's first part, unique
    alias: str  # the Django cache: "default" (Redis, shared), "process" (each worker's memory)
    parts: tuple[str, ...]  # the key's other parts: what the cached value varies with
    sources: tuple[str, ...]  # files that make the value (paths from the project root;
    # "templates/..." for templates): the version is drawn from them
    depends_on: str  # what, when it changes, the cache must show, and how it comes to
    bound: int | str  # the longest it may lag: seconds, or the name of a setting in seconds
    watch: tuple[str, ...] = ()  # "app_label.Model": a save or delete of one calls `on_change`
    on_change: str = ""  # dotted path of the function that drops the cache (with `watch`)

    def __post_init__(self):
        if self.name in DECLARED:
            raise ValueError(f"a cache named {self.name!r} is declared twice")
        missing = [s for s in self.sources if not (ROOT / s).is_file()]
        if missing:
            raise ValueError(f"cache {self.name!r}: no such source {missing}")
        DECLARED[self.name] = self
        for label in self.watch:  # lazily: the model may not be loaded yet
            for signal in (post_save, post_delete):
                signal.connect(self._changed, sender=label, weak=False, dispatch_uid=self.name)

    def _changed(self, sender, **kwargs) -> None:
        import_string(self.on_change)()

    @property
    def bound_seconds(self) -> int:
        return int(getattr(settings, self.bound) if isinstance(self.bound, str) else self.bound)

    @functools.cached_property
    def version(self) -> int:
        """A number drawn from the sources' bytes: it changes when one of them does."""
        return int(sources_digest(self.name, self.sources)[:8], 16)

    def key(self, **parts) -> str:
        if set(parts) != set(self.parts):
            raise TypeError(f"cache {self.name!r} is keyed by {self.parts}, not {tuple(parts)}")
        return ":".join([self.name, *(str(parts[p]) for p in self.parts)])

    @property
    def cache(self):
        return caches[self.alias]

    def get(self, **parts):
        return self.cache.get(self.key(**parts), version=self.version)

    def set(self, value, seconds: float | None = None, **parts) -> None:
        """Keep `value` for `seconds` (whole seconds; at most the bound; nothing under one)."""
        seconds = self.bound_seconds if seconds is None else min(seconds, self.bound_seconds)
        if seconds >= 1:
            self.cache.set(self.key(**parts), value, int(seconds), version=self.version)
