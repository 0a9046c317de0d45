"""The production stack of `make prod` (scripts/prod.sh), started once per test session.

nginx (TLS, self-signed certificate) in front of two gunicorn instances, a Celery worker and
beat, ELAAS_ENV=production, on free ports, with a folder, a PostgreSQL database and a Redis
database of its own. Without nginx the tests that use it are skipped, saying so; CI installs it
(.ci/run). PostgreSQL and Redis are those of DATABASE_URL and REDIS_URL (the machine's own on
127.0.0.1 when unset).

The data (a generated registry, the reference circulars, one more DLA letter that opens identity
verification today, the demo accounts) is written with ELAAS_ENV=development, which production
refuses, before the stack starts, with the same keys.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests import keyspace
from tests.keyspace import free_port, own_name  # ports and names per xdist worker

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "elaas-demo-2568"  # noqa: S105 - README, "Demo accounts"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@dataclass
class ProdStack:
    base_url: str  # https://127.0.0.1:<port>, through nginx
    web_urls: list[str]  # http://127.0.0.1:<port> of each gunicorn instance
    env: dict[str, str]
    folder: Path
    logs: Path = field(init=False)

    def __post_init__(self):
        self.logs = self.folder / "logs"

    @property
    def host(self) -> str:
        return urlparse(self.base_url).netloc


def _database_url(purpose: str = "prodstack") -> tuple[str, str]:
    """(url of the stack's own database, url of the server's maintenance database): the run's
    database name with `_<purpose>`, and the xdist worker's name (`_gw0`) under `make test`."""
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith(("postgres://", "postgresql://")):
        given = "postgres://postgres@127.0.0.1:5432/elaas"
    parsed = urlparse(given)
    name = own_name(f"{parsed.path.lstrip('/') or 'elaas'}_{purpose}")
    return parsed._replace(path=f"/{name}").geturl(), parsed._replace(path="/postgres").geturl()


def _psql(admin_url: str, sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def _opening_letter(path: Path) -> Path:
    """A DLA letter, dated today, that lets unverified LAOs verify their identity from 2026 on:
    the reference letters' window (April 2568) is long closed on the real clock production runs."""
    data = json.loads((ROOT / "circulars" / "data" / "elaas-2568-04.json").read_text())
    dla = next(c for c in data["circulars"] if c["authority"] == "dla")
    letter = {k: v for k, v in dla.items() if k not in ("references", "enclosures", "forwards")}
    letter |= {
        "key": "test-prodstack-opening",
        "number": "มท ๐๘๐๘.๔/ว ๙๙๙๙",
        "issued_on": "2026-01-02",
        "date_as_written": "๒ มกราคม ๒๕๖๙",
        "rules": [
            {
                "action": "verify_identity",
                "effect": "allow",
                "entity_type": "lao",
                "identity_verified": False,
                "starts_at": "2026-01-01T00:00:00+07:00",
                "ends_at": None,
                "clause": "ข้อ ๑ (ทดสอบ)",
                "clause_text": "ทดสอบ: เปิดให้ยืนยันตัวตน",
                "reason_th": "ทดสอบ: อปท. ที่ยังไม่ได้ยืนยันตัวตนยืนยันตัวตนได้ตั้งแต่ 1 มกราคม 2569",
                "reason_en": "Test: unverified LAOs may verify their identity from 1 January 2026.",
            }
        ],
    }
    path.write_text(json.dumps({"source": "tests/prodstack.py", "circulars": [letter]}))
    return path


def own_redis_space(purpose: str) -> dict[str, str]:
    """A stack's own Celery queue and cache keys in the shared Redis database: two stacks running
    at once (one per xdist worker: this one and tests/test_prod_reload.py's) never take each
    other's tasks or read each other's cached figures and login counters."""
    return {
        "CELERY_QUEUE": keyspace.queue_name(purpose),
        "CACHE_KEY_PREFIX": f"{keyspace.TEST_KEY_PREFIX}:{purpose}",
    }


def forget_redis_space(env: dict[str, str]) -> None:
    """Delete a stack's queue and cache keys (those of `own_redis_space`)."""
    import redis

    keyspace.delete_queue(env["REDIS_URL"], env["CELERY_QUEUE"])
    client = redis.Redis.from_url(env["REDIS_URL"])
    try:
        keys = list(client.scan_iter(match=f"{env['CACHE_KEY_PREFIX']}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def _run(args: list[str], env: dict[str, str], timeout: int = 300) -> None:
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def production_base_env() -> dict[str, str]:
    """This process's environment without its own tuning: no SECURE_* or PROD_* of the caller,
    and not the browser fixture's DJANGO_ALLOW_ASYNC_UNSAFE, which `check --deploy` refuses."""
    own = ("SECURE_", "PROD_", "DJANGO_ALLOW_ASYNC_UNSAFE")
    return {k: v for k, v in os.environ.items() if not k.startswith(own)}


def prod_sh(command: str, env: dict[str, str], timeout: int = 300):
    """`scripts/prod.sh <command>` with this environment."""
    return subprocess.run(
        ["bash", "scripts/prod.sh", command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def prod_stack(tmp_path_factory):
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install nginx): the production stack needs it")
    from cryptography.fernet import Fernet

    folder = tmp_path_factory.mktemp("prod")
    database_url, admin_url = _database_url()
    name = urlparse(database_url).path.lstrip("/")
    _psql(admin_url, f'DROP DATABASE IF EXISTS "{name}"')
    _psql(admin_url, f'CREATE DATABASE "{name}"')
    https_port, web_ports = free_port(), [free_port(), free_port()]
    env = production_base_env()
    env |= {
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "NATIONAL_ID_HASH_KEY": secrets.token_urlsafe(32),
        "MFA_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "PRIVATE_MEDIA_ROOT": str(folder / "private"),
        "EMAIL_BACKEND": "notifications.backends.DatabaseSinkBackend",
        "PROD_DIR": str(folder),
        "PROD_BIN": str(Path(sys.executable).parent),
        "PROD_HTTPS_PORT": str(https_port),
        "PROD_WEB_PORTS": " ".join(map(str, web_ports)),
        "WEB_WORKERS": "2",
        "PROD_QUEUE": "1",
        "CELERY_CONCURRENCY": "1",
        # Filled above with a generated registry; the first run (scripts/first-run.sh) is
        # tested by tests/test_first_run.py.
        "PROD_FIRST_RUN": "0",
    } | own_redis_space("prodstack")
    development = env | {
        "ELAAS_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "elaas_portal.settings.local",
        "DEBUG": "0",
    }
    manage = [sys.executable, "manage.py"]
    _run([*manage, "migrate", "--no-input", "-v", "0"], development)
    _run([*manage, "generate_demo_registry"], development)
    _run([*manage, "load_circulars"], development)
    _run([*manage, "load_circulars", str(_opening_letter(folder / "opening.json"))], development)
    _run([*manage, "create_demo_accounts"], development)
    started = prod_sh("start", env)
    stack = ProdStack(
        base_url=f"https://127.0.0.1:{https_port}",
        web_urls=[f"http://127.0.0.1:{port}" for port in web_ports],
        env=env,
        folder=folder,
    )
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield stack
    finally:
        prod_sh("stop", env, timeout=120)
        _psql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        forget_redis_space(env)
