"""Second-factor secrets are encrypted at rest with a key from the environment.

Before, `Authenticator.data` held the TOTP secret and the recovery codes' seed in clear: a
database dump, a backup or an admin page gave anyone the officers' second factors.
"""

import importlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from core.env import fernet_keys
from demo.demo_accounts import DEMO_TOTP_SECRET
from tests.actors import PASSWORD, make_user

pytestmark = pytest.mark.usefixtures("wall_clock_stopped")  # codes and logins in one TOTP step

ROOT = Path(__file__).resolve().parent.parent.parent
migration = importlib.import_module("accounts.migrations.0005_encrypt_mfa_secrets")


def code_now(secret: str = DEMO_TOTP_SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def officer(actors):
    return actors["dla_officer"]  # has a TOTP authenticator with the demo secret


def test_a_totp_secret_is_stored_as_a_token_that_only_the_key_opens(officer):
    stored = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP).data["secret"]
    assert DEMO_TOTP_SECRET not in stored
    assert stored.startswith("gAAAAA")  # a Fernet token
    assert get_adapter().decrypt(stored) == DEMO_TOTP_SECRET


def test_the_recovery_seed_is_stored_encrypted_and_the_codes_still_work(officer):
    codes = RecoveryCodes.activate(officer)
    stored = codes.instance.data["seed"]
    seed = get_adapter().decrypt(stored)
    assert seed not in stored and len(seed) == 80
    first = codes.generate_codes()[0]
    assert RecoveryCodes(Authenticator.objects.get(pk=codes.instance.pk)).validate_code(first)


def test_an_officer_logs_in_with_a_code_from_the_encrypted_secret(client, officer):
    response = client.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    response = client.post(response["Location"], {"code": code_now()})
    assert response.status_code == 302 and response["Location"] == "/my/"
    assert client.get("/review/").status_code == 200


def test_with_another_key_the_stored_secret_does_not_open(officer, settings):
    settings.MFA_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    stored = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP).data["secret"]
    with pytest.raises(ImproperlyConfigured, match="MFA_ENCRYPTION_KEY"):
        get_adapter().decrypt(stored)


def test_a_rotated_key_still_opens_what_the_old_key_encrypted(officer, settings):
    old = settings.MFA_ENCRYPTION_KEYS[0]
    stored = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP).data["secret"]
    settings.MFA_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    assert get_adapter().decrypt(stored) == DEMO_TOTP_SECRET
    assert TOTP(Authenticator.objects.get(user=officer, type="totp")).validate_code(code_now())


def test_the_migration_encrypts_secrets_stored_in_clear_once_and_can_undo_it(db):
    user = make_user("old-officer@test.example", kind="dla_officer")
    Authenticator.objects.filter(user=user).delete()
    totp = Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": DEMO_TOTP_SECRET}
    )
    seed = "ab" * 40
    recovery = Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": seed, "used_mask": 0, "migrated_codes": ["12345678"]},
    )

    migration.encrypt(apps, None)
    totp.refresh_from_db()
    recovery.refresh_from_db()
    assert DEMO_TOTP_SECRET not in str(totp.data) and seed not in str(recovery.data)
    assert "12345678" not in str(recovery.data)
    assert TOTP(totp).validate_code(code_now())
    assert RecoveryCodes(recovery).generate_codes() == ["12345678"]
    assert get_adapter().decrypt(recovery.data["seed"]) == seed

    encrypted = (totp.data, recovery.data)
    migration.encrypt(apps, None)  # again: nothing changes
    totp.refresh_from_db()
    recovery.refresh_from_db()
    assert (totp.data, recovery.data) == encrypted

    migration.decrypt(apps, None)
    totp.refresh_from_db()
    recovery.refresh_from_db()
    assert totp.data == {"secret": DEMO_TOTP_SECRET}
    assert recovery.data == {"seed": seed, "used_mask": 0, "migrated_codes": ["12345678"]}


@pytest.mark.parametrize(
    "value",
    ["not-a-key", "c2hvcnQ=", Fernet.generate_key().decode() + "x"],
    ids=["not-base64", "too-short", "a-key-and-one-more-character"],  # the same on every worker
)
def test_a_malformed_key_is_refused_naming_the_variable(value):
    with pytest.raises(ImproperlyConfigured, match="MFA_ENCRYPTION_KEY: key 1"):
        fernet_keys("MFA_ENCRYPTION_KEY", [value])


def _check_production(**env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "MFA_ENCRYPTION_KEY"}
    base |= {
        "ELAAS_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "elaas_portal.settings.production",
        "SECRET_KEY": "test-only-not-secret",
        "NATIONAL_ID_HASH_KEY": "test-only-id-key",
        "ALLOWED_HOSTS": "localhost",
        "PORTAL_URL": "https://localhost",
        "EMAIL_URL": "console",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_an_mfa_encryption_key_does_not_start():
    result = _check_production()
    assert result.returncode != 0 and "MFA_ENCRYPTION_KEY must be set" in result.stderr


def test_production_with_a_malformed_mfa_encryption_key_does_not_start():
    result = _check_production(MFA_ENCRYPTION_KEY="secret")
    assert result.returncode != 0 and "MFA_ENCRYPTION_KEY: key 1" in result.stderr


def test_production_starts_with_an_mfa_encryption_key():
    result = _check_production(MFA_ENCRYPTION_KEY=Fernet.generate_key().decode())
    assert result.returncode == 0, result.stderr
