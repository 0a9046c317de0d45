"""Thai national ID numbers: read, checked, then kept only as a keyed hash and the last four digits.

This module is the only place that knows the number's shape and its check digit. Everything that
reads, hashes or makes up a national ID (forms, services, generators, test helpers) comes here,
so that one person's number gives one hash however it was typed.

What is read: ASCII digits (0-9) and Thai digits (๐-๙), with spaces or dashes between groups as
people write them (1-1017-00230-70-8). Any other character is refused with a message that names
it, digits of other scripts included (Arabic-Indic ١, full-width １, superscript ¹): Python's
``str.isdigit()`` and ``int()`` accept some of those, which gave a 500 for one and a second hash
of the same number for another.
"""

import hashlib
import hmac
import unicodedata

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from core.thai import THAI_DIGITS

ASCII_DIGITS = "0123456789"
_TO_ASCII = dict(zip(THAI_DIGITS, ASCII_DIGITS, strict=True))
# Dashes people type or paste between the groups: hyphen-minus, the Unicode hyphens and dashes,
# the minus sign. Spaces are any Unicode white space (NBSP from a pasted PDF included).
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
LENGTH = 13
WEIGHTS = tuple(range(13, 1, -1))  # 13, 12, ..., 2 for the first twelve digits


class NationalIdError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _shown(char: str) -> str:
    """A character as a message can show it: itself if visible, else its code point."""
    if char.isprintable() and not char.isspace():
        return char
    return f"U+{ord(char):04X}"


@sensitive_variables()  # error reports show frames' variables: none of these
def normalize(raw: str) -> str:
    """The 13 ASCII digits of a typed national ID, or NationalIdError saying what is wrong."""
    digits = []
    for char in raw or "":
        if char in ASCII_DIGITS:
            digits.append(char)
        elif char in _TO_ASCII:
            digits.append(_TO_ASCII[char])
        elif char.isspace() or char in _DASHES:
            continue
        elif char.isnumeric() or unicodedata.category(char) == "Nd":
            raise NationalIdError(
                _(
                    "“%(char)s” is a digit the portal does not read: type the 13 digits of the "
                    "national ID number with Thai (๐-๙) or Arabic (0-9) digits."
                )
                % {"char": _shown(char)}
            )
        else:
            raise NationalIdError(
                _(
                    "“%(char)s” cannot be part of a national ID number: it has 13 digits (Thai or "
                    "Arabic), with spaces or dashes between groups if you like."
                )
                % {"char": _shown(char)}
            )
    text = "".join(digits)
    if not text:
        raise NationalIdError(_("Enter the 13-digit national ID number."))
    if len(text) != LENGTH:
        raise NationalIdError(
            _("A national ID number has 13 digits; this one has %(n)d.") % {"n": len(text)}
        )
    if not checksum_ok(text):
        raise NationalIdError(
            _(
                "This national ID number is not valid: its last digit does not match. Check it "
                "and type it again."
            )
        )
    return text


def check_digit(first12: str) -> str:
    """The 13th digit for these twelve ASCII digits: (11 - Σ digit × weight mod 11) mod 10."""
    if len(first12) != LENGTH - 1 or any(c not in ASCII_DIGITS for c in first12):
        raise ValueError("twelve ASCII digits expected")
    total = sum(int(d) * w for d, w in zip(first12, WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


def with_check_digit(first12: str) -> str:
    """Twelve ASCII digits and their check digit: a valid number (for generators and tests)."""
    return first12 + check_digit(first12)


@sensitive_variables()
def checksum_ok(digits: str) -> bool:
    """Whether `digits` is 13 ASCII digits whose last is the check digit of the others."""
    if len(digits) != LENGTH or any(c not in ASCII_DIGITS for c in digits):
        return False
    return check_digit(digits[:12]) == digits[12]


@sensitive_variables()
def keyed_hash(raw: str) -> str:
    """HMAC-SHA256 of the number under NATIONAL_ID_HASH_KEY, always of its 13 ASCII digits
    (normalised here, so that Thai and Arabic digits of one number give one hash)."""
    digits = normalize(raw)
    return hmac.new(
        settings.NATIONAL_ID_HASH_KEY.encode(), digits.encode(), hashlib.sha256
    ).hexdigest()


@sensitive_variables()
def last4(raw: str) -> str:
    """The last four digits (ASCII) of a typed number, the only digits that are kept."""
    return normalize(raw)[-4:]


@sensitive_variables()
def pid_hash(pid) -> str:
    """The keyed hash of a national ID asserted by an identity provider (ThaID's `pid` claim).

    Unlike a typed number, a claim is machine data: exactly 13 ASCII digits with a valid check
    digit, or NationalIdError. The hash is the one `keyed_hash` gives the same number typed into a
    form, so a ThaID identity and a verification request's national ID compare by hash alone."""
    text = pid if isinstance(pid, str) else ""
    if not checksum_ok(text):
        raise NationalIdError(_("The identity provider sent no valid national ID number."))
    return keyed_hash(text)
