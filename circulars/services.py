"""Circulars as data, and the chain they travel.

Loading: the letters, their links, and the access rules they carry (`load_circulars`).
The chain: `publish_circular`, `forward_circular`, `acknowledge` (below).
"""

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import Role, RoleKind
from accounts.scope import roles_of
from core import clock
from core.links import absolute
from core.scoping import Action
from core.thai import BANGKOK, format_date, format_deadline, normalize_number, to_thai_digits
from maintenance.models import AccessRule
from maintenance.policy import AUTHORITY_CODES, Authority
from maintenance.services import record_discrepancies
from maintenance.snapshot import current_policy
from notifications.messages import render_message
from notifications.models import Kind, Notification
from notifications.services import Outgoing, drop_unread_attr, queue
from registry.models import LAO_KINDS, District, Organization, Province

from .models import (
    PROVINCE_DIRECT_KINDS,
    Circular,
    CircularReference,
    Delivery,
    DeliveryLevel,
    Urgency,
)

DEFAULT_DATA = Path(__file__).resolve().parent / "data" / "elaas-2568-04.json"

_LETTER_FIELDS = (
    "number",
    "urgency",
    "issuer_name",
    "issuer_address",
    "issued_on",
    "date_as_written",
    "date_note",
    "subject",
    "recipients",
    "body",
    "signatory",
    "signatory_position",
    "contact_office",
    "contact_phone",
)
_RULE_FIELDS = (
    "clause",
    "entity_type",
    "identity_verified",
    "action",
    "effect",
    "starts_at",
    "ends_at",
    "clause_text",
    "reason_th",
    "reason_en",
)


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
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged; "
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
        raise CircularDataError(
            f"{item['key']}: urgency {values['urgency']!r} is not one of {Urgency.values}"
        )
    try:
        values["authority"] = AUTHORITY_CODES[item["authority"]]
    except KeyError:
        raise CircularDataError(
            f"{item['key']}: authority must be one of {sorted(AUTHORITY_CODES)}"
        ) from None
    values["province"] = values["district"] = None
    if item.get("province_code"):
        values["province"] = Province.objects.filter(code=item["province_code"]).first()
        if values["province"] is None:
            raise CircularDataError(
                f"{item['key']}: province {item['province_code']} is not in the registry; "
                "load the registry first"
            )
    if item.get("district_code"):
        values["district"] = District.objects.filter(code=item["district_code"]).first()
        if values["district"] is None:
            raise CircularDataError(
                f"{item['key']}: district {item['district_code']} is not in the registry"
            )
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
    """Create or update the circulars in a JSON file; a second run with the same file changes
    nothing."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    report = LoadReport()
    by_key: dict[str, Circular] = {}
    items = data["circulars"]
    for item in items:
        values = _letter_values(item)
        existing = Circular.objects.filter(
            number_normalized=normalize_number(values["number"])
        ).first()
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
            raise CircularDataError(
                f"{item['key']}: forwards {item['forwards']!r}, which is not in the file"
            )
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
            wanted.append(
                (
                    kind,
                    position,
                    entry["text"],
                    entry.get("cited_number", ""),
                    cited,
                    target.pk if target else None,
                )
            )
    have = [
        (r.kind, r.position, r.text, r.cited_number, r.cited_date, r.target_id)
        for r in circular.references.order_by("kind", "position")
    ]
    if sorted(have, key=str) == sorted(wanted, key=str):
        return False
    circular.references.all().delete()
    CircularReference.objects.bulk_create(
        CircularReference(
            circular=circular, kind=k, position=p, text=t, cited_number=n, cited_date=d, target_id=g
        )
        for k, p, t, n, d, g in wanted
    )
    return True


def _sync_rules(circular: Circular, item: dict) -> bool:
    wanted = [_rule_values(rule) for rule in item.get("rules", [])]
    have = [
        {name: getattr(r, name) for name in _RULE_FIELDS}
        for r in circular.access_rules.order_by("id")
    ]
    if [_rule_tuple(v) for v in have] == [_rule_tuple(v) for v in wanted]:
        return False
    for rule in circular.access_rules.all():
        rule.delete()
    for values in wanted:
        AccessRule.objects.create(circular=circular, **values)
    return True


# --- the chain: publishing, forwarding, acknowledging ---------------------------------------------
#
# Every change is one function here, in one transaction: the deliveries, the forwarding letter
# with its enclosure and rules, and the notifications to the recipients' people (the outbox) are
# written together or not at all. Permission checks are here too (PermissionDenied); the views
# only ask them.


class ChainError(Exception):
    """A change that cannot be made as asked; `message` says why, in the user's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class PublishResult:
    circular: Circular
    deliveries_created: int = 0
    deliveries_existing: int = 0
    notifications_created: int = 0


