"""Questions asked of the policy from outside: parsing them, answering them the same way twice.

The decision API and the `policy_decision` command both go through `decision_payload` and
`render_payload`, so the two doors give the same bytes for the same question.
"""

import datetime as dt
import json
import re
from dataclasses import dataclass

from django.db import transaction

from core.clock import ParamError as QuestionError
from core.clock import parse_instant
from core.thai import BANGKOK, to_arabic_digits
from maintenance.policy import EntityType
from registry.models import Organization

from .models import Discrepancy
from .policy import ACTIONS, ENTITY_TYPES, Decision, Subject
from .snapshot import build_policy, current_policy
from .snapshot import forget as forget_policy

_BOOL = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


@dataclass(frozen=True)
class Question:
    subject: Subject
    action: str
    at: dt.datetime
    org_code: str | None = None


def parse_bool(raw: str | None, param: str) -> bool:
    value = (raw or "").strip().lower()
    if value not in _BOOL:
        raise QuestionError(param, f"{param}={raw!r}: use true or false")
    return _BOOL[value]


def parse_question(params) -> Question:
    """Read a question from a mapping of strings (query parameters or command options)."""
    action = (params.get("action") or "").strip()
    if action not in ACTIONS:
        raise QuestionError("action", f"action must be one of: {', '.join(ACTIONS)}")
    at = parse_instant(params.get("at"))
    org_raw = params.get("org")
    if org_raw:
        return _question_for_org(org_raw, action, at)
    entity_type = (params.get("entity_type") or "").strip()
    if entity_type not in ENTITY_TYPES:
        raise QuestionError(
            "entity_type", f"entity_type must be one of: {', '.join(ENTITY_TYPES)} (or give org)"
        )
    verified = None
    if entity_type == EntityType.LAO:
        if params.get("identity_verified") in (None, ""):
            raise QuestionError(
                "identity_verified", "identity_verified is required for an LAO: true or false"
            )
        verified = parse_bool(params.get("identity_verified"), "identity_verified")
    return Question(Subject(entity_type, verified), action, at)


def _question_for_org(raw: str, action: str, at: dt.datetime) -> Question:

    code = to_arabic_digits(raw.strip())
    if not re.fullmatch(r"\d{7}", code):
        raise QuestionError("org", f"org={raw!r} is not a 7-digit DLA code")
    org = (
        Organization.objects.filter(dla_code=code)
        .select_related("district__province")
        .only("kind", "identity_verified_at", "district__code", "district__province__code")
        .first()
    )
    if org is None:
        raise QuestionError("org", f"org={raw!r}: no organisation has this DLA code")
    verified = org.identity_verified_at is not None and org.identity_verified_at <= at
    subject = Subject(
        org.entity_type,
        verified if org.is_lao else None,
        province_code=org.district.province.code,
        district_code=org.district.code,
    )
    return Question(subject, action, at, org_code=code)


def iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(BANGKOK).isoformat() if value is not None else None


def decide(question: Question) -> Decision:
    return current_policy().decide(question.subject, question.action, question.at)


def decision_payload(question: Question, decision: Decision | None = None) -> dict:
    decision = decision or decide(question)
    return {
        "allowed": decision.allowed,
        "reason": decision.reason_th,
        "reason_en": decision.reason_en,
        "circular": decision.circular.number if decision.circular else None,
        "circular_id": decision.circular.id if decision.circular else None,
        "clause": decision.rule.clause if decision.rule else None,
        "valid_from": iso(decision.valid_from),
        "valid_until": iso(decision.valid_until),
        "at": iso(question.at),
        "entity_type": question.subject.entity_type,
        "identity_verified": question.subject.identity_verified,
        "action": question.action,
        "org": question.org_code,
    }


def render_payload(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(", ", ": "))


@transaction.atomic
def record_discrepancies() -> int:
    """Store what the policy found: every date on which a forwarding letter disagrees with its
    source. Every change of rules ends here, so the process's snapshot is dropped here too."""
    forget_policy()
    found = build_policy().discrepancies
    keep = set()
    for d in found:
        obj, _ = Discrepancy.objects.update_or_create(
            forwarding_rule_id=d.forwarding_rule_id,
            source_rule_id=d.source_rule_id,
            field=d.field,
            defaults={
                "forwarding_circular_id": d.forwarding_circular_id,
                "source_circular_id": d.source_circular_id,
                "forwarding_value": d.forwarding_value,
                "source_value": d.source_value,
            },
        )
        keep.add(obj.pk)
    Discrepancy.objects.exclude(pk__in=keep).delete()
    return len(found)
