"""Encrypt the second-factor secrets stored in the clear before accounts.mfa_adapter existed.

TOTP secrets (`data["secret"]`), the recovery codes' seed (`data["seed"]`) and any migrated
recovery codes become Fernet tokens under the first of settings.MFA_ENCRYPTION_KEYS, as the
adapter writes them. A value that already decrypts is left alone, so running it again changes
nothing. Reversible: going back decrypts them.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import migrations


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.MFA_ENCRYPTION_KEYS])


def _decrypts(fernet: MultiFernet, value: str) -> bool:
    try:
        fernet.decrypt(value.encode())
    except InvalidToken:
        return False
    return True


def _convert(apps, change) -> None:
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=["totp", "recovery_codes"]):
        data = dict(authenticator.data)
        for field in ("secret", "seed"):
            if isinstance(data.get(field), str):
                data[field] = change(data[field])
        if isinstance(data.get("migrated_codes"), list):
            data["migrated_codes"] = [change(code) for code in data["migrated_codes"]]
        if data != authenticator.data:
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)


def encrypt(apps, schema_editor):
    fernet = _fernet()

    def change(value: str) -> str:
        if _decrypts(fernet, value):
            return value
        return fernet.encrypt(value.encode()).decode("ascii")

    _convert(apps, change)


def decrypt(apps, schema_editor):
    fernet = _fernet()

    def change(value: str) -> str:
        if not _decrypts(fernet, value):
            return value
        return fernet.decrypt(value.encode()).decode()

    _convert(apps, change)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_alter_historicalrole_district_and_more"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
