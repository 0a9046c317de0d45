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


_EMAIL_SCHEMES = {  # scheme: (use STARTTLS, use implicit TLS, default port)
    "smtp": (False, False, 25),
    "smtp+tls": (True, False, 587),
    "submission": (True, False, 587),
    "smtps": (False, True, 465),
    "smtp+ssl": (False, True, 465),
}


def email_from_url(name: str, url: str) -> dict:
    """Turn smtp+tls://user:password@host:587 into Django's EMAIL_* settings.

    Schemes: smtp:// (plain, port 25), smtp+tls:// (STARTTLS, port 587) and smtps:// or
    smtp+ssl:// (TLS from the first byte, port 465). A user name or password holding `@`, `:`
    or `/` is percent-encoded (`%40`, `%3A`, `%2F`). `?timeout=SECONDS` overrides the timeout.
    """
    try:
        parsed = urlparse(url)
        port = parsed.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid URL: {exc}") from None
    if parsed.scheme not in _EMAIL_SCHEMES:
        raise ImproperlyConfigured(
            f"{name}: unsupported scheme {parsed.scheme!r}; use smtp://, smtp+tls:// (STARTTLS) "
            "or smtps:// (TLS), e.g. smtp+tls://user:password@mail.example.go.th:587"
        )
    if not parsed.hostname:
        raise ImproperlyConfigured(
            f"{name} names no host: smtp+tls://user:password@mail.example.go.th:587"
        )
    if parsed.password is not None and not parsed.username:
        raise ImproperlyConfigured(f"{name} has a password but no user name.")
    starttls, implicit_tls, default_port = _EMAIL_SCHEMES[parsed.scheme]
    settings = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname,
        "EMAIL_PORT": port or default_port,
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_TLS": starttls,
        "EMAIL_USE_SSL": implicit_tls,
    }
    for key, values in parse_qs(parsed.query).items():
        if key != "timeout":
            raise ImproperlyConfigured(f"{name}: unknown option {key!r}; only ?timeout=SECONDS.")
        try:
            settings["EMAIL_TIMEOUT"] = int(values[-1])
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: timeout={values[-1]!r} is not a number of seconds."
            ) from None
    return settings


def email_from_parts() -> dict:
    """Django's EMAIL_* settings from EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
    EMAIL_HOST_PASSWORD, EMAIL_USE_TLS (STARTTLS) and EMAIL_USE_SSL (TLS from the first byte)."""
    use_tls, use_ssl = env_bool("EMAIL_USE_TLS"), env_bool("EMAIL_USE_SSL")
    if use_tls and use_ssl:
        raise ImproperlyConfigured(
            "EMAIL_USE_TLS and EMAIL_USE_SSL are both on: use EMAIL_USE_TLS for STARTTLS (port "
            "587) or EMAIL_USE_SSL for TLS from the first byte (port 465), not both."
        )
    port = env_int("EMAIL_PORT", 465 if use_ssl else 587 if use_tls else 25)
    if not 0 < port < 65536:
        raise ImproperlyConfigured(f"EMAIL_PORT={port} is not a port number (1-65535).")
    host = env_str("EMAIL_HOST").strip()
    if not host:
        raise ImproperlyConfigured("EMAIL_HOST is empty: name the mail server, or unset it.")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": host,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": env_str("EMAIL_HOST_USER"),
        "EMAIL_HOST_PASSWORD": env_str("EMAIL_HOST_PASSWORD"),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
    }


def networks(name: str, values: list[str]) -> list:
    """CIDR blocks (10.0.0.0/8, ::1/128) or single addresses, read as ip_network objects."""
    import ipaddress

    parsed = []
    for value in values:
        try:
            parsed.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {value!r} is not an address or a network (e.g. 10.0.0.0/8)."
            ) from None
    return parsed


# EMAIL_URL=console: the operator's word that mail goes to the server log, not to a server.
EMAIL_CONSOLE = "console"
DEVELOPMENT_PORTAL_URL = "http://127.0.0.1:8000"


def portal_url(name: str, value: str, *, required: bool) -> str:
    """The portal's public address, without a trailing slash: http(s)://host[:port][/prefix].

    Every link in mail and in the inbox starts with it. Required in production (a link to
    another server, or a bare path, is worse than no start); in development, `make run` sets it
    from HOST and PORT, and it defaults to http://127.0.0.1:8000.
    """
    value = value.strip()
    if not value:
        if required:
            raise ImproperlyConfigured(
                f"{name} must be set when ELAAS_ENV=production: the portal's public address, "
                "e.g. https://portal.example.go.th (every link in mail and the inbox starts "
                "with it)."
            )
        return DEVELOPMENT_PORTAL_URL
    try:
        parsed = urlparse(value)
        parsed.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not a valid URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ImproperlyConfigured(
            f"{name}={value!r}: give the address with its scheme, e.g. https://portal.example.go.th"
        )
    if parsed.query or parsed.fragment:
        raise ImproperlyConfigured(f"{name}={value!r}: no query string or fragment, please.")
    return value.rstrip("/")


def mail_destination(backend: str) -> str:
    """Where EMAIL_BACKEND sends mail: "smtp", "console" (the log: nothing is sent) or "other"."""
    if backend == "django.core.mail.backends.smtp.EmailBackend":
        return "smtp"
    if backend == "django.core.mail.backends.console.EmailBackend":
        return "console"
    return "other"
