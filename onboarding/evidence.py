"""Evidence files: PDF, JPEG or PNG, judged by their first bytes, never by their name."""

import hashlib

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from core.filetypes import sniff
from core.text import strip_invisible

MAX_FILES = settings.EVIDENCE_MAX_FILES


class EvidenceError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def inspect(upload) -> tuple[str, str]:
    """(content type, sha256) of an uploaded file, or EvidenceError saying what is wrong with it."""
    name = strip_invisible(upload.name)  # shown in the messages: no reversed "gpj.exe"
    if upload.size == 0:
        raise EvidenceError(_("“%(name)s” is empty.") % {"name": name})
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise EvidenceError(
            _("“%(name)s” is %(size)s; a file may be at most %(max)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "max": filesizeformat(settings.EVIDENCE_MAX_BYTES),
            }
        )
    upload.seek(0)
    content_type = sniff(upload.read(16))
    if content_type is None:
        raise EvidenceError(
            _(
                "“%(name)s” is not a PDF, JPEG or PNG file (its content says otherwise, whatever "
                "its name)."
            )
            % {"name": name}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, digest.hexdigest()
