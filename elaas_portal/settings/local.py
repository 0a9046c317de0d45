"""Development settings: `make run` (manage.py's default). Demo accounts, the settable clock,
and keys derived from a development SECRET_KEY when none is given."""

import importlib.util

from django.core.exceptions import ImproperlyConfigured

from core.env import derived_fernet_key, env_bool, env_list, env_str

from .base import *  # noqa: F403
from .base import ELAAS_ENV, INSTALLED_APPS, MFA_ENCRYPTION_KEYS, NATIONAL_ID_HASH_KEY

if ELAAS_ENV == "production":
    raise ImproperlyConfigured(
        "ELAAS_ENV=production with development settings: set "
        "DJANGO_SETTINGS_MODULE=elaas_portal.settings.production."
    )

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = env_str("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["*"])

# Demo accounts and generated data sets (make run, tests, bench/): never in production, and not
# in the image at all (Dockerfile), where collectstatic runs with these settings.
if importlib.util.find_spec("demo") is not None:
    INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
DEMO_FEATURES = True

NATIONAL_ID_HASH_KEY = NATIONAL_ID_HASH_KEY or "dev-only-national-id-key:" + SECRET_KEY
MFA_ENCRYPTION_KEYS = MFA_ENCRYPTION_KEYS or [
    derived_fernet_key(SECRET_KEY, "dev-only-mfa-encryption-key")
]
