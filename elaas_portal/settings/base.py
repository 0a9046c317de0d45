"""Settings shared by every environment of the New e-LAAS onboarding portal.

Split as cookiecutter-django splits them: this file, then `local.py` (`make run`, manage.py's
default), `test.py` (pytest) and `production.py` (`make prod`, the image, gunicorn's default),
each starting from this one. Everything is read from the environment (core/env.py), with
embedded defaults that need no service: a SQLite file, Celery tasks run in-process, e-mail
written to the console. Setting DATABASE_URL (PostgreSQL) and REDIS_URL (Celery broker and cache)
switches to the real services. A malformed value stops start-up with a message naming the
variable.
"""

import os
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from accounts.positions import Position
from core.env import (
    EMAIL_CONSOLE,
    database_from_url,
    email_from_parts,
    email_from_url,
    env_int,
    env_list,
    env_str,
    fernet_keys,
    mail_destination,
    networks,
    portal_url,
    redis_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# "development" (local.py, test.py: demo accounts, settable clock) or "production"
# (production.py). The settings module decides; ELAAS_ENV, when set, must agree with it, so that
# an environment written for production never runs with development keys.
ELAAS_ENV = env_str("ELAAS_ENV", "development")
if ELAAS_ENV not in ("development", "production"):
    raise ImproperlyConfigured(f"ELAAS_ENV={ELAAS_ENV!r}: use 'development' or 'production'.")
PRODUCTION = False
# SECRET_KEY, DEBUG and ALLOWED_HOSTS: in local.py (development defaults) and production.py
# (required, or safe defaults).
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The path the portal is served under ("": the root). Set, never read from the request: gunicorn
# takes a SCRIPT_NAME header from its own host, and a prefix from a header would end up in every
# link of the status page kept for every visitor.
FORCE_SCRIPT_NAME = env_str("FORCE_SCRIPT_NAME", "").rstrip("/")
# A form refused for its CSRF token gets the portal's page (Thai, the header, a way back).
CSRF_FAILURE_VIEW = "elaas_portal.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    # ThaID; its provider class is accounts.thaid.provider.ThaIDProvider (below).
    "allauth.socialaccount.providers.openid_connect",
    "simple_history",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below) and Prometheus metrics.
    "csp",
    "django_prometheus",
    "elaas_portal",
    # Our apps, lowest layer first (README, Architecture).
    "core",
    "registry",
    "accounts",
    "maintenance",
    "notifications",
    "circulars",
    "onboarding",
    "compliance",
]
# (local.py adds "demo": demo accounts and generated data sets, never in production.)

# The one middleware chain every request goes through (issue 23), in order. Where a request
# needs less, a middleware branches inside itself: AuthenticationMiddleware leaves the session
# unread for a visitor without a session cookie (an anonymous user, no `Vary: Cookie`), and
# LocaleMiddleware leaves a language-neutral view's answer (the decision API, the liveness check,
# the metrics: core.middleware.language_neutral) without `Vary: Accept-Language`, so that shared
# caches keep it for everyone (maintenance/caching.py). tests/test_one_chain.py fails if any
# path drifts from this chain.
MIDDLEWARE = [
    # First: every request gets an id, even a 413 or a 400 (core/logs.py).
    "core.middleware.RequestIdMiddleware",
    # Requests and latencies for Prometheus (elaas_portal/metrics.py); its pair is last.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # A request body over REQUEST_BODY_MAX_BYTES is refused (413) before anyone reads it.
    "core.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # (production.py inserts whitenoise here: static files without the proxy)
    # django-csp's own middleware, so that its per-view decorators (csp_update, csp_exempt, …)
    # and nonces work.
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.AuthenticationMiddleware",
    # A signed-in person's pages: Cache-Control: no-store, private (README, Personal data).
    "core.middleware.PrivatePageMiddleware",
    "core.messages.LazyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "maintenance.gate.UnitGateMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.params.BadParameterMiddleware",
    "elaas_portal.metrics.AfterMiddleware",
]

