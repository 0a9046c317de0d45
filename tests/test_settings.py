"""Settings read the environment and stop start-up on a malformed value, naming the variable."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import (
    database_from_url,
    email_from_parts,
    email_from_url,
    env_bool,
    portal_url,
    redis_url,
)

ROOT = Path(__file__).resolve().parent.parent


def manage_check(env: dict) -> subprocess.CompletedProcess:
    """`manage.py check` in a new process with this environment."""
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_postgres_url_becomes_a_database_entry():
    db = database_from_url(
        "DATABASE_URL", "postgres://u:p%40ss@db.example:6543/elaas?sslmode=require"
    )
    assert (db["ENGINE"], db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "django.db.backends.postgresql",
        "elaas",
        "u",
        "p@ss",
        "db.example",
        "6543",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}
    # Django's own health check: a connection PostgreSQL dropped is replaced, not failed on.
    assert (db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]) == (60, True)


@pytest.mark.parametrize(
    "url", ["mysql://x/y", "postgres://host-only", "postgres://h:notaport/db", "nonsense"]
)
def test_a_malformed_database_url_names_the_variable(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url("DATABASE_URL", url)


@pytest.mark.parametrize("url", ["http://localhost:6379", "redis://h:port/0"])
def test_a_malformed_redis_url_names_the_variable(url):
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        redis_url("REDIS_URL", url)


def test_a_bad_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG")


@pytest.mark.parametrize(
    "name,value",
    [
        ("DATABASE_URL", "mysql://root@localhost/elaas"),
        ("REDIS_URL", "localhost:6379"),
        ("ELAAS_ENV", "staging"),
        ("THAID_SERVER_URL", "https://thaid.example/o"),  # without its client id and secret
        ("THAID_MIN_IAL", "high"),
        ("EMAIL_URL", "http://mail.example.go.th"),
        ("EMAIL_PORT", "smtp"),
        ("METRICS_ALLOWED_NETWORKS", "10.0.0.0/8,intranet"),
        ("LOG_FORMAT", "xml"),
        ("CELERY_VISIBILITY_TIMEOUT", "300"),  # not above the 300 s time limit: a task twice
    ],
)
def test_start_up_stops_with_a_message_naming_the_variable(name, value):
    env = {**os.environ, name: value}
    result = manage_check(env)
    assert result.returncode != 0
    assert name in result.stderr


def test_production_without_a_secret_key_does_not_start():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {
        "ELAAS_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "elaas_portal.settings.production",
    }
    result = manage_check(env)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_the_thaid_stand_in_refuses_to_start_in_production():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "devidp.settings",
        "ELAAS_ENV": "production",
    }
    result = manage_check(env)
    assert result.returncode != 0 and "never in production" in result.stderr


def test_production_without_a_national_id_hash_key_does_not_start():
    env = {k: v for k, v in os.environ.items() if k != "NATIONAL_ID_HASH_KEY"} | {
        "ELAAS_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "elaas_portal.settings.production",
        "SECRET_KEY": "test-only-not-secret",
        "PORTAL_URL": "https://portal.example.go.th",
        "EMAIL_URL": "console",
    }
    result = manage_check(env)
    assert result.returncode != 0 and "NATIONAL_ID_HASH_KEY" in result.stderr


def test_an_unknown_required_position_stops_start_up():
    env = dict(os.environ) | {"IDENTITY_REQUIRED_POSITIONS": "finance_director,mayor"}
    result = manage_check(env)
    assert (
        result.returncode != 0
        and "IDENTITY_REQUIRED_POSITIONS" in result.stderr
        and "mayor" in result.stderr
    )


def test_the_defaults_need_no_service():
    from django.conf import settings

    assert settings.TIME_ZONE == "Asia/Bangkok" and settings.USE_TZ
    assert settings.LANGUAGE_CODE == "th" and [c for c, _ in settings.LANGUAGES] == ["th", "en"]
    if not os.environ.get("REDIS_URL"):
        assert settings.CELERY_TASK_ALWAYS_EAGER is True
    if not os.environ.get("DATABASE_URL"):
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def test_the_project_checks_and_has_no_missing_migrations(db):
    from django.core.management import call_command

    call_command("check", fail_level="WARNING")
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.parametrize(
    "url,expected",
    [
        (
            "smtp+tls://mailer:p%40ss%3Aw%2Frd@mail.example.go.th:587",
            ("mail.example.go.th", 587, "mailer", "p@ss:w/rd", True, False),
        ),
        ("smtp+tls://mail.example.go.th", ("mail.example.go.th", 587, "", "", True, False)),
        ("smtps://u:p@mail.example.go.th", ("mail.example.go.th", 465, "u", "p", False, True)),
        ("smtp://127.0.0.1:2525", ("127.0.0.1", 2525, "", "", False, False)),
    ],
)
def test_an_email_url_becomes_the_smtp_settings(url, expected):
    mail = email_from_url("EMAIL_URL", url)
    assert mail["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert expected == (
        mail["EMAIL_HOST"],
        mail["EMAIL_PORT"],
        mail["EMAIL_HOST_USER"],
        mail["EMAIL_HOST_PASSWORD"],
        mail["EMAIL_USE_TLS"],
        mail["EMAIL_USE_SSL"],
    )


def test_an_email_url_may_set_the_timeout():
    assert email_from_url("EMAIL_URL", "smtp://h?timeout=7")["EMAIL_TIMEOUT"] == 7


@pytest.mark.parametrize(
    "url,says",
    [
        ("http://mail.example.go.th", "unsupported scheme"),
        ("smtp+tls://", "no host"),
        ("smtp+tls://:secret@mail.example.go.th:587", "password but no user"),
        ("smtp://mail.example.go.th:99999", "not a valid URL"),
        ("smtp://mail.example.go.th?timeout=soon", "timeout"),
        ("smtp://mail.example.go.th?tls=1", "unknown option"),
    ],
)
def test_a_malformed_email_url_says_what_is_wrong(url, says):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL") as caught:
        email_from_url("EMAIL_URL", url)
    assert says in str(caught.value)


def test_the_smtp_settings_from_separate_variables(monkeypatch):
    monkeypatch.setenv("EMAIL_HOST", "mail.example.go.th")
    monkeypatch.setenv("EMAIL_HOST_USER", "mailer")
    monkeypatch.setenv("EMAIL_HOST_PASSWORD", "secret")
    monkeypatch.setenv("EMAIL_USE_TLS", "yes")
    mail = email_from_parts()
    assert (mail["EMAIL_HOST"], mail["EMAIL_PORT"], mail["EMAIL_USE_TLS"]) == (
        "mail.example.go.th",
        587,
        True,
    )
    monkeypatch.setenv("EMAIL_USE_SSL", "yes")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_USE_TLS and EMAIL_USE_SSL"):
        email_from_parts()


def test_email_url_and_email_host_together_stop_start_up():
    env = {**os.environ, "EMAIL_URL": "smtp://a", "EMAIL_HOST": "b"}
    result = manage_check(env)
    assert result.returncode != 0
    assert "EMAIL_URL and EMAIL_HOST" in result.stderr


# --- Production's mail and public address (issue 22) -----------------------------------------
def production(**env) -> dict:
    """A production environment with every required variable but those `env` removes (None)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "PORTAL_URL"))} | {
        "ELAAS_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "elaas_portal.settings.production",
        "SECRET_KEY": "test-only-not-secret",
        "NATIONAL_ID_HASH_KEY": "test-only-id-key",
        "MFA_ENCRYPTION_KEY": "test-only-mfa-key-aaaaaaaaaaaaaaaaaaaaaaaaa=",
        "ALLOWED_HOSTS": "localhost",
        "PORTAL_URL": "https://portal.example.go.th",
        "EMAIL_URL": "smtp+tls://mailer:secret@mail.example.go.th:587",
    }
    for name, value in env.items():
        if value is None:
            base.pop(name, None)
        else:
            base[name] = value
    return base


