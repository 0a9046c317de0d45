"""Second-factor secrets encrypted at rest, through allauth's MFA adapter hooks.

allauth keeps an officer's TOTP secret and the seed of their recovery codes in
`Authenticator.data`, passing them through `encrypt` before saving and `decrypt` after reading.
Here they become Fernet tokens (AES-128-CBC with HMAC-SHA256, from `cryptography`) under
settings.MFA_ENCRYPTION_KEYS: the first key encrypts, every key decrypts. A database dump, a
backup or an admin page then holds no usable secret. Secrets stored before this adapter are
encrypted by the data migration accounts 0004.
"""

import functools

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@functools.cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.MFA_ENCRYPTION_KEYS))


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return fernet().encrypt(text.encode()).decode("ascii")

    def decrypt(self, encrypted_text: str) -> str:
        try:
            return fernet().decrypt(encrypted_text.encode()).decode()
        except InvalidToken:
            raise ImproperlyConfigured(
                "A second-factor secret does not decrypt with MFA_ENCRYPTION_KEY: the key is not "
                "the one it was stored with, or the migration accounts 0004 has not run."
            ) from None