ROOT_URLCONF = "elaas_portal.urls"
WSGI_APPLICATION = "elaas_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "elaas_portal.context_processors.portal",
                "elaas_portal.context_processors.enums",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": database_from_url("DATABASE_URL", _database_url)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "db.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# allauth's rate-limit counters (and their locks) and TOTP replay protection's used codes.
LIMIT_KEY_PREFIXES = ["allauth:rl:", "allauth.mfa.totp.used", "evidence-quota:"]
LIMITS_CACHE = {  # the table is accounts.LimitCacheEntry
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "accounts_limitcacheentry",
    "OPTIONS": {"MAX_ENTRIES": 100_000},
}
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    redis_url("REDIS_URL", REDIS_URL)
    # Pages keep working when Redis is down: the cache answers "miss" and logs (see cache.py).
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            # CACHE_KEY_PREFIX: two portals sharing one Redis database (as CELERY_QUEUE).
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "elaas"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            # While Redis is down, login rate-limit counters and used TOTP codes go to the
            # database instead of being dropped: the limits stay on (cache.py).
            "FALLBACK": {"ALIAS": "limits", "KEY_PREFIXES": LIMIT_KEY_PREFIXES},
        },
        "limits": LIMITS_CACHE,
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Each process's own memory, for pages that expire on their own within a minute and are served
# without a round trip to Redis: the status page, the same for every visitor, and an officer's
# kept dashboard or late list (compliance/pages.py). At most 1,000 entries (pages of 10-60 kB:
# tens of MB a worker at most), the least recently used first out.
CACHES["process"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "elaas-process",
    "OPTIONS": {"MAX_ENTRIES": 1000},
}

# Sessions in the database (Django's own store): they survive a restart of the workers and of
# Redis, and a logout deletes the one row every worker reads, so it ends the session everywhere.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Celery ------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "Asia/Bangkok"
CELERY_ENABLE_UTC = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
# A restart loses no task: a task is acknowledged when it has finished (acks late), so one a
# worker had not finished goes back to Redis; a task whose pool process died (killed, out of
# memory) is put back too rather than marked failed. A worker killed outright leaves its task
# unacknowledged in Redis, which gives it to another worker after the visibility timeout: longer
# than the longest task (the hard time limit), or Redis would hand a running task out twice.
# Every task can run twice (each claims its rows; the outbox has unique keys).
# The queue every task goes to and workers read (and the metrics measure): CELERY_QUEUE, so
# that two portals, or a test's workers, can share one Redis without taking each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 2 * CELERY_TASK_TIME_LIMIT)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"CELERY_VISIBILITY_TIMEOUT={CELERY_VISIBILITY_TIMEOUT} must be longer than "
        f"CELERY_TASK_TIME_LIMIT={CELERY_TASK_TIME_LIMIT}: Redis would give a task still "
        "running to a second worker"
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
}
# The daily reminder pass (Bangkok time), the check for a window opening, and the sweep that
# delivers what the broker could not carry (Redis down) and gives back dead workers' rows.
REMINDERS_DAILY_AT = env_str("REMINDERS_DAILY_AT", "08:30")
try:
    _hour, _minute = (int(x) for x in REMINDERS_DAILY_AT.split(":"))
    if not (0 <= _hour < 24 and 0 <= _minute < 60):
        raise ValueError
except ValueError:
    raise ImproperlyConfigured(
        f"REMINDERS_DAILY_AT={REMINDERS_DAILY_AT!r}: use HH:MM, e.g. 08:30"
    ) from None
