"""Old history reasons (prose, in the actor's language) read back as events: used once by the
data migrations that gave the history its events (onboarding 0005, accounts 0010, registry 0002).

Frozen on purpose: the English source strings and their Thai translations as the catalogue had
them when rows were last written as prose, so that a later edit of a translation does not change
what the migrations recognised. Prose that matches nothing becomes a LEGACY_NOTE with the text.
"""

import re

# event -> the forms its label was written in (English source, Thai translation).
LABELS = {
    "submitted": ("Submitted", "ยื่นคำขอ"),
    "saved_as_draft": ("Saved as a draft", "บันทึกเป็นฉบับร่าง"),
    "resubmitted": ("Resubmitted after correction", "ยื่นคำขออีกครั้งหลังแก้ไข"),
    "corrected": ("Corrected", "แก้ไขแล้ว"),
    "draft_saved": ("Draft saved", "บันทึกฉบับร่างแล้ว"),
    "withdrawn": ("Withdrawn by the requester", "ผู้ยื่นคำขอถอนคำขอ"),
    "identity_verified": ("Identity verified: required positions approved",),
    "membership_requested": ("Membership requested at sign-up",),
    "membership_approved": ("Membership approved",),
}
# event -> the label a reviewer's remarks followed ("<label>: <remarks>").
WITH_REMARKS = {
    "approved": ("Approved", "อนุมัติ"),
    "returned": ("Returned for correction", "ส่งกลับให้แก้ไข"),
    "rejected": ("Rejected", "ไม่อนุมัติ"),
    "membership_approved": ("Membership approved",),
    "membership_refused": ("Membership refused",),
}
PATTERNS = [
    (
        "thaid_refused",
        re.compile(
            r"ThaID identity refused: ThaID's national ID \(ending (?P<theirs>\d*)\) is not the "
            r"one in this request \(ending (?P<ours>\d*)\)"
        ),
    ),
    (
        "thaid_refused",
        re.compile(
            r"ไม่รับการยืนยันตัวตนด้วย ThaID: เลขประจำตัวประชาชนจาก ThaID \(ลงท้าย (?P<theirs>\d*)\) "
            r"ไม่ตรงกับเลขในคำขอนี้ \(ลงท้าย (?P<ours>\d*)\)"
        ),
    ),
    ("thaid_proven", re.compile(r"Identity proven by ThaID \(assurance level (?P<ial>[^)]*)\)")),
    (
        "thaid_proven",
        re.compile(r"ยืนยันตัวตนด้วย ThaID แล้ว \(ระดับความน่าเชื่อถือ (?P<ial>[^)]*)\)"),
    ),
    ("membership_expired", re.compile(r"Expired: not decided within (?P<days>\d+) days")),
    ("officer_placed", re.compile(r"Officer put in by the operator")),
    ("officer_placed", re.compile(r"Officer put in by (?P<by>\S+)")),
]
SEPARATOR = ": "


def event_of(reason: str | None, *, withdrawn: bool = False) -> tuple[str, dict] | None:
    """(event, data) of an old reason; None for no reason (a row a loader wrote without one).
    `withdrawn`: the row's request is withdrawn, so a reason that is no label is the requester's
    own (the service wrote it in place of "Withdrawn by the requester")."""
    if not reason:
        return None
    for event, forms in LABELS.items():
        if reason in forms:
            return event, {}
    label, sep, rest = reason.partition(SEPARATOR)
    if sep:
        for event, forms in WITH_REMARKS.items():
            if label in forms:
                return event, {"remarks": rest}
    for event, forms in WITH_REMARKS.items():
        if reason in forms:
            return event, {}
    for event, pattern in PATTERNS:
        if m := pattern.fullmatch(reason):
            data = {k: v for k, v in m.groupdict().items() if v}
            if "days" in data:
                data["days"] = int(data["days"])  # as the service writes it
            return event, data
    if withdrawn:
        return "withdrawn", {"remarks": reason}
    return "legacy_note", {"text": reason}


def convert(model, *, state_field: str | None = None, withdrawn_state: str = "") -> int:
    """Give every row of the historical `model` (a migration's model) its event; how many rows.
    One update per distinct reason (and state): a loader's thousands of rows with one reason
    are one statement."""
    rows = model.objects.filter(history_event="").exclude(history_change_reason__isnull=True)
    rows = rows.exclude(history_change_reason="")
    keys = ["history_change_reason"] + ([state_field] if state_field else [])
    done = 0
    for key in list(rows.values_list(*keys).distinct().order_by()):
        reason, state = key[0], (key[1] if state_field else None)
        found = event_of(reason, withdrawn=bool(state_field) and state == withdrawn_state)
        if found is None:
            continue
        same = dict(zip(keys, key, strict=True))
        event, data = found
        done += rows.filter(**same).update(history_event=event, history_data=data)
    return done
