"""The first run (issue 22, items 1 and 6): `make prod` and docker-compose.yml fill a new portal
the same way, and a second run changes nothing.

There is no Docker engine here, so the compose file is checked by running its `setup` service's
own command, read from the file, outside containers: in a new process with the production
settings, against a fresh database, with a slice of the real national registry
(../shared/data/registry: the provinces and districts whole, the first LAO rows).
"""

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import registry_dir, require_registry

ROOT = Path(__file__).resolve().parent.parent
LAO_ROWS = 300
LINK = re.compile(r"https://portal\.example\.go\.th/officers/welcome/[\w-]+/")


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_make_prod_and_the_compose_setup_run_the_same_first_run_script():
    prod_sh = (ROOT / "scripts" / "prod.sh").read_text()
    assert re.search(r"^\s+sh scripts/first-run\.sh", prod_sh, re.M)
    # prod.sh: migrate, then the first run, before any web instance starts.
    start = prod_sh[prod_sh.index("\nstart() {") :]
    assert start.index("manage.py migrate") < start.index("first_run") < start.index("launch ")
    setup = compose()["services"]["setup"]
    command = " ".join(setup["command"])
    assert command.index("manage.py migrate") < command.index("sh scripts/first-run.sh")
    web = compose()["services"]["web"]
    assert web["depends_on"]["setup"]["condition"] == "service_completed_successfully"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY scripts/first-run.sh" in dockerfile


def test_the_first_run_script_names_the_registry_the_circulars_and_the_first_officer():
    script = (ROOT / "scripts" / "first-run.sh").read_text()
    steps = [
        line.split("manage.py ", 1)[1].split()[0]
        for line in script.splitlines()
        if "manage.py " in line and not line.lstrip().startswith("#") and "echo" not in line
    ]
    assert steps == ["load_registry", "load_circulars", "create_officer"]


@pytest.fixture
def registry_slice(tmp_path) -> Path:
    """The real registry's provinces and districts, and its first LAO_ROWS LAOs."""
    require_registry()
    folder = tmp_path / "registry"
    folder.mkdir()
    for name in ("tgj_provinces.json", "tgj_districts.json"):
        shutil.copy(registry_dir() / name, folder / name)
    with open(registry_dir() / "dla_lao_registry.csv", encoding="utf-8") as source:
        lines = [next(source) for _ in range(LAO_ROWS + 1)]
    (folder / "dla_lao_registry.csv").write_text("".join(lines), encoding="utf-8")
    return folder


def counts(database: Path) -> dict[str, int]:
    from accounts.models import OfficerInvitation, Role, User
    from circulars.models import Circular
    from maintenance.models import AccessRule
    from notifications.models import Notification
    from registry.models import District, Organization, Province

    models = {
        "provinces": Province,
        "districts": District,
        "organizations": Organization,
        "circulars": Circular,
        "rules": AccessRule,
        "users": User,
        "roles": Role,
        "invitations": OfficerInvitation,
        "messages": Notification,
    }
    tables = {name: model._meta.db_table for name, model in models.items()}
    with sqlite3.connect(database) as connection:
        return {
            name: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for name, table in tables.items()
        }


def run_setup_outside_containers(env: dict) -> subprocess.CompletedProcess:
    """docker-compose.yml's setup command, as written there, with `python` this interpreter."""
    command = compose()["services"]["setup"]["command"]
    assert command[:2] == ["sh", "-c"]
    bin_dir = str(Path(sys.executable).parent)
    return subprocess.run(
        command,
        cwd=ROOT,
        env=env | {"PATH": f"{bin_dir}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_compose_setup_fills_a_fresh_database_and_a_second_run_changes_nothing(
    tmp_path, registry_slice
):
    from cryptography.fernet import Fernet

    database = tmp_path / "fresh.sqlite3"
    drop = ("DATABASE_URL", "REDIS_URL", "EMAIL_", "PORTAL_URL", "FIRST_OFFICER_", "DJANGO_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)} | {
        "ELAAS_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "elaas_portal.settings.production",
        "SECRET_KEY": "test-only-not-secret-" + "x" * 40,
        "NATIONAL_ID_HASH_KEY": "test-only-id-key",
        "MFA_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": f"sqlite:///{database}",
        "EMAIL_URL": "console",
        "PORTAL_URL": "https://portal.example.go.th",
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "REGISTRY_DATA_DIR": str(registry_slice),
        "FIRST_OFFICER_EMAIL": "somchai@dla.go.th",
        "FIRST_OFFICER_NAME": "สมชาย ใจดี",
        "FIRST_OFFICER_ROLE": "dla_officer",
        "LOG_LEVEL": "WARNING",
    }
    first = run_setup_outside_containers(env)
    assert first.returncode == 0, first.stdout + first.stderr
    after_first = counts(database)
    assert after_first["provinces"] == 77 and after_first["districts"] == 928
    assert after_first["organizations"] == LAO_ROWS
    assert after_first["circulars"] == 2 and after_first["rules"] > 0
    assert (after_first["users"], after_first["roles"], after_first["invitations"]) == (1, 1, 1)
    assert after_first["messages"] == 1  # the invitation, in the outbox
    assert LINK.search(first.stdout), first.stdout

    second = run_setup_outside_containers(env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert counts(database) == after_first
    assert "No changes" in second.stdout and "nothing changed" in second.stdout
    assert not LINK.search(second.stdout)
