"""Taking a circular in: upload or paste, watch it being read page by page, review what was found
beside the source, clear every flag, publish. Officers only; a draft outside the officer's area
is a 404. The changes are `circulars.intake.drafts` functions, which also check the permission.
"""

import datetime as dt
import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import officer_required
from core.scoping import Action
from core.thai import (
    BANGKOK,
    format_date,
    format_date_thai_digits,
    format_datetime,
    to_arabic_digits,
)
from maintenance.policy import AUTHORITY_CODES

from .intake import drafts
from .intake.extract import IntakeError
from .models import PASTED_NAME, CircularDraft, DraftEvent, DraftPage, IntakeStatus, Urgency

FIELD_LABELS = {
    "number": _lazy("Number (ที่)"),
    "urgency": _lazy("Urgency"),
    "authority": _lazy("Issuing authority"),
    "province_name": _lazy("Province of the issuer"),
    "issuer_name": _lazy("Issued by (ส่วนราชการ)"),
    "issuer_address": _lazy("Issuer's address"),
    "date": _lazy("Date (วันที่)"),
    "subject": _lazy("Subject (เรื่อง)"),
    "recipients": _lazy("To (เรียน)"),
    "body": _lazy("Body"),
    "signatory": _lazy("Signed by"),
    "signatory_position": _lazy("Position of the signatory"),
    "contact_office": _lazy("Contact office"),
    "contact_phone": _lazy("Contact phone"),
}
LONG_FIELDS = {"recipients", "body", "subject"}
# Fields whose value is one of a list: a select showing each value's translated label (the
# stored code, "normal" or "dla", is never shown to the officer).
CHOICE_FIELDS = {
    "urgency": lambda: Urgency.choices,
    "authority": lambda: [(code, a.label) for code, a in AUTHORITY_CODES.items()],
}
WHO_LABELS = [
    ("any", _lazy("LAOs and their units")),
    ("lao", _lazy("LAOs, verified or not")),
    ("lao_unverified", _lazy("LAOs that have not verified their identity")),
    ("lao_verified", _lazy("LAOs that have verified their identity")),
    ("unit", _lazy("Units under LAOs")),
]


class IntakeForm(forms.Form):
    file = forms.FileField(label=_lazy("Scan, PDF or image of the letter"), required=False)
    text = forms.CharField(
        label=_lazy("…or paste its text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=200_000,
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("file")) == bool((data.get("text") or "").strip()):
            raise forms.ValidationError(_("Give either a file or the pasted text, not both."))
        return data


def _draft_or_404(request, pk) -> CircularDraft:
    return get_object_or_404(CircularDraft.objects.restrict(request.user, Action.VIEW), pk=pk)


@officer_required
@require_http_methods(["GET", "HEAD", "POST"])
def intake_home(request):
    form = IntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload:
            data, name = upload.read(), upload.name
        else:
            data, name = form.cleaned_data["text"].encode("utf-8"), PASTED_NAME
        try:
            draft = drafts.create_draft(data=data, name=name, user=request.user)
        except IntakeError as exc:
            form.add_error(None, exc.message_th if _thai() else exc.message_en)
        else:
            return redirect(draft)
    mine = CircularDraft.objects.restrict(request.user, Action.VIEW).defer("data", "parsed")
    discarded = request.GET.get("show") == "discarded"
    listed = mine.filter(status=IntakeStatus.DISCARDED) if discarded else mine.working()
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "drafts": listed[:30],
        "showing_discarded": discarded,
        "discarded_count": 0 if discarded else mine.filter(status=IntakeStatus.DISCARDED).count(),
        "max_mb": settings.EVIDENCE_MAX_BYTES / (1024 * 1024),  # intake takes evidence's limit
    }
    return render(request, "circulars/intake_home.html", context, status=status)


def _thai() -> bool:
    return (get_language() or "th").startswith("th")


@officer_required
@require_safe
def intake_progress(request, pk):
    draft = _draft_or_404(request, pk)
    return JsonResponse(
        {
            "status": draft.status,
            "pages_done": draft.pages_done,
            "pages_total": draft.pages_total,
            "error": draft.error,
        }
    )