CELERY_BEAT_SCHEDULE: dict = {
    "daily-reminder-pass": {
        "task": "notifications.tasks.daily_reminder_pass",
        "schedule": crontab(hour=_hour, minute=_minute),
    },
    "window-opening-check": {"task": "notifications.tasks.window_opening_check", "schedule": 300.0},
    "sweep-notifications": {"task": "notifications.tasks.sweep_notifications", "schedule": 60.0},
    # Evidence of withdrawn and rejected requests, once EVIDENCE_RETENTION_DAYS have passed.
    "purge-evidence": {
        "task": "onboarding.tasks.purge_evidence",
        "schedule": crontab(hour=3, minute=15),
    },
    # Memberships still pending after MEMBERSHIP_PENDING_DAYS expire at 00:00 Bangkok; until this
    # marks them, decisions and queues already treat them as expired.
    "expire-memberships": {
        "task": "onboarding.tasks.expire_memberships",
        "schedule": crontab(hour=0, minute=5),
    },
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=45),
    },
}
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 5)
NOTIFICATION_RETRY_BASE_SECONDS = env_int("NOTIFICATION_RETRY_BASE_SECONDS", 30)
NOTIFICATION_CLAIM_LEASE_SECONDS = env_int("NOTIFICATION_CLAIM_LEASE_SECONDS", 300)
# A pass that writes many rows nudges several workers at once (one task per this many rows, at most
# NOTIFICATION_NUDGE_FANOUT): a national pass is shared by every worker on every machine.
NOTIFICATION_ROWS_PER_NUDGE = max(env_int("NOTIFICATION_ROWS_PER_NUDGE", 500), 1)
NOTIFICATION_NUDGE_FANOUT = max(env_int("NOTIFICATION_NUDGE_FANOUT", 16), 1)
# The daily pass writes its rows in transactions of this many, each nudging the workers: delivery
# starts while the rest is written.
NOTIFICATION_PASS_CHUNK = max(env_int("NOTIFICATION_PASS_CHUNK", 2000), 1)
NOTIFICATION_MESSAGE_ID_DOMAIN = env_str("NOTIFICATION_MESSAGE_ID_DOMAIN", "elaas-onboarding.local")

# --- Accounts ----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [  # Django's and allauth's, reading the logged-in user fresh
    "elaas_portal.backends.ModelBackend",
    "elaas_portal.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.StaffSignupForm"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
LOGIN_URL = "/accounts/login/"
# Login limits count per account and per address: one person's typos lock only their own
# account (5 failed passwords in 5 minutes; the same for second-factor codes), while up to 200
# colleagues behind one office address keep logging in (100 failures in 5 minutes from one
# address, any accounts, before the address waits). Kept in the database while Redis is down.
ACCOUNT_RATE_LIMITS = {
    "login": "300/m/ip",  # every login form sent from one address
    "login_failed": "100/5m/ip,5/5m/key",  # key: the account (or its second factor)
    "reset_password": "20/m/ip,5/m/key",
}
LOGIN_REDIRECT_URL = "/my/"
MFA_TOTP_ISSUER = "New e-LAAS onboarding"
# Our allauth adapters: the officers' second factor may be a ThaID sign-in that asserted MFA.
ACCOUNT_ADAPTER = "accounts.thaid.adapter.AccountAdapter"

# --- ThaID (OpenID Connect) --------------------------------------------------------------
# Sign in with ThaID when THAID_SERVER_URL (the issuer; discovery at its
# /.well-known/openid-configuration), THAID_CLIENT_ID and THAID_CLIENT_SECRET are set; without
# them the button is not shown. `make run` points them at the development stand-in (devidp/).
THAID_SERVER_URL = env_str("THAID_SERVER_URL").rstrip("/")
THAID_CLIENT_ID = env_str("THAID_CLIENT_ID")
THAID_CLIENT_SECRET = env_str("THAID_CLIENT_SECRET")
if THAID_SERVER_URL and not (THAID_CLIENT_ID and THAID_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "THAID_SERVER_URL is set: THAID_CLIENT_ID and THAID_CLIENT_SECRET must be set too."
    )
# https:// (production.py); http:// too here, for the development stand-in (devidp/).
if THAID_SERVER_URL and not THAID_SERVER_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"THAID_SERVER_URL={THAID_SERVER_URL!r}: use an https:// URL.")
THAID_SCOPES = env_str("THAID_SCOPES", "openid pid").replace(",", " ").split()
if "openid" not in THAID_SCOPES:
    raise ImproperlyConfigured("THAID_SCOPES must include openid.")
# The identity assurance level (`ial`) at least which a ThaID identity proves a verification
# request's national ID.
try:
    THAID_MIN_IAL = Decimal(env_str("THAID_MIN_IAL", "2.3"))
except InvalidOperation:
    raise ImproperlyConfigured("THAID_MIN_IAL must be a number such as 2.3.") from None
