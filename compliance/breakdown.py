"""The dashboard's breakdown table (the provinces of the country, the districts of a province,
the LAOs of a district): sorted and filtered as the officer asks with GET parameters.

`?order=` one of `BreakdownOrder` (by code, the default; by name in Thai dictionary order; by
share verified, lowest first; by the number not yet verified, most first) and `?name=` words of
the name, or a code in Thai or Arabic digits. A value that cannot be read never fails the page:
it is dropped, the default shown, and a Thai message says what was expected.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import params
from core.db import ThaiCollate
from core.thai import to_arabic_digits
from registry.models import District, Organization, Province

from .scope import ScopeLevel
from .states import LaoState

NAME_MAX = 100


class BreakdownOrder(TextChoices):
    CODE = "code", gettext_lazy("code")
    NAME = "name", gettext_lazy("name (Thai dictionary order)")
    SHARE = "share", gettext_lazy("share verified, lowest first")
    NOT_VERIFIED = "not_verified", gettext_lazy("not yet verified, most first")


@dataclass(frozen=True)
class Breakdown:
    order: str = BreakdownOrder.CODE
    name: str = ""
    errors: tuple[str, ...] = ()

    @property
    def key(self) -> tuple:
        """What the drawn table depends on, for the cache key."""
        return (self.order, self.name, self.errors)

    @property
    def digest(self) -> str:
        """`key` as one short cache-key part (the name filter is free text)."""
        return hashlib.sha256(repr(self.key).encode()).hexdigest()[:16]


def read(query) -> Breakdown:
    """The breakdown's order and name filter from `query` (request.GET)."""
    errors = []
    order = (query.get("order") or "").strip() or BreakdownOrder.CODE
    if order not in BreakdownOrder.values:
        errors.append(
            _("“%(value)s” is not a way to sort this table: it is shown by code.")
            % {"value": order[:40]}
        )
        order = BreakdownOrder.CODE
    try:
        name = params.text(query.get("name"), "name", max_length=NAME_MAX)
    except params.BadParameter as exc:
        errors.append(exc.message)
        name = ""
    return Breakdown(order=order, name=name, errors=tuple(errors))


_MODELS = {
    ScopeLevel.PROVINCE: Province,
    ScopeLevel.DISTRICT: District,
    ScopeLevel.LAO: Organization,
}


def _thai_rank(level: str, pks: list[int]) -> dict[int, int]:
    """Each row's place in Thai dictionary order of its Thai name (PostgreSQL's ICU collation,
    `core.db.ThaiCollate`), in one query."""
    ordered = (
        _MODELS[level]
        .objects.filter(pk__in=pks)
        .order_by(ThaiCollate("name_th").asc(), "pk")
        .values_list("pk", flat=True)
    )
    return {pk: i for i, pk in enumerate(ordered)}


def _matches(child: dict, words: str) -> bool:
    digits = to_arabic_digits(words)
    if digits.isdigit():
        return str(child["code"]).startswith(digits)
    folded = words.casefold()
    return folded in child["name_th"].casefold() or folded in (child["name_en"] or "").casefold()


def apply(children: list[dict], level: str, breakdown: Breakdown) -> list[dict]:
    """The rows of the table, filtered and sorted; ties keep the order by code."""
    rows = list(children)
    if breakdown.name:
        rows = [c for c in rows if _matches(c, breakdown.name)]
    if breakdown.order == BreakdownOrder.NAME and rows:
        rank = _thai_rank(level, [c["object"].pk for c in rows])
        rows.sort(key=lambda c: rank.get(c["object"].pk, len(rank)))
    elif breakdown.order == BreakdownOrder.SHARE:
        rows.sort(key=lambda c: c["share_verified"])
    elif breakdown.order == BreakdownOrder.NOT_VERIFIED:
        rows.sort(key=lambda c: -(c["laos"]["total"] - c["laos"][LaoState.VERIFIED]))
    return rows