@officer_required
@require_safe
def intake_page(request, pk, number):
    draft = _draft_or_404(request, pk)
    page = get_object_or_404(DraftPage, draft=draft, number=number)
    image = bytes(page.image)
    kind = "image/jpeg" if image[:3] == b"\xff\xd8\xff" else "image/png"
    response = HttpResponse(image, content_type=kind)
    response["Cache-Control"] = "private, max-age=600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _segments(text: str, spans: list[tuple[int, int, str, bool]]) -> list[dict]:
    """The source cut into plain and highlighted pieces (a field's span; flagged ones marked)."""
    out, pos = [], 0
    for start, end, anchor, flagged in sorted(spans):
        if start < pos or start < 0 or end > len(text) or end <= start:
            continue
        if start > pos:
            out.append({"text": text[pos:start]})
        out.append({"text": text[start:end], "anchor": anchor, "flagged": flagged})
        pos = end
    out.append({"text": text[pos:]})
    return out


def _flag_view(flag: dict, name: str = "") -> dict:
    """A flag in the reader's language; its candidates as (value kept, value shown): dates as a
    Thai officer writes them (๒ เมษายน ๒๕๖๘), the value sent stays ISO."""
    return {
        "code": flag["code"],
        "message": flag["message_th"] if _thai() else flag["message_en"],
        "candidates": [(c, _shown(name, c) or c) for c in flag.get("candidates", [])],
    }


def _day(value) -> dt.date | None:
    """The day an ISO date or datetime names (a datetime as a Bangkok day), or None."""
    try:
        if "T" in value:
            moment = dt.datetime.fromisoformat(value)
            return moment.astimezone(BANGKOK).date() if moment.tzinfo else moment.date()
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _thai_date(day: dt.date) -> str:
    """๒ เมษายน ๒๕๖๘; in the English pages followed by the English date."""
    shown = format_date_thai_digits(day, full=True)
    return shown if _thai() else f"{shown} ({format_date(day, 'en')})"


def _window(value: str) -> str | None:
    """A rule candidate "start / end" (ISO datetimes, end exclusive) as the days a letter
    writes: ๕ เมษายน ๒๕๖๘ – ๒๑ เมษายน ๒๕๖๘."""
    parts = [p.strip() for p in value.split(" / ")]
    if len(parts) != 2:
        return None
    try:
        starts, ends = (dt.datetime.fromisoformat(p) if p else None for p in parts)
    except ValueError:
        return None
    first = _thai_date(starts.astimezone(BANGKOK).date()) if starts else "…"
    if ends is None:
        return f"{first} – …"
    last = ends.astimezone(BANGKOK) - dt.timedelta(seconds=1)
    return f"{first} – {_thai_date(last.date())}"


def _field_rows(letter: dict) -> tuple[list[dict], list[tuple]]:
    rows, spans = [], []
    n = letter["index"]
    for name, label in FIELD_LABELS.items():
        f = letter["fields"].get(name) or {"value": "", "flags": []}
        anchor = f"l{n}-{name}"
        if name != "body" and f.get("start", -1) >= 0:
            spans.append((f["start"], f["end"], anchor, bool(f.get("flags"))))
        choices = CHOICE_FIELDS[name]() if name in CHOICE_FIELDS else None
        rows.append(
            _row(
                name,
                label,
                f,
                anchor,
                long=name in LONG_FIELDS,
                body=name == "body",
                choices=choices,
            )
        )
    return rows, spans


def _row(name: str, label, f: dict, anchor: str, **extra) -> dict:
    return {
        "name": name,
        "label": label,
        "value": _typed_form(name, f.get("value")),
        "shown": _english_date(name, f.get("value")),
        "confidence": f.get("confidence", 1.0),
        "flags": [_flag_view(x, name) for x in f.get("flags", [])],
        "anchor": anchor,
        **extra,
    }


def _cited_rows(letter: dict) -> tuple[list[dict], list[tuple]]:
    """The lines of อ้างถึง and สิ่งที่ส่งมาด้วย: each line's text, number and date, editable."""
    lines, spans = [], []
    n = letter["index"]
    for kind, i, cited in drafts.cited_parts(letter):
        label = _("Reference (อ้างถึง)") if kind == "references" else _("Enclosure")
        anchor = f"l{n}-{kind}-{i}"
        text = cited["text"]
        if text.get("start", -1) >= 0:
            flagged = bool(cited["number"].get("flags") or cited["date"].get("flags"))
            spans.append((text["start"], text["end"], anchor, flagged))
        parts = (("text", _("as written")), ("number", _("number")), ("date", _("date")))
        lines.append(
            {
                "kind": kind,
                "index": i,
                "label": f"{label} {i + 1}",
                "anchor": anchor,
                "in_draft": cited.get("target") is not None,
                "rows": [
                    _row(
                        f"{kind}.{i}.{part}",
                        f"{label} {i + 1}: {part_label}",
                        cited[part],
                        anchor,
                        long=part == "text",
                    )
                    for part, part_label in parts
                ],
            }
        )
    return lines, spans


