"""Taking a circular in: upload or paste, watch it being read page by page, review what was found
beside the source, clear every flag, publish. Officers only; a draft outside the officer's area
is a 404. The changes are `circulars.intake.drafts` functions, which also check the permission.
"""

import datetime as dt

from django import forms
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
from core.thai import format_date, format_datetime, to_arabic_digits

from .intake import drafts
from .intake.extract import IntakeError
from .models import CircularDraft, DraftPage

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
    return get_object_or_404(CircularDraft.objects.visible_to(request.user), pk=pk)


@officer_required
@require_http_methods(["GET", "HEAD", "POST"])
def intake_home(request):
    form = IntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload:
            data, name = upload.read(), upload.name
        else:
            data, name = form.cleaned_data["text"].encode("utf-8"), "pasted.txt"
        try:
            draft = drafts.create_draft(data=data, name=name, user=request.user)
        except IntakeError as exc:
            form.add_error(None, exc.message_th if _thai() else exc.message_en)
        else:
            return redirect(draft)
    recent = CircularDraft.objects.visible_to(request.user).defer("data", "parsed")[:30]
    status = 400 if request.method == "POST" else 200
    return render(
        request, "circulars/intake_home.html", {"form": form, "drafts": recent}, status=status
    )


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


def _flag_view(flag: dict) -> dict:
    return {
        "code": flag["code"],
        "message": flag["message_th"] if _thai() else flag["message_en"],
        "candidates": flag.get("candidates", []),
    }


def _field_rows(letter: dict) -> tuple[list[dict], list[tuple]]:
    rows, spans = [], []
    n = letter["index"]
    for name, label in FIELD_LABELS.items():
        f = letter["fields"].get(name) or {"value": "", "flags": []}
        anchor = f"l{n}-{name}"
        if name != "body" and f.get("start", -1) >= 0:
            spans.append((f["start"], f["end"], anchor, bool(f.get("flags"))))
        rows.append(
            {
                "name": name,
                "label": label,
                "value": f.get("value") or "",
                "shown": _shown(name, f.get("value")),
                "confidence": f.get("confidence", 1.0),
                "flags": [_flag_view(x) for x in f.get("flags", [])],
                "anchor": anchor,
                "long": name in LONG_FIELDS,
            }
        )
    for kind, i, cited in drafts.cited_parts(letter):
        label = _("Reference (อ้างถึง)") if kind == "references" else _("Enclosure")
        anchor = f"l{n}-{kind}-{i}"
        text = cited["text"]
        if text.get("start", -1) >= 0:
            flagged = bool(cited["number"].get("flags") or cited["date"].get("flags"))
            spans.append((text["start"], text["end"], anchor, flagged))
        for part, part_label in (("number", _("number")), ("date", _("date"))):
            f = cited[part]
            rows.append(
                {
                    "name": f"{kind}.{i}.{part}",
                    "label": f"{label} {i + 1}: {part_label}",
                    "value": f.get("value") or "",
                    "shown": _shown(part, f.get("value")),
                    "confidence": f.get("confidence", 1.0),
                    "flags": [_flag_view(x) for x in f.get("flags", [])],
                    "anchor": anchor,
                    "context": text.get("value") or "",
                }
            )
    return rows, spans


def _shown(name: str, value) -> str:
    if name.endswith("date") and value:
        try:
            return format_date(dt.date.fromisoformat(value), "th" if _thai() else "en", full=True)
        except ValueError:
            return value
    return value or ""


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
                "first_day": format_date(starts, "th") if starts else "",
                "last_day": format_date(last, "th") if last else "",
                "flags": [_flag_view(x) for x in rule.get("flags", [])],
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
        spans += letter_spans
        letters.append(
            {
                "index": letter["index"],
                "number": (letter["fields"].get("number") or {}).get("value"),
                "forwards": letter.get("forwards"),
                "rows": rows,
                "rules": _rule_rows(letter),
            }
        )
    flags = drafts.open_flags(draft.parsed)
    context = {
        "who_choices": WHO_LABELS,
        "draft": draft,
        "letters": letters,
        "segments": _segments(draft.source_text, spans),
        "pages": list(draft.pages.values_list("number", flat=True)),
        "open_flags": len(flags),
        "discrepancies": [_discrepancy_view(d) for d in draft.parsed.get("discrepancies", [])],
        "source_label": drafts.source_kind_label(draft.source_kind),
        "progress_url": reverse("circulars:intake_progress", args=[draft.pk]),
    }
    return render(request, "circulars/intake_review.html", context)


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
