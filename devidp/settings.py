"""Settings of the development stand-in for ThaID (a project of its own; see devidp/__init__.py)."""

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured

if os.environ.get("ELAAS_ENV") == "production":
    raise ImproperlyConfigured("devidp is a development stand-in for ThaID: never in production.")

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "devidp-development-only-not-a-secret"  # noqa: S105
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "oauth2_provider",
    "devidp",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "devidp.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DEVIDP_DB", str(BASE_DIR / "var" / "devidp.sqlite3")),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The portal runs on the same host (another port): cookies are not kept apart by port.
SESSION_COOKIE_NAME = "devidp_session"
CSRF_COOKIE_NAME = "devidp_csrftoken"
LOGIN_URL = "/login/"
LANGUAGE_CODE = "th"
TIME_ZONE = "Asia/Bangkok"
USE_TZ = True

# A new RS256 key at every start (published at /o/.well-known/jwks.json).
_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OIDC_RSA_PRIVATE_KEY = _key.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": OIDC_RSA_PRIVATE_KEY,
    "PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "devidp.validator.ThaIDValidator",
    "SCOPES": {
        "openid": "OpenID Connect",
        "pid": "เลขประจำตัวประชาชน (national ID)",
        "given_name": "ชื่อ (given name)",
        "family_name": "นามสกุล (family name)",
        "title": "คำนำหน้า (title)",
        "name_en": "ชื่อภาษาอังกฤษ (name in English)",
    },
    "DEFAULT_SCOPES": ["openid"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 300,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ID_TOKEN_EXPIRE_SECONDS": 300,
}

# The client the portal is (make run and the browser test register it with `devidp_setup`).
CLIENT_ID = os.environ.get("DEVIDP_CLIENT_ID", "elaas-portal-dev")
CLIENT_SECRET = os.environ.get("DEVIDP_CLIENT_SECRET", "elaas-portal-dev-secret")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