def _typed_form(name: str, value) -> str:
    """A field's value in its input as an officer types it: a date ๒ เมษายน ๒๕๖๘ (kept ISO)."""
    day = _day(value) if name.endswith("date") and value else None
    return format_date_thai_digits(day, full=True) if day else (value or "")


def _english_date(name: str, value) -> str:
    """In the English pages, a date field's value in English beside the Thai one."""
    day = _day(value) if name.endswith("date") and value else None
    return format_date(day, "en", full=True) if day and not _thai() else ""


def _shown(name: str, value) -> str:
    """A candidate as shown on its button: a date or a rule's window as a Thai officer writes
    it; anything else as it is."""
    if not value:
        return ""
    if name.endswith("date") and (day := _day(value)):
        return _thai_date(day)
    if name.startswith("rule") and " / " in value:
        return _window(value) or value
    return value


def _rule_rows(letter: dict) -> list[dict]:
    rows = []
    lang = "th" if _thai() else "en"
    for i, rule in enumerate(letter.get("rules", [])):
        starts = dt.datetime.fromisoformat(rule["starts_at"]) if rule["starts_at"] else None
        ends = dt.datetime.fromisoformat(rule["ends_at"]) if rule["ends_at"] else None
        last = (ends - dt.timedelta(days=1)) if ends else None
        rows.append(
            {
                "index": i,
                "clause": rule["clause"],
                "reason": rule["reason_th"] if _thai() else rule["reason_en"],
                "starts": format_datetime(starts, lang) if starts else "—",
                "ends": format_datetime(ends, lang) if ends else "—",
                "first_day": format_date_thai_digits(_day(rule["starts_at"]), full=True)
                if starts
                else "",
                "last_day": format_date_thai_digits(last.astimezone(BANGKOK).date(), full=True)
                if last
                else "",
                "flags": [_flag_view(x, "rule") for x in rule.get("flags", [])],
                "added": rule.get("added", False),
                "effect": rule["effect"],
                "action": rule["action"],
                "who": drafts.who_key(rule),
            }
        )
    return rows


def _discrepancy_view(d: dict) -> dict:
    lang = "th" if _thai() else "en"

    def shown(value):
        return format_datetime(dt.datetime.fromisoformat(value), lang) if value else "—"

    return {
        **d,
        "forwarding_value": shown(d.get("forwarding_value")),
        "source_value": shown(d.get("source_value")),
    }


@officer_required
@require_safe
def intake_review(request, pk):
    draft = _draft_or_404(request, pk)
    letters, spans = [], []
    for letter in draft.parsed.get("letters", []):
        rows, letter_spans = _field_rows(letter)
        cited, cited_spans = _cited_rows(letter)
        spans += letter_spans + cited_spans
        letters.append(
            {
                "index": letter["index"],
                "number": (letter["fields"].get("number") or {}).get("value"),
                "forwards": letter.get("forwards"),
                "rows": rows,
                "cited": cited,
                "rules": _rule_rows(letter),
                "body_from_ocr": draft.source_kind == drafts.SourceKind.OCR
                and bool((letter["fields"].get("body") or {}).get("value")),
                "body_read": bool(letter.get("body_read")),
            }
        )
    flags = drafts.open_flags(draft.parsed)
    unread = [x["index"] + 1 for x in letters if x["body_from_ocr"] and not x["body_read"]]
    context = {
        "who_choices": WHO_LABELS,
        "draft": draft,
        "letters": letters,
        "segments": _segments(draft.source_text, spans),
        "pages": list(draft.pages.values_list("number", flat=True)),
        "open_flags": len(flags),
        "unread_bodies": unread,
        "discrepancies": [_discrepancy_view(d) for d in draft.parsed.get("discrepancies", [])],
        "source_label": drafts.source_kind_label(draft.source_kind),
        "progress_url": reverse("circulars:intake_progress", args=[draft.pk]),
        "history": _history(draft),
        "may_discard": draft.status
        in (IntakeStatus.READING, IntakeStatus.REVIEW, IntakeStatus.FAILED),
    }
    response = render(request, "circulars/intake_review.html", context)
    if draft.status == IntakeStatus.READING:
        response["Refresh"] = str(READING_REFRESH_SECONDS)  # without script too
    return response