# `acr` values that, like "mfa" in `amr`, say the sign-in used more than one factor.
THAID_MFA_ACR_VALUES = env_list("THAID_MFA_ACR_VALUES", [])
# How long after a ThaID sign-in it may prove a verification request's identity (seconds).
THAID_PROOF_MAX_AGE_SECONDS = env_int("THAID_PROOF_MAX_AGE_SECONDS", 600)
SOCIALACCOUNT_ADAPTER = "accounts.thaid.adapter.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("THAID_TIMEOUT_SECONDS", 5)
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "provider_class": "accounts.thaid.provider.ThaIDProvider",
        "OAUTH_PKCE_ENABLED": True,
        "EMAIL_AUTHENTICATION": False,
        "APPS": (
            [
                {
                    "provider_id": "thaid",
                    "name": "ThaID",
                    "client_id": THAID_CLIENT_ID,
                    "secret": THAID_CLIENT_SECRET,
                    "settings": {
                        "server_url": THAID_SERVER_URL,
                        "oauth_pkce_enabled": True,
                        "scope": THAID_SCOPES,
                        "fetch_userinfo": True,
                    },
                }
            ]
            if THAID_SERVER_URL
            else []
        ),
    }
}

# --- Mail (the server: below, with observability) ------------------------------------------
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
# The portal's public address, the one setting every link in mail and the inbox starts with
# (core/links.py): https://portal.example.go.th. Required in production (production.py); `make
# run` sets it from HOST and PORT, `scripts/prod.sh` from PROD_HOST and PROD_HTTPS_PORT.
PORTAL_URL = portal_url("PORTAL_URL", env_str("PORTAL_URL"), required=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "New e-LAAS onboarding <no-reply@localhost>")
# The portal's name as mail names it: allauth's mails greet "from" it and put it before each
# subject (not the host and port a request came in on).
PORTAL_NAME = env_str("PORTAL_NAME", "New e-LAAS")
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{PORTAL_NAME}] "

# --- Language and time -------------------------------------------------------------------
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))

# --- Portal ------------------------------------------------------------------------------
# Where the national registry lives when no path is given to load_registry.
REGISTRY_DATA_DIR = Path(
    env_str("REGISTRY_DATA_DIR", str(BASE_DIR.parent / "shared" / "data" / "registry"))
)
# Seconds a process keeps its snapshot of access rules before reading them again.
POLICY_RULES_CACHE_SECONDS = env_int("POLICY_RULES_CACHE_SECONDS", 10)
# Seconds the compliance dashboards' figures and body stay in the cache (0: nothing kept). Not a
# lag: they are keyed by the data version (compliance/version.py), so a change shows at once.
COMPLIANCE_CACHE_SECONDS = env_int("COMPLIANCE_CACHE_SECONDS", 300)
if not 0 <= COMPLIANCE_CACHE_SECONDS <= 3600:
    raise ImproperlyConfigured("COMPLIANCE_CACHE_SECONDS must be between 0 and 3600.")
# Demo accounts and a settable clock: on in local.py and test.py, off in production.py.
DEMO_FEATURES = False
# Seconds a process keeps the portal clock's setting (demo and tests only).
CLOCK_CACHE_SECONDS = env_int("CLOCK_CACHE_SECONDS", 2)

