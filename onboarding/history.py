"""A request's history in the reader's language.

Each step of a verification request is written to its history with a reason: a label of
`services` ("Submitted", "Returned for correction: <the officer's remarks>"), translated in the
language of whoever acted. A Thai officer's return then reads "ส่งกลับให้แก้ไข: …" to everyone,
also in the English UI. `describe` gives the label in the reader's language, whichever language
it was written in; the remarks after it stay as the person typed them.
"""

import functools

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

# The labels `services` writes (the same msgids, so one translation serves both).
LABELS = (
    gettext_noop("Submitted"),
    gettext_noop("Saved as a draft"),
    gettext_noop("Resubmitted after correction"),
    gettext_noop("Corrected"),
    gettext_noop("Draft saved"),
    gettext_noop("Withdrawn by the requester"),
    gettext_noop("Approved"),
    gettext_noop("Returned for correction"),
    gettext_noop("Rejected"),
)
SEPARATOR = ": "


@functools.cache
def _written_forms() -> dict[str, str]:
    """Every form a label may have been written in (each language of the portal) -> msgid."""
    forms = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for msgid in LABELS:
                forms[gettext(msgid)] = msgid
    for msgid in LABELS:
        forms[msgid] = msgid
    return forms


def describe(reason: str | None) -> str:
    """A history reason with its label in the current language: "ส่งกลับให้แก้ไข: ไม่ชัด" reads
    "Returned for correction: ไม่ชัด" in English."""
    if not reason:
        return ""
    forms = _written_forms()
    if reason in forms:
        return gettext(forms[reason])
    label, sep, rest = reason.partition(SEPARATOR)
    if sep and label in forms:
        return f"{gettext(forms[label])}{SEPARATOR}{rest}"
    return reason