def test_production_without_email_url_does_not_start_and_says_how_to_choose_the_console():
    result = manage_check(production(EMAIL_URL=None))
    assert result.returncode != 0
    assert "EMAIL_URL must be set" in result.stderr and "EMAIL_URL=console" in result.stderr


def test_production_starts_with_email_url_console_written_on_purpose():
    result = manage_check(production(EMAIL_URL="console"))
    assert result.returncode == 0, result.stderr


def test_production_starts_with_a_mail_server():
    result = manage_check(production())
    assert result.returncode == 0, result.stderr


def test_production_without_portal_url_does_not_start():
    result = manage_check(production(PORTAL_URL=None))
    assert result.returncode != 0
    assert "PORTAL_URL must be set" in result.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://portal.example.go.th/", "https://portal.example.go.th"),
        ("http://127.0.0.1:8100", "http://127.0.0.1:8100"),
        ("https://dla.go.th/elaas/", "https://dla.go.th/elaas"),
    ],
)
def test_portal_url_is_kept_without_its_trailing_slash(value, expected):
    assert portal_url("PORTAL_URL", value, required=True) == expected


@pytest.mark.parametrize(
    "value", ["portal.example.go.th", "ftp://portal.example.go.th", "https://", "https://x:port"]
)
def test_a_portal_url_without_scheme_or_host_names_the_variable(value):
    with pytest.raises(ImproperlyConfigured, match="PORTAL_URL"):
        portal_url("PORTAL_URL", value, required=False)