READING_REFRESH_SECONDS = 5


def _field_label(letter_fields: str) -> str:
    """A field's name as the review page labels it: Date (วันที่), Reference 1: number, …"""
    m = re.fullmatch(r"(references|enclosures)\.(\d+)\.(number|date|text)", letter_fields)
    if not m:
        return str(FIELD_LABELS.get(letter_fields, letter_fields))
    label = _("Reference (อ้างถึง)") if m[1] == "references" else _("Enclosure")
    part = {"number": _("number"), "date": _("date"), "text": _("as written")}[m[3]]
    return f"{label} {int(m[2]) + 1}: {part}"


def describe(event: dict | None, row) -> str:
    """A history row as a sentence in the reader's language, from the event it keeps."""
    if event is None:
        return str(row.get_status_display())
    n = event.get("letter", 0) + 1
    kind = event["event"]
    cleared = ", ".join(event.get("cleared") or [])
    if kind == DraftEvent.FIELD_CORRECTED:
        value = event.get("value")
        field = _field_label(event.get("field", ""))
        text = (
            _("Letter %(n)s: %(field)s set to “%(value)s”.")
            % {"n": n, "field": field, "value": _shown(event.get("field", ""), value)}
            if value is not None
            else _("Letter %(n)s: %(field)s corrected.") % {"n": n, "field": field}
        )
    elif kind in (DraftEvent.RULE_CORRECTED, DraftEvent.RULE_ADDED, DraftEvent.RULE_DELETED):
        text = {
            DraftEvent.RULE_CORRECTED: _("Letter %(n)s: rule “%(clause)s” confirmed."),
            DraftEvent.RULE_ADDED: _("Letter %(n)s: rule “%(clause)s” added."),
            DraftEvent.RULE_DELETED: _("Letter %(n)s: rule “%(clause)s” deleted."),
        }[kind] % {"n": n, "clause": event.get("clause", "")}
    elif kind in (DraftEvent.REFERENCE_ADDED, DraftEvent.REFERENCE_DELETED):
        text = (
            _("Letter %(n)s: line “%(text)s” added.")
            if kind == DraftEvent.REFERENCE_ADDED
            else _("Letter %(n)s: line “%(text)s” deleted.")
        ) % {"n": n, "text": event.get("text", "")}
    elif kind == DraftEvent.BODY_READ:
        text = _("Letter %(n)s: text read against the scan.") % {"n": n}
    elif kind == DraftEvent.BODY_UNREAD:
        text = _("Letter %(n)s: text no longer marked as read against the scan.") % {"n": n}
    elif kind == DraftEvent.DISCARDED:
        reason = event.get("reason") or ""
        text = _("Discarded: %(reason)s") % {"reason": reason} if reason else _("Discarded.")
    else:
        text = _("Published.")
    if cleared:
        text += " " + _("Flags cleared: %(codes)s.") % {"codes": cleared}
    return text


def _history(draft: CircularDraft) -> list[dict]:
    """Who did what to the draft and when, newest first: officers only (this page)."""
    rows = draft.history.select_related("history_user").order_by("-history_date", "-history_id")
    return [
        {
            "at": row.history_date,
            "who": row.history_user,
            "what": describe(drafts.read_event(row.history_change_reason), row),
        }
        for row in rows
    ]


def _back(draft, anchor: str = "") -> str:
    return draft.get_absolute_url() + (f"#{anchor}" if anchor else "")


def _int(raw) -> int:
    try:
        return int(to_arabic_digits(str(raw or "")).strip())
    except ValueError:
        return -1


@officer_required
@require_POST
def intake_field(request, pk):
    draft = _draft_or_404(request, pk)
    letter, field = _int(request.POST.get("letter")), request.POST.get("field", "")
    try:
        drafts.correct_field(
            draft.pk,
            letter=letter,
            field=field,
            value=request.POST.get("value", ""),
            user=request.user,
        )
    except drafts.ReviewError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved; its flags are cleared."))
    return redirect(_back(draft, request.POST.get("anchor", "")))


