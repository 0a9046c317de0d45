"""Loading circulars as data: the letters, their links, and the access rules they carry."""

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from maintenance.models import AccessRule
from maintenance.services import record_discrepancies
from onboarding.models import District, Province

from elaas_portal.thai import normalize_number

from .models import Authority, Circular, CircularReference, Urgency

DEFAULT_DATA = Path(__file__).resolve().parent / "data" / "elaas-2568-04.json"

_AUTHORITIES = {"dla": Authority.DLA, "province": Authority.PROVINCE, "district": Authority.DISTRICT}
_LETTER_FIELDS = (
    "number", "urgency", "issuer_name", "issuer_address", "issued_on", "date_as_written",
    "date_note", "subject", "recipients", "body", "signatory", "signatory_position",
    "contact_office", "contact_phone",
)  # fmt: skip
_RULE_FIELDS = (
    "clause", "entity_type", "identity_verified", "action", "effect", "starts_at", "ends_at",
    "clause_text", "reason_th", "reason_en",
)  # fmt: skip


class CircularDataError(ValueError):
    pass


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rules: int = 0
    discrepancies: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.created) + len(self.updated) + len(self.unchanged)} circulars: "
            f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged; "
            f"{self.rules} access rules; {self.discrepancies} discrepancies with a source letter"
        )


def _instant(value):
    if value is None:
        return None
    at = dt.datetime.fromisoformat(value)
    if at.tzinfo is None:
        raise CircularDataError(f"{value!r} has no UTC offset: write +07:00 for Bangkok time")
    return at


def _letter_values(item: dict) -> dict:
    values = {name: item.get(name, "") for name in _LETTER_FIELDS}
    values["issued_on"] = dt.date.fromisoformat(item["issued_on"])
    if values["urgency"] not in Urgency.values:
        raise CircularDataError(f"{item['key']}: urgency {values['urgency']!r} is not one of {Urgency.values}")
    try:
        values["authority"] = _AUTHORITIES[item["authority"]]
    except KeyError:
        raise CircularDataError(f"{item['key']}: authority must be one of {sorted(_AUTHORITIES)}") from None
    values["province"] = values["district"] = None
    if item.get("province_code"):
        values["province"] = Province.objects.filter(code=item["province_code"]).first()
        if values["province"] is None:
            raise CircularDataError(
                f"{item['key']}: province {item['province_code']} is not in the registry; load the registry first"
            )
    if item.get("district_code"):
        values["district"] = District.objects.filter(code=item["district_code"]).first()
        if values["district"] is None:
            raise CircularDataError(f"{item['key']}: district {item['district_code']} is not in the registry")
    return values


def _rule_values(rule: dict) -> dict:
    values = {name: rule.get(name) for name in _RULE_FIELDS}
    values["starts_at"] = _instant(values["starts_at"])
    values["ends_at"] = _instant(values["ends_at"])
    for name in ("clause_text",):
        values[name] = values[name] or ""
    return values


def _rule_tuple(values: dict) -> tuple:
    return tuple(values[name] for name in _RULE_FIELDS)


@transaction.atomic
def load_circulars(path: Path | str = DEFAULT_DATA) -> LoadReport:
    """Create or update the circulars in a JSON file; a second run with the same file changes nothing."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    report = LoadReport()
    by_key: dict[str, Circular] = {}
    items = data["circulars"]
    for item in items:
        values = _letter_values(item)
        existing = Circular.objects.filter(number_normalized=normalize_number(values["number"])).first()
        if existing is None:
            circular = Circular.objects.create(**values)
            report.created.append(item["key"])
        else:
            changed = [k for k, v in values.items() if getattr(existing, k) != v]
            for k in changed:
                setattr(existing, k, values[k])
            if changed:
                existing.save()
            circular = existing
            (report.updated if changed else report.unchanged).append(item["key"])
        by_key[item["key"]] = circular

    for item in items:
        circular = by_key[item["key"]]
        changed = False
        forwards = by_key.get(item["forwards"]) if item.get("forwards") else None
        if item.get("forwards") and forwards is None:
            raise CircularDataError(f"{item['key']}: forwards {item['forwards']!r}, which is not in the file")
        if circular.forwards_id != (forwards.pk if forwards else None):
            circular.forwards = forwards
            circular.save()
            changed = True
        changed |= _sync_references(circular, item, by_key)
        changed |= _sync_rules(circular, item)
        report.rules += len(item.get("rules", []))
        if changed and item["key"] in report.unchanged:
            report.unchanged.remove(item["key"])
            report.updated.append(item["key"])
    report.discrepancies = record_discrepancies()
    return report


def _sync_references(circular: Circular, item: dict, by_key: dict) -> bool:
    wanted = []
    for kind, entries in (
        (CircularReference.Kind.REFERENCE, item.get("references", [])),
        (CircularReference.Kind.ENCLOSURE, item.get("enclosures", [])),
    ):
        for position, entry in enumerate(entries, start=1):
            target = by_key.get(entry["target"]) if entry.get("target") else None
            cited = dt.date.fromisoformat(entry["cited_date"]) if entry.get("cited_date") else None
            wanted.append((kind, position, entry["text"], entry.get("cited_number", ""), cited,
                           target.pk if target else None))  # fmt: skip
    have = [
        (r.kind, r.position, r.text, r.cited_number, r.cited_date, r.target_id)
        for r in circular.references.order_by("kind", "position")
    ]
    if sorted(have, key=str) == sorted(wanted, key=str):
        return False
    circular.references.all().delete()
    CircularReference.objects.bulk_create(
        CircularReference(circular=circular, kind=k, position=p, text=t, cited_number=n, cited_date=d,
                          target_id=g)  # fmt: skip
        for k, p, t, n, d, g in wanted
    )
    return True


def _sync_rules(circular: Circular, item: dict) -> bool:
    wanted = [_rule_values(rule) for rule in item.get("rules", [])]
    have = [
        {name: getattr(r, name) for name in _RULE_FIELDS} for r in circular.access_rules.order_by("id")
    ]
    if [_rule_tuple(v) for v in have] == [_rule_tuple(v) for v in wanted]:
        return False
    for rule in circular.access_rules.all():
        rule.delete()
    for values in wanted:
        AccessRule.objects.create(circular=circular, **values)
    return True
