"""Settings read the environment and stop start-up on a malformed value, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import database_from_url, env_bool, redis_url

ROOT = Path(__file__).resolve().parent.parent


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


def manage_check(env):
    """`manage.py check` in a fresh process with `env`."""
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "name,value",
    [
        ("DATABASE_URL", "mysql://root@localhost/elaas"),
        ("REDIS_URL", "localhost:6379"),
        ("ELAAS_ENV", "staging"),
        ("THAID_SERVER_URL", "https://thaid.example/o"),  # without its client id and secret
        ("THAID_MIN_IAL", "high"),
    ],
)
def test_start_up_stops_with_a_message_naming_the_variable(name, value):
    env = {**os.environ, name: value}
    result = manage_check(env)
    assert result.returncode != 0
    assert name in result.stderr


def test_production_without_a_secret_key_does_not_start():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {"ELAAS_ENV": "production"}
    result = manage_check(env)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_the_thaid_stand_in_refuses_to_start_in_production():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "devidp.settings", "ELAAS_ENV": "production"}
    result = manage_check(env)
    assert result.returncode != 0 and "never in production" in result.stderr


def test_production_without_a_national_id_hash_key_does_not_start():
    env = {k: v for k, v in os.environ.items() if k != "NATIONAL_ID_HASH_KEY"} | {
        "ELAAS_ENV": "production",
        "SECRET_KEY": "test-only-not-secret",
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