def test_portal_url_in_development_defaults_to_make_runs_address():
    assert portal_url("PORTAL_URL", "", required=False) == "http://127.0.0.1:8000"


# -- one settings module per environment (issue 25: cookiecutter-django's split) --------------

SETTINGS_DIR = ROOT / "elaas_portal" / "settings"


def test_each_entry_point_picks_its_environments_settings():
    """`make run` (manage.py), `make test` (pytest) and `make prod` (scripts/prod.sh, the image,
    gunicorn's entry) each pick their module without the user setting anything."""
    import tomllib

    default = re.compile(r'setdefault\("DJANGO_SETTINGS_MODULE", "([\w.]+)"\)')
    assert default.findall((ROOT / "manage.py").read_text()) == ["elaas_portal.settings.local"]
    celery = (ROOT / "elaas_portal" / "celery.py").read_text()
    assert default.findall(celery) == ["elaas_portal.settings.local"]
    wsgi = (ROOT / "elaas_portal" / "wsgi.py").read_text()
    assert default.findall(wsgi) == ["elaas_portal.settings.production"]
    pytest_ini = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    assert pytest_ini["ini_options"]["DJANGO_SETTINGS_MODULE"] == "elaas_portal.settings.test"
    prod = (ROOT / "scripts" / "prod.sh").read_text()
    exports = re.findall(r"^\s*export ELAAS_ENV=production (\S+)", prod, re.M)
    assert exports and set(exports) == {"DJANGO_SETTINGS_MODULE=elaas_portal.settings.production"}
    assert "DJANGO_SETTINGS_MODULE: elaas_portal.settings.production" in (
        (ROOT / "docker-compose.yml").read_text()
    )


def test_the_suite_runs_on_the_test_settings(settings):
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "elaas_portal.settings.test"
    assert settings.DEMO_FEATURES and not settings.PRODUCTION


def test_production_environment_with_development_settings_does_not_start():
    """An environment written for production (ELAAS_ENV=production) never runs with the
    development keys: the development module refuses it and names the module to use."""
    env = {**os.environ, "ELAAS_ENV": "production"}
    env["DJANGO_SETTINGS_MODULE"] = "elaas_portal.settings.local"
    result = manage_check(env)
    assert result.returncode != 0
    assert "DJANGO_SETTINGS_MODULE=elaas_portal.settings.production" in result.stderr


def _assignments(path, name: str) -> int:
    import ast

    tree = ast.parse(path.read_text())
    return sum(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        for node in ast.walk(tree)
    )


@pytest.mark.parametrize("module", ["base", "local", "test", "production"])
def test_email_backend_is_set_at_most_once_per_file(module):
    assert _assignments(SETTINGS_DIR / f"{module}.py", "EMAIL_BACKEND") <= 1


def test_lists_are_edited_where_they_are_defined():
    """No `.append`, `.insert` or `.extend` on a settings list in base.py: each list is written
    whole where it is defined (an environment's file may build its own from it)."""
    text = (SETTINGS_DIR / "base.py").read_text()
    assert not re.findall(r"^[A-Z_]+\.(append|insert|extend)\(", text, re.M)