# Identity verification. National ID numbers are kept only as a keyed hash (HMAC-SHA256)
# and their last four digits. The key must be set in production and never change (production.py;
# local.py derives one from SECRET_KEY when it is not set).
NATIONAL_ID_HASH_KEY = env_str("NATIONAL_ID_HASH_KEY")
# TOTP secrets and the recovery codes' seed are kept encrypted (Fernet, accounts/mfa_adapter.py).
# MFA_ENCRYPTION_KEY holds one key or several separated by commas: the first encrypts, every one
# decrypts (to rotate, put the new key first). Required in production; never lose it.
MFA_ADAPTER = "accounts.mfa_adapter.MFAAdapter"
# Code fields with a numeric keyboard, a "6 หลัก" hint, Thai digits, and a message of their own
# for a right code used twice in its 30 s window (accounts/mfa_forms.py).
MFA_FORMS = {
    "authenticate": "accounts.mfa_forms.PortalAuthenticateForm",
    "reauthenticate": "accounts.mfa_forms.PortalReauthenticateForm",
    "activate_totp": "accounts.mfa_forms.PortalActivateTOTPForm",
}
MFA_ENCRYPTION_KEYS = fernet_keys("MFA_ENCRYPTION_KEY", env_list("MFA_ENCRYPTION_KEY", []))
# Evidence files live here, outside any public path, served only through an authorised view.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")))
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)
EVIDENCE_MAX_FILES = env_int("EVIDENCE_MAX_FILES", 10)
# The largest request body accepted at all (413 above it, before the body is read): every evidence
# file at its largest, plus 1 MiB for the form's other fields and the multipart framing.
REQUEST_BODY_MAX_BYTES = env_int(
    "REQUEST_BODY_MAX_BYTES", EVIDENCE_MAX_BYTES * EVIDENCE_MAX_FILES + 1024 * 1024
)
if EVIDENCE_MAX_BYTES < 1 or EVIDENCE_MAX_FILES < 1 or REQUEST_BODY_MAX_BYTES < EVIDENCE_MAX_BYTES:
    raise ImproperlyConfigured(
        "EVIDENCE_MAX_BYTES and EVIDENCE_MAX_FILES must be positive, and REQUEST_BODY_MAX_BYTES "
        "at least EVIDENCE_MAX_BYTES."
    )
# Days the evidence of a withdrawn or rejected request is kept before `purge_evidence` deletes it.
EVIDENCE_RETENTION_DAYS = env_int("EVIDENCE_RETENTION_DAYS", 30)
# What one person and one LAO may file in a Bangkok day (onboarding/quota.py): new verification
# requests, and evidence bytes uploaded (a file removed again still counts).
EVIDENCE_DAILY_REQUESTS_PER_PERSON = env_int("EVIDENCE_DAILY_REQUESTS_PER_PERSON", 5)
EVIDENCE_DAILY_REQUESTS_PER_LAO = env_int("EVIDENCE_DAILY_REQUESTS_PER_LAO", 30)
EVIDENCE_DAILY_BYTES_PER_PERSON = env_int("EVIDENCE_DAILY_BYTES_PER_PERSON", 100 * 1024 * 1024)
EVIDENCE_DAILY_BYTES_PER_LAO = env_int("EVIDENCE_DAILY_BYTES_PER_LAO", 500 * 1024 * 1024)