# Pure decisions from a user's roles (no ORM inside): who may publish, forward, acknowledge.


def may_publish(user, circular: Circular) -> bool:
    """DLA officers publish DLA's letters; an area's officers their area's own letters."""

    for role in roles_of(user):
        if circular.authority == Authority.DLA and role.kind == RoleKind.DLA_OFFICER:
            return True
        if (
            circular.authority == Authority.PROVINCE
            and role.kind == RoleKind.PROVINCE_OFFICER
            and circular.province_id is not None
            and role.province_id == circular.province_id
        ):
            return True
        if (
            circular.authority == Authority.DISTRICT
            and role.kind == RoleKind.DISTRICT_OFFICER
            and circular.district_id is not None
            and role.district_id == circular.district_id
        ):
            return True
    return False


def _holds_delivery(user, delivery, kinds) -> bool:
    """Whether one of the user's roles of `kinds` is the delivery's recipient."""

    recipient_of = {
        RoleKind.PROVINCE_OFFICER: (DeliveryLevel.PROVINCE, "province_id"),
        RoleKind.DISTRICT_OFFICER: (DeliveryLevel.DISTRICT, "district_id"),
        RoleKind.LAO_STAFF: (DeliveryLevel.ORGANIZATION, "organization_id"),
    }
    for role in roles_of(user):
        if role.kind in kinds:
            level, field = recipient_of[role.kind]
            if delivery.level == level and getattr(role, field) == getattr(delivery, field):
                return True
    return False


def may_forward_through(user, delivery) -> bool:
    """A provincial officer forwards what reached their province; a district officer what
    reached their district. LAOs are the end of the chain."""
    return _holds_delivery(user, delivery, {RoleKind.PROVINCE_OFFICER, RoleKind.DISTRICT_OFFICER})


def may_acknowledge(user, delivery) -> bool:
    """The recipient's people: its provincial officers, its district officers, its LAO's staff."""
    return _holds_delivery(
        user, delivery, {RoleKind.PROVINCE_OFFICER, RoleKind.DISTRICT_OFFICER, RoleKind.LAO_STAFF}
    )


def forwarding_deliveries(user, circular: Circular):
    """The deliveries of `circular` through which this user may forward it (usually 0 or 1)."""

    candidates = Delivery.objects.restrict(user, Action.ACKNOWLEDGE).filter(
        circular=circular, level__in=["province", "district"]
    )
    return [
        d
        for d in candidates.select_related("province", "district__province")
        if may_forward_through(user, d)
    ]


NOT_A_FORWARDER = _lazy(
    "Only the officers of a province or district this letter was delivered to may forward it."
)


def deliveries_to_forward_through(user, circular: Circular) -> list:
    """The deliveries `user` may forward `circular` through; PermissionDenied if none: the one
    permission check of forwarding, asked by the form's view and by `forward_circular`."""
    via = list(forwarding_deliveries(user, circular))
    if not via:
        raise PermissionDenied(NOT_A_FORWARDER)
    return via


def _recipients(circular: Circular) -> list[tuple[str, str, list[int]]]:
    """(level, field, ids) of everyone the letter reaches, by its issuer's level."""

    if circular.authority == Authority.DLA:
        return [
            (
                DeliveryLevel.PROVINCE,
                "province",
                list(Province.objects.values_list("pk", flat=True)),
            )
        ]
    if circular.authority == Authority.PROVINCE:
        if circular.province_id is None:
            raise ChainError(
                _("This provincial letter names no province: there is nobody to send it to.")
            )
        districts = District.objects.filter(province_id=circular.province_id).values_list(
            "pk", flat=True
        )
        direct = Organization.objects.filter(
            kind__in=PROVINCE_DIRECT_KINDS, district__province_id=circular.province_id
        ).values_list("pk", flat=True)
        return [
            (DeliveryLevel.DISTRICT, "district", list(districts)),
            (DeliveryLevel.ORGANIZATION, "organization", list(direct)),
        ]
    if circular.district_id is None:
        raise ChainError(
            _("This district letter names no district: there is nobody to send it to.")
        )
    laos = Organization.objects.filter(
        kind__in=LAO_KINDS - PROVINCE_DIRECT_KINDS, district_id=circular.district_id
    ).values_list("pk", flat=True)
    return [(DeliveryLevel.ORGANIZATION, "organization", list(laos))]


