"""Typed readers for settings from the environment that fail loudly.

Each reader names the variable in its error, so a deployment with a typo stops at start-up
with a message an operator can act on, instead of running with a silently wrong value.
"""

import base64
import binascii
import hashlib
import os
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(name: str, url: str) -> dict:
    """Turn postgres://user:pass@host:port/db or sqlite:///path into a DATABASES entry."""
    try:
        parsed = urlparse(url)
        port = parsed.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid URL: {exc}") from None
    if parsed.scheme in ("postgres", "postgresql", "pgsql"):
        db_name = unquote(parsed.path.lstrip("/"))
        if not db_name or not parsed.hostname:
            raise ImproperlyConfigured(
                f"{name}={url!r} needs a host and a database name: "
                "postgres://user:password@host:5432/dbname"
            )
        options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": db_name,
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname,
            "PORT": str(port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if url.startswith("sqlite:////"):
            path = "/" + path.lstrip("/")
        elif path.startswith("/"):
            path = path[1:]
        if not path:
            raise ImproperlyConfigured(f"{name}={url!r} names no file: sqlite:///relative.db")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    raise ImproperlyConfigured(
        f"{name}={url!r}: unsupported scheme {parsed.scheme!r}; use postgres:// or sqlite:///"
    )


def redis_url(name: str, url: str) -> str:
    try:
        parsed = urlparse(url)
        parsed.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid URL: {exc}") from None
    if parsed.scheme not in ("redis", "rediss", "unix") or not (parsed.hostname or parsed.path):
        raise ImproperlyConfigured(f"{name}={url!r} is not a Redis URL: use redis://host:6379/0")
    return url


def fernet_keys(name: str, keys: list[str]) -> list[str]:
    """Fernet keys (url-safe base64 of 32 bytes each), as `Fernet.generate_key()` prints them."""
    for position, key in enumerate(keys, start=1):
        try:
            raw = base64.b64decode(key.encode("ascii"), altchars=b"-_", validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ImproperlyConfigured(
                f"{name}: key {position} is not a Fernet key (url-safe base64 of 32 bytes); make "
                "one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'"
            )
    return keys


def derived_fernet_key(secret: str, purpose: str) -> str:
    """A Fernet key derived from `secret` for one purpose (development only)."""
    digest = hashlib.sha256(f"{purpose}:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")
