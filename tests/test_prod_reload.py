"""Upgrading a running portal: `scripts/prod.sh upgrade` (migrate, then reload each gunicorn
instance in turn, the Celery worker and beat, then nginx) under a load of GETs through nginx
refuses no request, and `make prod`'s waiting `scripts/prod.sh run` ends with status 0 when
`scripts/prod.sh stop` (make prod-stop) stops it.

A stack of its own, started with `run` as `make prod` does (free ports, a database
`<DATABASE_URL's name>_reload`, a Redis database from REDIS_URL), not the session's shared one.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests

from tests.prodstack import (
    NGINX,
    ROOT,
    _database_url,
    _psql,
    forget_redis_space,
    free_port,
    own_redis_space,
    prod_sh,
    production_base_env,
)

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
CLIENTS = 4  # at once, below the two instances' capacity: a reload must not be an overload


def wait_for(condition, *, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    pytest.fail(f"timed out after {timeout} s waiting for {what}\n{tail}")


class Load:
    """CLIENTS threads, each GETting /healthz/, the login page and the status page through nginx
    in turn, until stopped; every answer's status and every connection error counted. The login
    page's cookie makes nginx pass the status page to Django too (its cache is for visitors
    without a cookie)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.statuses: Counter = Counter()
        self.errors: list[str] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._client, daemon=True) for _ in range(CLIENTS)]

    def _client(self):
        session = requests.Session()
        paths = ["/healthz/", "/accounts/login/", "/"]
        i = 0
        while not self.stopping.is_set():
            path = paths[i % len(paths)]
            i += 1
            try:
                r = session.get(self.base_url + path, verify=False, timeout=30)
                self.statuses[r.status_code] += 1
            except requests.RequestException as exc:
                self.errors.append(f"{path}: {type(exc).__name__}: {exc}")

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for t in self.threads:
            t.join(60)

    @property
    def total(self) -> int:
        return sum(self.statuses.values()) + len(self.errors)

    @property
    def refused(self) -> int:
        return len(self.errors) + sum(n for s, n in self.statuses.items() if s >= 400)


@pytest.fixture
def running_stack(tmp_path):
    """`scripts/prod.sh run` in the background, as `make prod` runs it: (process, env, url)."""
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install nginx): the production stack needs it")
    from cryptography.fernet import Fernet

    database_url, admin_url = _database_url("reload")
    name = urlparse(database_url).path.lstrip("/")
    _psql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _psql(admin_url, f'CREATE DATABASE "{name}"')
    https_port = free_port()
    env = (
        production_base_env()
        | {
            "DATABASE_URL": database_url,
            "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "NATIONAL_ID_HASH_KEY": secrets.token_urlsafe(32),
            "MFA_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
            "EMAIL_BACKEND": "notifications.backends.DatabaseSinkBackend",
            "PROD_DIR": str(tmp_path / "prod"),
            "PROD_BIN": str(Path(sys.executable).parent),
            "PROD_HTTPS_PORT": str(https_port),
            "PROD_WEB_PORTS": f"{free_port()} {free_port()}",
            "WEB_WORKERS": "2",
            "CELERY_CONCURRENCY": "1",
            "PROD_WORKER_GRACE": "30",
        }
        | own_redis_space("reload")
    )
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            ["bash", "scripts/prod.sh", "run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(
            lambda: "Ctrl-C stops everything" in log.read_text() or process.poll() is not None,
            timeout=240,
            what="scripts/prod.sh run to serve",
            log=log,
        )
        assert process.poll() is None, log.read_text()
        yield process, env, f"https://127.0.0.1:{https_port}", log
    finally:
        if process.poll() is None:
            prod_sh("stop", env, timeout=120)
            process.wait(60)
        _psql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        forget_redis_space(env)


def test_an_upgrade_under_load_refuses_no_request_and_prod_stop_ends_make_prod_cleanly(
    running_stack,
):
    process, env, base_url, log = running_stack
    with Load(base_url) as load:
        wait_for(lambda: load.total >= 50, timeout=60, what="the load to run")
        before, started = load.total, time.monotonic()
        upgraded = prod_sh("upgrade", env, timeout=300)
        during, seconds = load.total - before, time.monotonic() - started
        after = load.total
        wait_for(lambda: load.total >= after + 50, timeout=60, what="the load after the upgrade")
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    out = upgraded.stdout
    # Migrations first, then each instance in turn with new workers, then Celery and nginx.
    assert "No migrations to apply" in out
    print(out)
    reloaded = re.findall(r"reloaded web(\d) \(workers ([\d ]+)-> ([\d ]+)\)", out)
    assert [n for n, _old, _new in reloaded] == ["1", "2"], out
    for _n, old, new in reloaded:
        assert set(old.split()).isdisjoint(new.split())
    assert "restarted the Celery worker and beat" in out
    assert during >= 20, f"only {during} requests during the upgrade: no load to speak of"
    print(
        f"upgrade under load ({CLIENTS} clients): {load.total} requests, {during} during the "
        f"{seconds:.1f} s of the upgrade: {dict(load.statuses)}, {len(load.errors)} errors"
    )
    assert load.errors == [] and load.refused == 0, (load.statuses, load.errors[:5])
    assert set(load.statuses) == {200}
    # `run` took the reload's restarts for no crash.
    assert process.poll() is None, log.read_text()
    assert prod_sh("status", env).returncode == 0

    stopped = prod_sh("stop", env, timeout=120)
    assert stopped.returncode == 0, stopped.stderr
    assert process.wait(30) == 0, log.read_text()
    assert "stopped by scripts/prod.sh stop" in log.read_text()
