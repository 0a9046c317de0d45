"""What the requester is told of a decision on their request: an inbox message and an e-mail,
written into the outbox in the decision's transaction (`notifications.services.queue`).

One message per decision: its key is the request and the version the decision gave it, so a
retried task or a second call writes nothing (a double submit never gets here: the version the
officer saw is no longer current, `services.StaleRequest`). Each says what was decided, by whom
and when, the reason, what to do next and who must do it, and links to the request.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils import translation

from accounts.models import Role, RoleKind
from core.links import absolute
from core.thai import bangkok_midnight, format_datetime, format_deadline
from maintenance.access import may_submit_verification
from notifications.messages import render_message
from notifications.models import Kind
from notifications.reminders import fires
from notifications.services import Outgoing, queue

from .models import RequestState, VerificationRequest
from .positions import NextAction, position_states, what_is_left

link = absolute  # a path of the portal as a link in a message (core/links.py)


def _in(lang: str, value) -> str:
    with translation.override(lang):
        return str(value)


def _left_lines(lefts, lang: str) -> list[str]:
    with translation.override(lang):
        lines = []
        for left in lefts:
            if left.action == NextAction.REVIEW:
                who = "เจ้าหน้าที่จังหวัด" if lang == "th" else "the provincial officer"
            else:
                names = [r.user.full_name or r.user.email for r in left.people]
                who = ", ".join(names) or (
                    "ยังไม่มีผู้ใดในตำแหน่งนี้ในระบบ"
                    if lang == "th"
                    else "nobody in this position has an account yet"
                )
            lines.append(f"{left.label}: {left.action.label} ({who})")
        return lines


def _until(vr: VerificationRequest, at: dt.datetime, lang: str) -> str:
    window = may_submit_verification(vr.organization, at)
    if window.allowed and window.valid_until:
        return format_deadline(window.valid_until, lang)  # "ภายในวันที่ ๒๑ เมษายน ๒๕๖๘"
    return ""


def _todo(vr: VerificationRequest, lefts, at: dt.datetime, lang: str) -> str:
    th = lang == "th"
    until = _until(vr, at, lang)
    by = f" {until}" if until else ""
    if vr.state == RequestState.APPROVED:
        if not lefts:
            return (
                "ไม่มีสิ่งที่ต้องทำเพิ่ม: อปท. ยืนยันตัวตนครบทุกตำแหน่งที่กำหนดแล้ว"
                if th
                else "Nothing more: every required position of the LAO is verified."
            )
        return (
            f"ตำแหน่งของท่านยืนยันตัวตนแล้ว อปท. ยังต้องยืนยันตัวตนตำแหน่งต่อไปนี้{by}"
            if th
            else f"Your position is verified; the LAO still needs these positions{by}:"
        )
    if vr.state == RequestState.RETURNED:
        return (
            f"แก้ไขคำขอตามเหตุผลข้างต้น แล้วยื่นอีกครั้ง{by}"
            if th
            else f"Correct the request as the reason says, then submit it again{by}."
        )
    return (
        f"คำขอนี้สิ้นสุดแล้ว หากยังต้องยืนยันตัวตน ให้ยื่นคำขอใหม่พร้อมเอกสารที่ถูกต้อง{by}"
        if th
        else f"This request is closed; to be verified, file a new one with the right documents{by}."
    )


def decision_message(vr: VerificationRequest, *, at: dt.datetime) -> Outgoing:
    """The requester's message about the decision just made on `vr` (its state and version are
    the decision's)."""
    org = vr.organization
    rows = position_states(org.verification_requests.all())
    lefts = what_is_left(org, rows)
    decider = (vr.decided_by.full_name or vr.decided_by.email) if vr.decided_by else ""
    message = render_message(
        Kind.REQUEST_DECISION,
        {
            "org": org,
            "vr": vr,
            "position_th": _in("th", vr.get_position_display()),
            "position_en": _in("en", vr.get_position_display()),
            "outcome_th": _in("th", RequestState(vr.state).label),
            "outcome_en": _in("en", RequestState(vr.state).label),
            "decider": decider,
            "decided_th": format_datetime(vr.decided_at, "th"),
            "decided_en": format_datetime(vr.decided_at, "en"),
            "reason": vr.remarks,
            "todo_th": _todo(vr, lefts, at, "th"),
            "todo_en": _todo(vr, lefts, at, "en"),
            "left_th": _left_lines(lefts, "th") if vr.state == RequestState.APPROVED else [],
            "left_en": _left_lines(lefts, "en") if vr.state == RequestState.APPROVED else [],
            "link": link(vr.get_absolute_url()),
        },
    )
    requester = vr.requester
    return Outgoing(
        requester.pk,
        Kind.REQUEST_DECISION,
        f"request:{vr.pk}",
        f"v{vr.version}",
        message,
        requester.full_name or requester.email,
    )


def tell_requester(vr: VerificationRequest, *, at: dt.datetime) -> int:
    """Write the decision's message into the outbox (call inside the decision's transaction);
    how many rows were new (0 the second time)."""
    created, _existed = queue([decision_message(vr, at=at)])
    return created


def returned_reminders(ladder) -> list[Outgoing]:
    """The ladder's reminders to requesters whose request is returned for correction, on the
    days the steps of `Kind.RETURNED_REMINDER` fire for their LAO's window; none once it is
    resubmitted (no longer returned), the LAO verified, or the window closed (no window)."""
    day, steps, windows = ladder.day, ladder.steps, ladder.windows
    due = [d for d, window in windows.items() if fires(Kind.RETURNED_REMINDER, steps, day, window)]
    if not due:
        return []
    cutoff = bangkok_midnight(day + dt.timedelta(days=1))
    still_staff = Role.objects.vetted().filter(
        kind=RoleKind.LAO_STAFF,
        user_id=OuterRef("requester_id"),
        organization_id=OuterRef("organization_id"),
    )
    returned = (
        VerificationRequest.objects.filter(
            state=RequestState.RETURNED, organization__district_id__in=due
        )
        .filter(
            Q(organization__identity_verified_at__isnull=True)
            | Q(organization__identity_verified_at__gte=cutoff)
        )
        .filter(Exists(still_staff))
        .select_related("organization__district__province", "requester")
        .order_by("id")
    )
    out = []
    for vr in returned:
        window = windows[vr.organization.district_id]
        last = window.ends_at - dt.timedelta(seconds=1) if window.ends_at else None
        message = render_message(
            Kind.RETURNED_REMINDER,
            {
                "org": vr.organization,
                "vr": vr,
                "position_th": _in("th", vr.get_position_display()),
                "position_en": _in("en", vr.get_position_display()),
                "returned_th": format_datetime(vr.decided_at, "th"),
                "returned_en": format_datetime(vr.decided_at, "en"),
                "until_th": format_datetime(last, "th") if last else "",
                "until_en": format_datetime(last, "en") if last else "",
                "days_left": (window.last_day - day).days,
                "reason": vr.remarks,
                "link": link(vr.get_absolute_url()),
            },
        )
        out.append(
            Outgoing(
                vr.requester_id,
                Kind.RETURNED_REMINDER,
                f"request:{vr.pk}",
                day.isoformat(),
                message,
                vr.requester.full_name or vr.requester.email,
            )
        )
    return out