def _deliver(circular: Circular, now) -> tuple[list, int]:
    """Create the deliveries that do not exist yet; (the new ones, how many existed)."""

    new_ids: dict[str, list[int]] = {}
    existing_count = 0
    for level, field_name, ids in _recipients(circular):
        have = set(
            Delivery.objects.filter(circular=circular, level=level).values_list(
                f"{field_name}_id", flat=True
            )
        )
        existing_count += len(have)
        missing = [pk for pk in ids if pk not in have]
        Delivery.objects.bulk_create(
            [
                Delivery(
                    circular=circular, level=level, delivered_at=now, **{f"{field_name}_id": pk}
                )
                for pk in missing
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
        new_ids[field_name] = missing
    created = []
    for field_name, ids in new_ids.items():
        if ids:
            created.extend(
                Delivery.objects.filter(
                    circular=circular, delivered_at=now, **{f"{field_name}_id__in": ids}
                )
                .select_related(
                    "province", "district__province", "organization__district__province"
                )
                .order_by("level", "id")
            )
    return created, existing_count


def _chain_up(circular: Circular) -> list[Circular]:
    """The letter and the letters it forwards, nearest first."""
    chain, seen, current = [], set(), circular
    while current is not None and current.pk not in seen:
        chain.append(current)
        seen.add(current.pk)
        current = current.forwards
    return chain


def _deadline(circular: Circular, now) -> AccessRule | None:
    """The rule with the earliest end still ahead among those this letter carries or forwards
    (rules the policy sets aside left out), or None: it gives a notification its "by when"."""

    chain = _chain_up(circular)
    set_aside = current_policy().set_aside
    rules = [
        r
        for r in AccessRule.objects.filter(circular__in=chain, ends_at__gt=now).order_by(
            "ends_at", "id"
        )
        if r.id not in set_aside
    ]
    if not rules:
        return None
    return rules[0]


def _message_context(circular: Circular, now) -> dict:

    rule = _deadline(circular, now)
    source = circular.forwards
    return {
        "circular": circular,
        "source": source,
        "number": circular.number,
        "issued_th": to_thai_digits(format_date(circular.issued_on, "th", full=True)),
        "issued_en": format_date(circular.issued_on, "en"),
        "source_issued_th": to_thai_digits(format_date(source.issued_on, "th", full=True))
        if source
        else "",
        "source_issued_en": format_date(source.issued_on, "en") if source else "",
        "rule": rule,
        "until_th": format_deadline(rule.ends_at, "th") if rule else "",
        "until_en": format_deadline(rule.ends_at, "en") if rule else "",
        "rule_circular": rule.circular if rule else None,
        "link": absolute(circular.get_absolute_url()),
    }


def _outgoing(circular: Circular, deliveries: list, now) -> list:
    """One notification per delivery and person: provincial officers, district officers, LAO
    staff."""

    if not deliveries:
        return []
    people: dict[tuple[str, int], list[tuple[int, str]]] = {}
    wanted = {
        DeliveryLevel.PROVINCE: (RoleKind.PROVINCE_OFFICER, "province_id"),
        DeliveryLevel.DISTRICT: (RoleKind.DISTRICT_OFFICER, "district_id"),
        DeliveryLevel.ORGANIZATION: (RoleKind.LAO_STAFF, "organization_id"),
    }
    for level, (kind, field_name) in wanted.items():
        ids = [getattr(d, field_name) for d in deliveries if d.level == level]
        if not ids:
            continue
        rows = (
            Role.objects.vetted()
            .filter(kind=kind, **{f"{field_name}__in": ids})
            .values_list(field_name, "user_id", "user__full_name", "user__email")
        )
        for where, user_id, name, email in rows:
            people.setdefault((level, where), []).append((user_id, name or email))
    base = _message_context(circular, now)
    period = f"circular:{circular.pk}"
    out = []
    for d in deliveries:
        recipients = people.get((d.level, getattr(d, wanted[d.level][1])), [])
        if not recipients:
            continue
        context = {**base, "delivery": d, "level": d.level, "DeliveryLevel": DeliveryLevel}
        message = render_message(Kind.CIRCULAR, context)
        for user_id, name in recipients:
            out.append(
                Outgoing(
                    user_id, Kind.CIRCULAR, f"delivery:{d.pk}", period, message, name, circular.pk
                )
            )
    return out


def _publish(circular: Circular, *, actor, now) -> PublishResult:

    created, existing = _deliver(circular, now)
    if circular.published_at is None:
        circular.published_at = now
        circular.published_by = actor
        circular.save(update_fields=["published_at", "published_by"])
    notified, _existed = queue(_outgoing(circular, created, now))
    return PublishResult(circular, len(created), existing, notified)


@transaction.atomic
def publish_circular(circular: Circular, *, actor) -> PublishResult:
    """Send the letter to its recipients: a delivery each, and a notification to their people.

    DLA's letter reaches every province; a province's its districts and its PAO, city and town
    municipalities; a district's the other LAOs in it. Publishing again creates only what is
    missing (a province added to the registry since), so a second call creates nothing.
    """

    circular = (
        Circular.objects.select_for_update(of=("self",))
        .select_related("forwards")
        .get(pk=circular.pk)
    )
    if not may_publish(actor, circular):
        raise PermissionDenied(_("Only the issuer's officers may publish this letter."))
    return _publish(circular, actor=actor, now=clock.now())


def _default_recipients(area) -> str:
    if isinstance(area, Province):
        return (
            "นายอำเภอ ทุกอำเภอ\n"
            f"นายกองค์การบริหารส่วนจังหวัด{area.name_th}\n"
            f"นายกเทศมนตรีนคร และนายกเทศมนตรีเมือง ในจังหวัด{area.name_th}"
        )
    return f"นายกเทศมนตรีตำบล และนายกองค์การบริหารส่วนตำบล ทุกแห่ง ใน{area.title_th}"


def _enclosure_text(source: Circular) -> str:

    date = to_thai_digits(format_date(source.issued_on, "th", full=True))
    return f"สำเนาหนังสือ{source.issuer_name} ที่ {source.number} ลงวันที่ {date} จำนวน ๑ ชุด"


def _add_rule(letter: Circular, rule: dict, position: int) -> AccessRule:
    """An access rule the forwarding letter carries, checked like any other before it is saved."""

    unknown = set(rule) - set(_RULE_FIELDS)
    if unknown:
        fields = ", ".join(sorted(unknown))
        raise ChainError(
            _("Rule %(n)s: unknown fields %(fields)s.") % {"n": position, "fields": fields}
        )
    values = {name: rule.get(name) for name in _RULE_FIELDS}
    try:
        for name in ("starts_at", "ends_at"):
            if isinstance(values[name], str):
                values[name] = _instant(values[name])
    except (ValueError, CircularDataError) as exc:
        raise ChainError(_("Rule %(n)s: %(problem)s") % {"n": position, "problem": exc}) from None
    values["clause_text"] = values["clause_text"] or ""
    obj = AccessRule(circular=letter, **values)
    try:
        obj.full_clean()
    except ValidationError as exc:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise ChainError(
            _("Rule %(n)s: %(problem)s") % {"n": position, "problem": problems}
        ) from None
    obj.save()
    return obj


def _delivery_to_forward_through(source: Circular, actor, via) -> Delivery:
    """The delivery of `source` the actor forwards through (`via` when they act for more than
    one), locked; PermissionDenied if the actor is no officer it was delivered to."""

    candidates = deliveries_to_forward_through(actor, source)
    if via is not None:
        candidates = [d for d in candidates if d.pk == via.pk]
    if not candidates:
        raise PermissionDenied(NOT_A_FORWARDER)
    return Delivery.objects.select_for_update().get(pk=candidates[0].pk)


def _checked_heading(
    source: Circular, *, number: str, subject: str, issued_on, now: dt.datetime
) -> tuple[str, str]:
    """The forwarding letter's number and subject, whitespace collapsed, once the number, the
    subject and the date are checked (ChainError names the first problem)."""

    number = " ".join((number or "").split())
    subject = " ".join((subject or "").split())
    if not number:
        raise ChainError(_("Give the number of your letter (ที่), e.g. นพ ๐๐๒๓.๕/ว ๑๕๗๘."))
    if len(number) > Circular._meta.get_field("number").max_length:
        raise ChainError(_("The number is too long."))
    if not subject:
        raise ChainError(_("Give the subject of your letter (เรื่อง)."))
    if len(subject) > Circular._meta.get_field("subject").max_length:
        raise ChainError(_("The subject is too long."))
    if not isinstance(issued_on, dt.date):
        raise ChainError(_("Give the date of your letter, e.g. 9/4/2568."))
    if issued_on < source.issued_on:
        raise ChainError(_("Your letter cannot be dated before the letter it forwards."))
    if issued_on > now.astimezone(BANGKOK).date() + dt.timedelta(days=366):
        raise ChainError(
            _("The date of your letter is more than a year ahead; check the year (Buddhist era).")
        )
    if Circular.objects.filter(
        number_normalized=normalize_number(number), issued_on=issued_on
    ).exists():
        raise ChainError(_("A letter with this number and date is already in the portal."))
    return number, subject


def _issuer(delivery: Delivery, issuer_name: str) -> tuple[Province | District, dict]:
    """The area the forwarding letter is issued for (the province or district the source was
    delivered to) and the letter's issuer fields."""

    if delivery.level == DeliveryLevel.PROVINCE:
        area = delivery.province
        return area, {
            "authority": Authority.PROVINCE,
            "province": area,
            "district": None,
            "issuer_name": issuer_name or f"ศาลากลางจังหวัด{area.name_th}",
        }
    area = delivery.district
    return area, {
        "authority": Authority.DISTRICT,
        "province": None,
        "district": area,
        "issuer_name": issuer_name or f"ที่ว่าการ{area.title_th}",
    }


def _create_forwarding_letter(source: Circular, *, recipients: str, area, **fields) -> Circular:
    """The forwarding letter, enclosing `source` (สิ่งที่ส่งมาด้วย ๑); ChainError if a letter with
    its number and date came in meanwhile."""

    try:
        with transaction.atomic():
            letter = Circular.objects.create(
                recipients=recipients or _default_recipients(area),
                urgency=source.urgency,
                forwards=source,
                **fields,
            )
    except IntegrityError:
        raise ChainError(
            _("A letter with this number and date is already in the portal.")
        ) from None
    CircularReference.objects.create(
        circular=letter,
        kind=CircularReference.Kind.ENCLOSURE,
        position=1,
        text=_enclosure_text(source),
        cited_number=source.number,
        cited_date=source.issued_on,
        target=source,
    )
    return letter


@transaction.atomic
def forward_circular(
    source: Circular,
    *,
    actor,
    number: str,
    issued_on: dt.date,
    subject: str,
    body: str = "",
    recipients: str = "",
    issuer_name: str = "",
    signatory: str = "",
    signatory_position: str = "",
    contact_office: str = "",
    contact_phone: str = "",
    rules: list[dict] | tuple = (),
    via=None,
) -> PublishResult:
    """A province's or a district's own letter forwarding `source`, published to its recipients.

    The actor must be an officer of the province or district the source was delivered to (`via`,
    that delivery, when they act for more than one). The new letter links the source twice, as
    `forwards` and as an enclosure (สิ่งที่ส่งมาด้วย); any access rules it carries (`rules`,
    dicts of AccessRule fields) are checked against the source's by `record_discrepancies()`.
    Forwarding also acknowledges the delivery it came through.
    """

    source = Circular.objects.select_related("forwards").get(pk=source.pk)
    delivery = _delivery_to_forward_through(source, actor, via)
    now = clock.now()
    number, subject = _checked_heading(
        source, number=number, subject=subject, issued_on=issued_on, now=now
    )
    area, issuer = _issuer(delivery, issuer_name)
    letter = _create_forwarding_letter(
        source,
        recipients=recipients,
        area=area,
        number=number,
        issued_on=issued_on,
        subject=subject,
        body=body or "",
        signatory=signatory,
        signatory_position=signatory_position,
        contact_office=contact_office,
        contact_phone=contact_phone,
        **issuer,
    )
    for position, rule in enumerate(rules, start=1):
        _add_rule(letter, rule, position)
    Delivery.objects.filter(pk=delivery.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=actor
    )
    letter = (
        Circular.objects.select_for_update(of=("self",))
        .select_related("forwards")
        .get(pk=letter.pk)
    )
    result = _publish(letter, actor=actor, now=now)
    record_discrepancies()
    return result


@transaction.atomic
def acknowledge(delivery, *, user) -> bool:
    """รับทราบ: the recipient's people mark the delivery read; True if this call did it.

    A conditional update: a second acknowledgement (by anyone) changes nothing.
    """

    if not may_acknowledge(user, delivery):
        raise PermissionDenied(_("Only the recipient's own people may acknowledge this letter."))
    now = clock.now()
    done = bool(
        Delivery.objects.filter(pk=delivery.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=user
        )
    )
    if Notification.objects.filter(
        recipient=user, kind="circular", subject_key=f"delivery:{delivery.pk}", read_at__isnull=True
    ).update(read_at=now):
        drop_unread_attr(user)  # this page's badge counts again
    return done
