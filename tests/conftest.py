"""Shared fixtures: the reference circulars loaded into the test database, and named actors'
places."""

import datetime as dt
import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from circulars.services import load_circulars
from registry.models import District, Organization, Province
from tests import keyspace, migration_rows


def pytest_sessionfinish(session):
    """A pytest-xdist worker hands the controller what its session counted, for the summary."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        from tests.browser import axe
        from tests.fuzz import ledger

        statuses = {r: {w: dict(c) for w, c in p.items()} for r, p in ledger.STATUSES.items()}
        output["fuzz"] = [ledger.summary(), statuses]  # plain types: execnet sends no others
        output["axe"] = list(axe.RECORDED)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    from tests.browser import axe
    from tests.fuzz import ledger

    output = getattr(node, "workeroutput", {})
    if "fuzz" in output:
        ledger.from_worker(*output["fuzz"])
    axe.RECORDED.extend(output.get("axe", []))


def pytest_terminal_summary(terminalreporter):
    """The fuzz cases per role, and the axe-core violations by impact per role, of every worker
    (one summary here, not one per test package: under xdist the controller loads no other
    conftest)."""
    from tests.browser import axe
    from tests.fuzz import ledger

    ledger.report(terminalreporter)
    if axe.RECORDED:
        terminalreporter.section("axe-core violations by impact, per role")
        for line in axe.table():
            terminalreporter.write_line(line)


# Tests pytest-xdist may give the workers one by one, though `make test` runs `--dist loadfile`
# (a file's tests on one worker): one role each of the fuzz pass and of the accessibility pass,
# tens of seconds apiece. Each builds its own scene (function-scoped fixtures, nothing a module
# or class builds once), so splitting their files costs nothing; on one worker, each file alone
# took 5 minutes of CI's 15. Collecting one with a fixture of a wider scope is an error
# (`pytest_collection_modifyitems` below).
SPREAD = (
    "tests/fuzz/test_every_page.py::test_no_page_answers_a_server_error_to_any_input[",
    "tests/browser/test_accessibility.py::test_no_serious_axe_violation_on_any_page_of_the_role[",
)


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, except that each test of `SPREAD` is a unit of work of its own."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SpreadScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return nodeid if nodeid.startswith(SPREAD) else super()._split_scope(nodeid)

    return SpreadScheduling(config, log)


SHARED_SCOPES = ("package", "module", "class")


def shared_fixtures(item) -> list[str]:
    """The fixtures of ours `item` uses that are built once for more tests than itself (a
    plugin's, such as pytest-django's class-scoped `_django_setup_unittest` for unittest classes,
    are not ours to split)."""
    return sorted(
        name
        for name, defs in item._fixtureinfo.name2fixturedefs.items()
        if defs[-1].scope in SHARED_SCOPES and defs[-1].func.__module__.startswith("tests.")
    )


def pytest_collection_modifyitems(items):
    """A test of `SPREAD` may run on another worker than its file's other tests: a fixture it
    shares with them would be built twice, silently. Refused at collection instead."""
    for item in items:
        if item.nodeid.startswith(SPREAD) and (shared := shared_fixtures(item)):
            raise pytest.UsageError(
                f"{item.nodeid} is spread over the workers (SPREAD in tests/conftest.py) but "
                f"uses fixtures built once per {'/'.join(SHARED_SCOPES)}: {shared}"
            )


_db_blocker = []  # django_db_blocker, for the teardown hook below (a hook gets no fixtures)

# `make mutate`: mutmut forks a pytest session per mutant, and migrating a new SQLite test
# database was most of what a mutant cost. The Makefile migrates one file, and each session
# works on its own copy of it (kept as is: Django's keepdb, so `migrate` finds nothing to do).
DB_TEMPLATE = os.environ.get("TEST_DB_TEMPLATE", "")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    if not DB_TEMPLATE:
        yield
        return
    copy = Path(f"{DB_TEMPLATE}.{os.getpid()}")
    copy.write_bytes(Path(DB_TEMPLATE).read_bytes())
    # In place: a forked session's connection holds this very dict.
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(copy)
    yield
    copy.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def django_db_keepdb(request):
    return bool(DB_TEMPLATE) or request.config.getvalue("reuse_db")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, migrated; then the rows the data migrations wrote are kept,
    to be written back after every flush (tests/migration_rows.py)."""
    from django.db import connections

    with django_db_blocker.unblock():
        migration_rows.remember(connections)
    _db_blocker.append(django_db_blocker)
    yield
    _db_blocker.clear()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush (its fixtures are torn down by now), the rows the data
    migrations wrote are there again for the next test of this process, whatever it is: under
    pytest-xdist a worker runs a file's transactional tests before the next file's others."""
    try:
        return (yield)
    finally:
        if _db_blocker and migration_rows.flushes(item):
            with _db_blocker[0].unblock():
                migration_rows.write_back()


@contextmanager
def built_once(django_db_blocker, folder: Path):
    """Write a scene once for many tests (a class-scoped fixture's body): in one transaction,
    inside which each test's own runs as a savepoint, all rolled back after the last test. The
    scene is then the same for every test and costs one build instead of one per test. Passwords
    hashed cheaply and evidence files in `folder`, as the per-test fixtures below do."""
    from django.test import override_settings

    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            PRIVATE_MEDIA_ROOT=folder / "private",
        ),
        transaction.atomic(),
    ):
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="session", autouse=True)
def _own_redis_key_space():
    """Every Redis cache of this run keeps its keys under the run's own prefix (tests/keyspace.py):
    another run on the machine never sees them, and clearing them touches nothing else."""
    from django.test.signals import clear_cache_handlers

    settings.CACHES = keyspace.own_key_space(settings.CACHES)
    clear_cache_handlers(setting="CACHES")


@pytest.fixture(autouse=True)
def _fresh_policy_snapshot(settings):
    """Each test reads the rules its own transaction holds; no cached figures between tests."""
    from core import clock

    settings.POLICY_RULES_CACHE_SECONDS = 0
    keyspace.clear()  # this run's keys only: never FLUSHDB on a Redis others use
    clock.invalidate()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the portal's default language (Thai), whatever the one before it left
    active in this thread: mutmut's clean run, a second pytest session in one process, saw a
    refusal raised in the English a test before had left."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _intake_reads_in_the_test_s_own_thread(monkeypatch):
    """A letter taken in is read before the upload returns: the test's transaction holds the
    draft, which a reading thread's own connection could not see. The thread itself is tested
    in tests/circulars/test_intake_background.py."""
    from circulars import tasks

    monkeypatch.setattr(tasks, "READ_IN_THREAD", False)


def make_nakhon_phanom() -> Province:
    province, _ = Province.objects.get_or_create(
        code="48", defaults={"name_th": "นครพนม", "name_en": "Nakhon Phanom"}
    )
    return province


def make_circulars() -> dict:
    """The two reference letters and their rules, as `make run` loads them."""
    load_circulars()
    from circulars.models import Circular

    return {
        "dla": Circular.objects.get(number_normalized="มท 0808.4/ว 1541"),
        "province": Circular.objects.get(number_normalized="นพ 0023.5/ว 1578"),
    }


def make_sao_in_nakhon_phanom(nakhon_phanom: Province) -> Organization:
    """An SAO of Nakhon Phanom, not yet verified (code in the DLA scheme T PPDD NN)."""
    district, _ = District.objects.get_or_create(
        code="4801",
        defaults={
            "province": nakhon_phanom,
            "name_th": "เมืองนครพนม",
            "name_en": "Mueang Nakhon Phanom",
        },
    )
    return Organization.objects.create(
        kind="SAO", dla_code="6480199", name_th="ทดสอบ", district=district
    )


def make_sao_elsewhere() -> Organization:
    province, _ = Province.objects.get_or_create(code="50", defaults={"name_th": "เชียงใหม่"})
    district, _ = District.objects.get_or_create(
        code="5001", defaults={"province": province, "name_th": "เมืองเชียงใหม่"}
    )
    return Organization.objects.create(
        kind="SAO", dla_code="6500199", name_th="ทดสอบ", district=district
    )


@pytest.fixture
def nakhon_phanom(db):
    return make_nakhon_phanom()


@pytest.fixture
def circulars(nakhon_phanom):
    """The two reference letters and their rules, as `make run` loads them."""
    return make_circulars()


@pytest.fixture
def sao_in_nakhon_phanom(nakhon_phanom):
    """An SAO of Nakhon Phanom, not yet verified (code in the DLA scheme T PPDD NN)."""
    return make_sao_in_nakhon_phanom(nakhon_phanom)


@pytest.fixture
def sao_elsewhere(db):
    return make_sao_elsewhere()


def registry_dir() -> Path:
    return Path(settings.REGISTRY_DATA_DIR)


def require_registry():
    """Skip where the national registry files are absent; under CI their absence is a failure."""
    if (registry_dir() / "dla_lao_registry.csv").exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the registry files are missing from {registry_dir()} under CI")
    pytest.skip(f"the registry files are not at {registry_dir()}")


from tests.actors import actors, places  # noqa: E402,F401 - fixtures shared by every test package
from tests.prodstack import prod_stack  # noqa: E402,F401 - `make prod` started once per session

# 15 seconds into a 30-second TOTP step: 2025-04-10 09:00:15 Bangkok time.
TOTP_STEP_MIDDLE = dt.datetime(2025, 4, 10, 2, 0, 15, tzinfo=dt.UTC)


@pytest.fixture
def wall_clock_stopped(time_machine):
    """The wall clock stopped (in the middle of a TOTP step), for tests whose outcome depends on
    the moment they run at, however slowly the machine runs:
    - a TOTP code the test computes and the server's expectation fall in the same 30 seconds
      (before, a step turning over between two logins changed "code already used" into
      "incorrect code");
    - the portal's clock, which runs on from the instant `portal_clock` sets, stays there: a test
      set at 23:59:59 is still before midnight when its request is served (before, a login
      slower than a second on a loaded machine let a unit clerk in on 3 April)."""
    time_machine.move_to(TOTP_STEP_MIDDLE, tick=False)
    return TOTP_STEP_MIDDLE


@pytest.fixture
def portal_clock(db):
    """Set the portal's clock for one test: `portal_clock("2025-04-04T00:00:00+07:00")`."""
    from core import clock
    from core.clock import parse_instant

    def set_to(text):
        at = parse_instant(text)
        clock.set_clock(at, by="test")
        return at

    yield set_to
    clock.invalidate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Test users' passwords hashed cheaply: PBKDF2's full cost is seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Evidence files go to a fresh folder per test."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def thaid_op(settings, db):
    """A running OpenID provider (tests/thaid_op.py) the portal is configured to use as ThaID."""
    from tests.thaid_op import Provider, portal_settings

    provider = Provider().start()
    for name, value in portal_settings(provider.url).items():
        setattr(settings, name, value)
    yield provider
    provider.stop()


@pytest.fixture
def outbox_refusing_rows(db):
    """A trigger in the database refuses every new outbox row (a notification): the last step of a
    state change that messages people (publishing a circular, a reviewer's decision) fails with a
    real error of the database after its earlier steps were written. Meant for tests with
    `django_db(transaction=True)`, where only the service's own transaction can undo them; the
    trigger is dropped afterwards."""
    refuse = "the outbox refuses this row"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER test_refuse_outbox BEFORE INSERT ON notifications_notification "
                f"BEGIN SELECT RAISE(ABORT, '{refuse}'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION test_refuse_outbox() RETURNS trigger AS $$ BEGIN "
                f"RAISE EXCEPTION '{refuse}' USING ERRCODE = 'check_violation'; END $$ "
                "LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER test_refuse_outbox BEFORE INSERT ON notifications_notification "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse_outbox()"
            )
    yield refuse
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER test_refuse_outbox")
        else:
            cursor.execute("DROP TRIGGER test_refuse_outbox ON notifications_notification")
            cursor.execute("DROP FUNCTION test_refuse_outbox()")