# Circular intake's bounds (circulars/intake/limits.py): refused before any page is rasterised,
# per officer, per tool run and per draft. Reading runs on its own queue, "intake", with its own
# worker (scripts/prod.sh, docker-compose.yml): mail and reminders never wait behind OCR.
INTAKE_MAX_PAGES = env_int("INTAKE_MAX_PAGES", 50)
INTAKE_MAX_IMAGE_PIXELS = env_int("INTAKE_MAX_IMAGE_PIXELS", 40_000_000)
INTAKE_READING_DRAFTS_PER_OFFICER = env_int("INTAKE_READING_DRAFTS_PER_OFFICER", 3)
INTAKE_DRAFTS_PER_HOUR = env_int("INTAKE_DRAFTS_PER_HOUR", 20)
INTAKE_TOOL_SECONDS = env_int("INTAKE_TOOL_SECONDS", 120)
INTAKE_TOOL_MEMORY_MB = env_int("INTAKE_TOOL_MEMORY_MB", 1536)
INTAKE_DRAFT_SECONDS = env_int("INTAKE_DRAFT_SECONDS", 900)
for _name in (
    "INTAKE_MAX_PAGES",
    "INTAKE_MAX_IMAGE_PIXELS",
    "INTAKE_READING_DRAFTS_PER_OFFICER",
    "INTAKE_DRAFTS_PER_HOUR",
    "INTAKE_TOOL_SECONDS",
    "INTAKE_TOOL_MEMORY_MB",
    "INTAKE_DRAFT_SECONDS",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more.")
INTAKE_QUEUE = "intake"
CELERY_TASK_ROUTES = {"circulars.tasks.read_draft_task": {"queue": INTAKE_QUEUE}}
if EVIDENCE_RETENTION_DAYS < 0:
    raise ImproperlyConfigured("EVIDENCE_RETENTION_DAYS must be 0 or more.")
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Days a membership asked for at sign-up waits for approval: asked on day D, it may be decided
# until the end of day D + MEMBERSHIP_PENDING_DAYS (Bangkok), then it expires.
MEMBERSHIP_PENDING_DAYS = env_int("MEMBERSHIP_PENDING_DAYS", 14)
if MEMBERSHIP_PENDING_DAYS < 1:
    raise ImproperlyConfigured("MEMBERSHIP_PENDING_DAYS must be 1 or more.")
# Days an officer's invitation (a one-time link to set a password) stays valid: sent on day D,
# it works until the end of day D + OFFICER_INVITATION_DAYS (Bangkok), then it has expired.
OFFICER_INVITATION_DAYS = env_int("OFFICER_INVITATION_DAYS", 7)
if OFFICER_INVITATION_DAYS < 1:
    raise ImproperlyConfigured("OFFICER_INVITATION_DAYS must be 1 or more.")
# Positions whose approved requests make an LAO identity-verified: groups separated by commas,
# alternatives inside a group by "|". Default: (chief executive or permanent secretary) and
# the finance director.
IDENTITY_REQUIRED_POSITIONS = [
    group.split("|")
    for group in env_list(
        "IDENTITY_REQUIRED_POSITIONS",
        [f"{Position.CHIEF_EXECUTIVE}|{Position.PERMANENT_SECRETARY}", Position.FINANCE_DIRECTOR],
    )
]
for _group in IDENTITY_REQUIRED_POSITIONS:
    if not _group or set(_group) - set(Position.values):
        raise ImproperlyConfigured(
            f"IDENTITY_REQUIRED_POSITIONS: {'|'.join(_group)!r} names an unknown position; "
            f"use {', '.join(sorted(Position.values))}"
        )

# === Headers (issue 13) ======================================================================
# Every header below is set by Django, so that a page carries it however it is reached.
# production.py adds TLS: secure cookies, HSTS, the redirect to https behind the proxy.
# Development keeps http and no HSTS, with the same Content-Security-Policy, so that a violation
# shows while the page is written.
# Liveness, readiness and metrics are asked over plain http from inside (compose's healthcheck,
# nginx, Prometheus): never redirected to https.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$", r"^metrics$"]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# How many proxies' X-Forwarded-For the login limits believe: none here (requests come straight
# from the browser); one behind nginx (production.py).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# ... and only from the proxy itself: a peer not in TRUSTED_PROXIES (a client reaching gunicorn
# directly, another container) is counted by its own address, whatever X-Forwarded-For it sends.
TRUSTED_PROXIES = networks(
    "TRUSTED_PROXIES", env_list("TRUSTED_PROXIES", ["127.0.0.1/32", "::1/128"])
)


# Content-Security-Policy (django-csp 4): nothing inline, nothing from elsewhere. Scripts and
# styles are files under static/; the second factor's QR code is a data: image.
def content_security_policy(thaid_server_url: str = "") -> dict:
    """The policy; signing in with ThaID posts here and is redirected to ThaID, and form-action
    covers that redirect, so ThaID's origin is listed when it is configured."""
    thaid = urlsplit(thaid_server_url)
    thaid_origin = [f"{thaid.scheme}://{thaid.netloc}"] if thaid_server_url else []
    return {
        "DIRECTIVES": {
            "default-src": ["'self'"],
            "script-src": ["'self'"],
            "style-src": ["'self'"],
            "img-src": ["'self'", "data:"],
            "font-src": ["'self'"],
            "connect-src": ["'self'"],
            "object-src": ["'none'"],
            "base-uri": ["'self'"],
            "form-action": ["'self'", *thaid_origin],
            "frame-ancestors": ["'none'"],
        }
    }


CONTENT_SECURITY_POLICY = content_security_policy(THAID_SERVER_URL)
# No page of the portal uses the camera, microphone, location, payment or USB.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)
# === End of headers =========================================================================

# === Mail, observability, password hashing (issue 13, items 4-6) ===========================
# Mail: EMAIL_URL (smtp+tls://user:password@host:587, smtps://… for TLS from the first byte,
# smtp://… plain) or EMAIL_HOST with EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
# EMAIL_USE_TLS / EMAIL_USE_SSL. Without either, mail is written to the console (development;
# production.py refuses to start so). EMAIL_BACKEND, when set, still names the backend (the
# database sink of demos and benchmarks).
_mail_parts = [
    name
    for name in ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD")
    + ("EMAIL_USE_TLS", "EMAIL_USE_SSL")
    if name in os.environ
]
if env_str("EMAIL_URL") and _mail_parts:
    raise ImproperlyConfigured(
        f"EMAIL_URL and {', '.join(_mail_parts)} are both set: give the mail server one way."
    )
# EMAIL_URL=console writes mail to the log on purpose, and every page that says a mail was sent
# says so (MAIL_DESTINATION, elaas_portal.context_processors.mail).
if env_str("EMAIL_URL").strip().lower() == EMAIL_CONSOLE:
    _mail = {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
elif env_str("EMAIL_URL"):
    _mail = email_from_url("EMAIL_URL", env_str("EMAIL_URL"))
elif _mail_parts:
    _mail = email_from_parts()
else:
    _mail = {}
# Set once, here, for every environment.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    _mail.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
)
# Whether a mail server was given at all (production.py requires it).
MAIL_SERVER_GIVEN = bool(env_str("EMAIL_URL") or _mail_parts or env_str("EMAIL_BACKEND"))
EMAIL_HOST = _mail.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _mail.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _mail.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _mail.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _mail.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _mail.get("EMAIL_USE_SSL", False)
# Seconds before a silent mail server counts as a transient failure (Django's default: forever,
# which would hold a worker and its claimed rows until the task's time limit).
EMAIL_TIMEOUT = _mail.get("EMAIL_TIMEOUT", env_int("EMAIL_TIMEOUT", 20))
# Where mail goes: "smtp" (a server), "console" (the server log: nothing is sent) or "other"
# (a backend named by EMAIL_BACKEND, e.g. the database sink of demos and benchmarks).
MAIL_DESTINATION = mail_destination(EMAIL_BACKEND)

# Passwords: Argon2id at OWASP's minimum (accounts/hashers.py); PBKDF2 hashes still verify and are
# rewritten as Argon2id at the person's next login.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

# A TOTP code is also accepted during the 30 seconds after its own (allauth's default accepts
# only the current one): an officer who types a code as it turns over, or whose login waits a
# second in the morning's queue, is not refused. Each code is still accepted once (replay).
MFA_TOTP_TOLERANCE = 1

# Prometheus metrics at /metrics (elaas_portal/metrics.py): requests and latencies
# (django-prometheus), the outbox backlog and the Celery queue depth read at scrape time. Served
# only to METRICS_ALLOWED_NETWORKS (and never to a request relayed from outside by the proxy);
# 404 for everyone else. With several workers, set PROMETHEUS_MULTIPROC_DIR to an empty folder
# so that /metrics adds up every worker's counters.
METRICS_ALLOWED_NETWORKS = networks(
    "METRICS_ALLOWED_NETWORKS",
    env_list(
        "METRICS_ALLOWED_NETWORKS",
        ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
    ),
)


# Logs: one JSON object a line (LOG_FORMAT=json, the default in production.py) or readable text
# (the default here), each with the request id or the Celery task id it belongs to.
def logging_config(log_format: str) -> dict:
    if log_format not in ("json", "text"):
        raise ImproperlyConfigured(f"LOG_FORMAT={log_format!r}: use 'json' or 'text'.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "core.logs.ContextFilter"}},
        "formatters": {
            "json": {"()": "core.logs.JsonFormatter"},
            "text": {
                "format": (
                    "%(asctime)s %(levelname)s %(name)s [%(request_id)s%(task_id)s] %(message)s"
                )
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["context"],
                "formatter": log_format,
            }
        },
        "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
        "loggers": {"django.request": {"level": "ERROR"}},
    }


LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOGGING = logging_config(LOG_FORMAT)
# Celery's own handlers are left alone: its workers log through the root handler above.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# === End of mail, observability, password hashing ============================================
