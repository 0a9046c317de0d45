"""/healthz/ says the process lives; /readyz/ says whether the services a page needs answer.

Before, /healthz/ was the only check and answered 200 with PostgreSQL down. The database-down
cases run a fresh process whose DATABASE_URL points at a closed port: nothing is mocked.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import keyspace

ROOT = Path(__file__).resolve().parent.parent
REDIS_UP = keyspace.TEST_REDIS_URL  # only pinged: nothing written, nothing flushed


def closed_port() -> int:
    return keyspace.free_port()


def redis_is_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_UP, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client()
out = {}
for path in ("/healthz/", "/readyz/"):
    r = client.get(path)
    out[path] = [r.status_code, r.content.decode()]
print(json.dumps(out))
"""


def probe_with(**env) -> dict:
    """GET /healthz/ and /readyz/ in a new process with these environment variables."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CI") and not k.startswith("EMAIL_")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="elaas_portal.settings.test", LOG_LEVEL="CRITICAL", **env
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_with_postgresql_down_healthz_still_answers_but_readyz_is_503_naming_it():
    found = probe_with(DATABASE_URL=f"postgres://elaas@127.0.0.1:{closed_port()}/elaas")
    assert found["/healthz/"] == [200, "ok"]
    status, body = found["/readyz/"]
    assert status == 503
    assert json.loads(body) == {
        "ready": False,
        "down": ["postgresql"],
        "checks": {"postgresql": "down"},
        "mail": "console",  # the development default: mail to the console
    }


def test_with_postgresql_and_redis_down_readyz_names_both():
    found = probe_with(
        DATABASE_URL=f"postgres://elaas@127.0.0.1:{closed_port()}/elaas",
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
    )
    status, body = found["/readyz/"]
    assert status == 503
    assert json.loads(body)["down"] == ["postgresql", "redis"]


def test_readyz_is_200_when_the_database_answers_and_no_redis_is_configured(client, db, settings):
    settings.REDIS_URL = ""
    response = client.get("/readyz/")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True and body["down"] == []
    assert list(body["checks"].values()) == ["ok"]
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_503_naming_redis_when_redis_is_configured_and_down(client, db, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/readyz/")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["redis"] and body["checks"]["redis"] == "down"


def test_readyz_is_200_when_redis_is_configured_and_answers(client, db, settings):
    if not redis_is_up():
        pytest.skip(f"no Redis at {REDIS_UP}")
    settings.REDIS_URL = REDIS_UP
    response = client.get("/readyz/")
    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == "ok"


def test_readyz_answers_head_as_a_probe_may_ask(client, db):
    assert client.head("/readyz/").status_code == 200


# --- The mail server (issue 22): reported, never a reason to be unready -----------------------
def test_readyz_reports_a_mail_server_that_answers_ehlo_and_noop(client, db, settings):
    from aiosmtpd.controller import Controller

    class Accepting:
        pass

    controller = Controller(Accepting(), hostname="127.0.0.1", port=closed_port())
    controller.start()
    try:
        settings.REDIS_URL = ""
        settings.MAIL_DESTINATION = "smtp"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        response = client.get("/readyz/")
    finally:
        controller.stop()
    assert response.status_code == 200
    assert response.json()["mail"] == "ok"


def test_readyz_says_the_mail_server_is_down_and_stays_ready(client, db, settings):
    settings.REDIS_URL = ""
    settings.MAIL_DESTINATION = "smtp"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    response = client.get("/readyz/")
    body = response.json()
    assert response.status_code == 200 and body["ready"] is True
    assert body["mail"] == "down" and body["down"] == []


def test_readyz_says_console_when_mail_goes_to_the_log_on_purpose():
    found = probe_with(EMAIL_URL="console")
    status, body = found["/readyz/"]
    assert status == 200
    assert json.loads(body)["mail"] == "console"
