"""Production settings: `make prod` (scripts/prod.sh), the image and docker-compose.yml; the
WSGI entry point's default. Every key must be given; TLS behind nginx; no demo features.

nginx terminates TLS and says so in X-Forwarded-Proto, replaces X-Forwarded-For with the
client's address, and serves /static/ itself (scripts/prod.sh, docker-compose.yml).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_int, env_list, env_str, portal_url

from .base import *  # noqa: F403
from .base import (
    ELAAS_ENV,
    MAIL_SERVER_GIVEN,
    MFA_ENCRYPTION_KEYS,
    MIDDLEWARE,
    NATIONAL_ID_HASH_KEY,
    THAID_SERVER_URL,
    logging_config,
)

if ELAAS_ENV != "production" and "ELAAS_ENV" in os.environ:
    raise ImproperlyConfigured(
        f"ELAAS_ENV={ELAAS_ENV} with production settings: set "
        "DJANGO_SETTINGS_MODULE=elaas_portal.settings.local."
    )
ELAAS_ENV = "production"
PRODUCTION = True
DEMO_FEATURES = False

DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])


def required(name: str, value):
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production.")
    return value


SECRET_KEY = required("SECRET_KEY", env_str("SECRET_KEY"))
required("NATIONAL_ID_HASH_KEY", NATIONAL_ID_HASH_KEY)
required("MFA_ENCRYPTION_KEY", MFA_ENCRYPTION_KEYS)
PORTAL_URL = portal_url("PORTAL_URL", env_str("PORTAL_URL"), required=True)
if THAID_SERVER_URL and not THAID_SERVER_URL.startswith("https://"):
    raise ImproperlyConfigured(f"THAID_SERVER_URL={THAID_SERVER_URL!r}: use an https:// URL.")
# No mail server, unless the operator writes EMAIL_URL=console on purpose (base.py).
if not MAIL_SERVER_GIVEN:
    raise ImproperlyConfigured(
        "EMAIL_URL must be set in production: the mail server, e.g. "
        "smtp+tls://user:password@mail.example.go.th:587; or EMAIL_URL=console to write mail to "
        "the server log on purpose (nothing is then sent, and the pages say so)."
    )

# TLS, terminated by nginx (issue 13, items 1-3).
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading asks browsers to hard-code https for the domain, for months after it is withdrawn:
# a decision for whoever owns the domain, so it is off unless SECURE_HSTS_PRELOAD says so, and
# `check --deploy`'s reminder about it (W021) is silenced while it is off.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Behind the proxy every request comes from 127.0.0.1: the login limits count per address from
# the X-Forwarded-For nginx writes (one trusted proxy), not from the socket (TRUSTED_PROXIES).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)

# Static files: whitenoise's storage gives every file a name with its hash and a gzip copy at
# collectstatic; nginx serves STATIC_ROOT itself (gzip_static, cached a year) so a stylesheet
# never takes a gunicorn worker on a busy morning. WhiteNoiseMiddleware serves the same files
# when gunicorn is reached without the proxy (a single container, a test): right after
# SecurityMiddleware, as base.py's chain marks.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
MIDDLEWARE = [
    *MIDDLEWARE[: _security + 1],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[_security + 1 :],
]

LOG_FORMAT = env_str("LOG_FORMAT", "json")
LOGGING = logging_config(LOG_FORMAT)