@officer_required
@require_POST
def intake_rule(request, pk):
    draft = _draft_or_404(request, pk)
    try:
        drafts.correct_rule(
            draft.pk,
            letter=_int(request.POST.get("letter")),
            rule=_int(request.POST.get("rule")),
            starts=request.POST.get("first_day", ""),
            ends=request.POST.get("last_day", ""),
            user=request.user,
            who=request.POST.get("who"),
            action=request.POST.get("action"),
            effect=request.POST.get("effect"),
            clause=request.POST.get("clause"),
        )
    except drafts.ReviewError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Rule confirmed; its flags are cleared."))
    return redirect(_back(draft, f"rules-{request.POST.get('letter', '')}"))


def _act(request, draft, service, done: str, anchor: str = "", **kwargs):
    """Run a drafts service for the officer; its ReviewError becomes a message, and the officer
    goes back to the draft (PermissionDenied passes: 403)."""
    try:
        service(draft.pk, user=request.user, **kwargs)
    except drafts.ReviewError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(_back(draft, anchor))


@officer_required
@require_POST
def intake_rule_add(request, pk):
    draft = _draft_or_404(request, pk)
    post = request.POST
    return _act(
        request,
        draft,
        drafts.add_rule,
        _("Rule added."),
        f"rules-{post.get('letter', '')}",
        letter=_int(post.get("letter")),
        clause=post.get("clause", ""),
        who=post.get("who", ""),
        action=post.get("action", ""),
        effect=post.get("effect", ""),
        starts=post.get("first_day", ""),
        ends=post.get("last_day", ""),
    )


@officer_required
@require_POST
def intake_rule_delete(request, pk):
    draft = _draft_or_404(request, pk)
    return _act(
        request,
        draft,
        drafts.delete_rule,
        _("Rule deleted."),
        f"rules-{request.POST.get('letter', '')}",
        letter=_int(request.POST.get("letter")),
        rule=_int(request.POST.get("rule")),
    )


@officer_required
@require_POST
def intake_reference_add(request, pk):
    draft = _draft_or_404(request, pk)
    post = request.POST
    return _act(
        request,
        draft,
        drafts.add_reference,
        _("Line added."),
        f"cited-{post.get('letter', '')}",
        letter=_int(post.get("letter")),
        kind=post.get("kind", ""),
        text=post.get("text", ""),
        number=post.get("number", ""),
        date=post.get("date", ""),
    )


@officer_required
@require_POST
def intake_reference_delete(request, pk):
    draft = _draft_or_404(request, pk)
    post = request.POST
    return _act(
        request,
        draft,
        drafts.delete_reference,
        _("Line deleted."),
        f"cited-{post.get('letter', '')}",
        letter=_int(post.get("letter")),
        kind=post.get("kind", ""),
        line=_int(post.get("line")),
    )


@officer_required
@require_POST
def intake_body_read(request, pk):
    draft = _draft_or_404(request, pk)
    read = request.POST.get("read") == "1"
    done = (
        _("Recorded: you have read the text against the scan.")
        if read
        else _("The text is no longer marked as read.")
    )
    letter = request.POST.get("letter", "")
    return _act(
        request,
        draft,
        drafts.mark_body_read,
        done,
        f"l{letter}-body",
        letter=_int(letter),
        read=read,
    )


@officer_required
@require_POST
def intake_discard(request, pk):
    draft = _draft_or_404(request, pk)
    try:
        drafts.discard_draft(draft.pk, user=request.user, reason=request.POST.get("reason", ""))
    except drafts.ReviewError as exc:
        messages.error(request, exc.message)
        return redirect(draft)
    messages.success(
        request, _("The draft is discarded: it is kept, with its history, out of the list.")
    )
    return redirect("circulars:intake")


@officer_required
@require_POST
def intake_publish(request, pk):
    draft = _draft_or_404(request, pk)
    try:
        created = drafts.publish_draft(draft.pk, user=request.user)
    except drafts.ReviewError as exc:
        messages.error(request, exc.message)
        return redirect(draft)
    except PermissionDenied:
        raise
    if created:
        messages.success(
            request,
            _("Published %(n)s circulars with their rules; the policy follows them now.")
            % {"n": len(created)},
        )
        return redirect(created[0])
    messages.info(request, _("Every letter of this draft was already in the portal: linked."))
    return redirect(draft)
