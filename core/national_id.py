"""Thai national ID numbers: checked, then kept only as a keyed hash and the last four digits."""

import hashlib
import hmac
import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.thai import to_arabic_digits


class NationalIdError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def normalize(raw: str) -> str:
    """Thai or Arabic digits, with spaces or dashes as people write them → 13 Arabic digits."""
    text = to_arabic_digits((raw or "").strip())
    text = re.sub(r"[\s\-]", "", text)
    if not text:
        raise NationalIdError(_("Enter the 13-digit national ID number."))
    if not text.isdigit():
        raise NationalIdError(
            _("A national ID number has digits only (Thai or Arabic), 13 of them.")
        )
    if len(text) != 13:
        raise NationalIdError(
            _("A national ID number has 13 digits; this one has %(n)d.") % {"n": len(text)}
        )
    if not checksum_ok(text):
        raise NationalIdError(
            _(
                "This national ID number is not valid: its last digit does not match. Check it and type it again."
            )
        )
    return text


def checksum_ok(digits: str) -> bool:
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == int(digits[12])


def keyed_hash(digits: str) -> str:
    return hmac.new(
        settings.NATIONAL_ID_HASH_KEY.encode(), digits.encode(), hashlib.sha256
    ).hexdigest()
