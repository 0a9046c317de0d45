#!/usr/bin/env python3
"""Throughput benchmark of the portal under gunicorn, measured with wrk against a bare Django
project served the same way.

Run from the project root:  .venv/bin/python bench/run.py [--project DIR] [--rounds 5]
[--duration 5] [--connections 16] [--workers 2] [--check] [--target name=path] [--goal name=ratio]

What it does, in order:
  1. (re)creates the PostgreSQL database `elaas_bench` on 127.0.0.1, then runs migrate,
     load_registry, load_circulars and generate_national_dataset (the latter with
     ELAAS_ENV=development: it refuses production) with the code of --project (default: the
     tree this script is in), then VACUUM ANALYZE;
  2. logs the officers in, in the database itself (a child process with the server's
     settings): the DLA officer, the provincial officer of --province and the district
     officer of --district, each with a session that used the second factor;
  3. starts two gunicorns on free ports of 127.0.0.1, with the same worker count and options:
     the portal of --project (ELAAS_ENV=production, DEBUG off, the cache in Redis database 12,
     no access log) and the bare Django project of bench/bare/ (no app, no middleware, one
     view); each worker logs where it imported its code from, and the bench checks it;
  4. checks that every target answers 200 (the dashboards with their figures), then measures
     req/s with wrk, interleaved: each round runs every target once, the bare view included
     (warm-up, then --duration seconds), and the order is rotated from round to round so
     that drift of the machine hits all targets alike;
  5. prints, per target, the median req/s, its ratio to the bare view's median, and the
     p50/p99 latency; writes everything to bench/results/<timestamp>.json;
  6. with --check, exits 1 when a ratio is below its goal.

Every request goes to 127.0.0.1 only. gunicorn is stopped on exit, on error and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import importlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse

# --- Targets -----------------------------------------------------------------------------
# (name, path, goal, who): goal is the lowest acceptable ratio of the target's median req/s
# to the bare view's median from the same run, None = no goal; who is the officer whose
# session the requests carry (None: anonymous); {province} and {district} in a path are
# --province and --district. Add a line here for a new page, or pass --target name=path
# (and --goal name=ratio) on the command line. BASELINE is the bare project's view.
BASELINE = "bare"
PROVINCE = "48"  # Nakhon Phanom: 104 LAOs
DISTRICT = "4801"
TARGETS: list[tuple[str, str, float | None, str | None]] = [
    (BASELINE, "/", None, None),
    ("status", "/", 0.6, None),
    (
        "api",
        "/api/policy/decision?entity_type=lao&action=verify_identity"
        "&at=2025-04-10T12:00:00%2B07:00&identity_verified=false",
        0.8,
        None,
    ),
    ("province", "/compliance/province/{province}/", 0.3, "province"),
    ("district", "/compliance/district/{district}/", 0.3, "district"),
    ("country", "/compliance/country/", 0.3, "dla"),
    ("late", "/compliance/late/?province={province}", 0.25, "province"),
]
# What a good answer holds (a redirect to the login or a 403 page would not).
MARKERS = {
    "province": b'id="lao-total"',
    "district": b'id="lao-total"',
    "country": b'id="lao-total"',
    "late": b'id="late"',
}

ROOT = Path(__file__).resolve().parent.parent  # the tree this script is in
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
GUNICORN_CONF = BENCH_DIR / "gunicorn_conf.py"
HOST = "127.0.0.1"  # the only address this script talks to
DB_NAME = "elaas_bench"
BENCH_REDIS_DB = 12  # not 0 (development) nor 15 (CI's tests)
BENCH_REDIS_URL = f"redis://{HOST}:6379/{BENCH_REDIS_DB}"
SETUP_TIMEOUT = 600  # seconds, per management command
DATASET_TIMEOUT = 900  # generate_national_dataset takes one to two minutes
START_TIMEOUT = 30  # seconds for gunicorn to answer its ready path (and its workers to log)
STOP_TIMEOUT = 10  # seconds for gunicorn to stop after SIGTERM, before SIGKILL


class BenchError(Exception):
    """A failure that stops the benchmark with a message (exit code 2)."""


@dataclass
class Target:
    name: str
    path: str
    goal: float | None = None
    who: str | None = None  # the officer logged in, or None
    server: str = "portal"  # or "bare": the bare project's gunicorn
    # Sent with every request (e.g. a session cookie); their values never reach the results.
    headers: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass
class Measurement:
    target: str
    round: int
    requests_per_sec: float
    requests: int
    latency_ms: dict[str, float] = field(default_factory=dict)  # p50, p75, p90, p99, avg, max


def log(msg: str) -> None:
    print(msg, flush=True)


def warn(msg: str) -> None:
    print(f"WARNING: {msg}", file=sys.stderr, flush=True)


# --- Command line ------------------------------------------------------------------------
def parse_args(
    argv: list[str] | None = None,
    *,
    description: str = "Benchmark the portal's pages against the bare Django view with wrk.",
    db_name: str = DB_NAME,
    redis_db: int = BENCH_REDIS_DB,
    add_options=None,
) -> argparse.Namespace:
    """The options every wrk benchmark shares; `add_options(parser)` adds a script's own."""
    p = argparse.ArgumentParser(
        description=description, formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    p.add_argument("--rounds", type=int, default=5, help="measurements per target")
    p.add_argument("--duration", type=int, default=5, help="seconds per measurement")
    p.add_argument("--warmup", type=int, default=1, help="seconds of warm-up before each one")
    p.add_argument("--connections", type=int, default=16, help="wrk connections")
    p.add_argument("--threads", type=int, default=1, help="wrk threads (<= connections)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    p.add_argument("--check", action="store_true", help="exit 1 if a ratio is below its goal")
    p.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="add a target, or change the path of a listed one (repeatable)",
    )
    p.add_argument(
        "--goal",
        action="append",
        default=[],
        metavar="NAME=RATIO",
        help="set (or with 'none' remove) a target's goal (repeatable)",
    )
    p.add_argument(
        "--only",
        default="",
        metavar="NAMES",
        help=f"comma-separated targets to run ({BASELINE!r} is always run)",
    )
    p.add_argument("--pg-port", type=int, default=5432, help="PostgreSQL port on 127.0.0.1")
    p.add_argument("--pg-user", default="postgres", help="PostgreSQL user (trust auth)")
    p.add_argument(
        "--redis-url",
        default=None,
        help="REDIS_URL for gunicorn (loopback only; default: database "
        f"{redis_db} of Redis on 127.0.0.1:6379, emptied first, when Redis answers "
        "there; 'none' = no Redis)",
    )
    p.add_argument(
        "--no-setup",
        action="store_true",
        help=f"reuse the existing {db_name} database: no drop/create/migrate/load",
    )
    p.add_argument("--no-json", action="store_true", help="do not write bench/results/*.json")
    p.add_argument(
        "--project",
        type=Path,
        default=ROOT,
        metavar="DIR",
        help="the portal's tree to measure (its manage.py, gunicorn and settings); the bench's "
        "own code, results and bare project stay in the tree of this script",
    )
    if add_options is not None:
        add_options(p)
    args = p.parse_args(argv)
    args.project = args.project.resolve()
    if not (args.project / "manage.py").is_file() or not (args.project / "elaas_portal").is_dir():
        p.error(f"--project {args.project}: no manage.py and elaas_portal/ there")
    for name in ("rounds", "duration", "warmup", "connections", "threads", "workers"):
        if getattr(args, name) < (0 if name == "warmup" else 1):
            p.error(f"--{name} is too small")
    if args.threads > args.connections:
        p.error("--threads must not exceed --connections")
    return args


def add_area_options(p: argparse.ArgumentParser, province: str, district: str) -> None:
    p.add_argument("--province", default=province, help="province code of {province} in paths")
    p.add_argument("--district", default=district, help="district code of {district} in paths")


def build_targets(
    args: argparse.Namespace, table=None, codes: dict[str, str] | None = None
) -> list[Target]:
    """`table` (default TARGETS, paths filled in with `codes`) as changed by --target, --goal
    and --only. The baseline is served by the bare project."""
    codes = codes or {"province": args.province, "district": args.district}
    targets = {
        name: Target(
            name, path.format(**codes), goal, who, "bare" if name == BASELINE else "portal"
        )
        for name, path, goal, who in (table or TARGETS)
    }
    for spec in args.target:
        name, sep, path = spec.partition("=")
        name = name.strip()
        if not sep or not name or not path.startswith("/"):
            raise BenchError(f"--target {spec!r}: use NAME=/path?query")
        if name in targets:
            targets[name].path = path
        else:
            targets[name] = Target(name, path)
    for spec in args.goal:
        name, sep, value = spec.partition("=")
        if not sep or name not in targets:
            raise BenchError(f"--goal {spec!r}: use NAME=RATIO with a known target name")
        if name == BASELINE:
            raise BenchError(f"--goal: {BASELINE!r} is the baseline and has no goal")
        try:
            targets[name].goal = None if value.lower() == "none" else float(value)
        except ValueError:
            raise BenchError(f"--goal {spec!r}: {value!r} is not a number") from None
    if args.only:
        wanted = {n.strip() for n in args.only.split(",") if n.strip()} | {BASELINE}
        unknown = wanted - targets.keys()
        if unknown:
            raise BenchError(f"--only: unknown target(s) {', '.join(sorted(unknown))}")
        targets = {n: t for n, t in targets.items() if n in wanted}
    return list(targets.values())


# --- Environment of the children ---------------------------------------------------------
def venv_bin() -> Path:
    here = Path(sys.executable).parent
    if (here / "gunicorn").exists():
        return here
    return ROOT / ".venv" / "bin"


def is_loopback(host: str | None) -> bool:
    return host in ("127.0.0.1", "localhost", "::1") or (host or "").startswith("127.")


def redis_answers(port: int = 6379) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def child_env(
    args: argparse.Namespace, *, db_name: str = DB_NAME, redis_db: int = BENCH_REDIS_DB
) -> dict[str, str]:
    """The environment of the portal's commands and server: the code of --project first on
    the path (before the virtualenv's editable install), production settings, fresh keys."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(args.project),
        DJANGO_SETTINGS_MODULE=settings_module(args.project, "production"),
        DATABASE_URL=f"postgres://{args.pg_user}@{HOST}:{args.pg_port}/{db_name}",
        ELAAS_ENV="production",
        DEBUG="0",
        # Production requires each of these keys (MFA_ENCRYPTION_KEY since the second factor's
        # secrets are encrypted: a Fernet key; the older tree ignores it).
        SECRET_KEY="bench-" + secrets.token_urlsafe(40),
        NATIONAL_ID_HASH_KEY="bench-" + secrets.token_urlsafe(40),
        MFA_ENCRYPTION_KEY=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    # Like the database, the cache is the benchmark's own: $REDIS_URL is not used.
    redis = args.redis_url
    if redis is None and redis_answers():
        redis = f"redis://{HOST}:6379/{redis_db}"
    if redis and redis.lower() != "none":
        if not is_loopback(urlparse(redis).hostname):
            raise BenchError(f"REDIS_URL {redis!r} is not on 127.0.0.1: refusing to use it")
        env["REDIS_URL"] = redis
    else:
        env.pop("REDIS_URL", None)
    return env


def bare_env() -> dict[str, str]:
    """The bare project's environment: bench/ on the path, its own settings, nothing else."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTHON"))}
    env.update(
        PYTHONPATH=str(BENCH_DIR), DJANGO_SETTINGS_MODULE="bare.settings", PYTHONUNBUFFERED="1"
    )
    return env


def flush_bench_redis(db: int | str = BENCH_REDIS_DB) -> None:
    """Empty the benchmark's own Redis database (a number on 127.0.0.1:6379, or the loopback
    URL the children were given), so every run starts with a cold cache."""
    import redis

    if isinstance(db, str):
        url = urlparse(db)
        if not is_loopback(url.hostname):
            raise BenchError(f"REDIS_URL {db!r} is not on 127.0.0.1: refusing to empty it")
        client = redis.Redis.from_url(db, socket_timeout=5)
        db = f"{url.path.lstrip('/') or '0'} of {url.hostname}:{url.port or 6379}"
    else:
        client = redis.Redis(host=HOST, port=6379, db=db, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()
    log(f"redis database {db} emptied")


# --- Database and data -------------------------------------------------------------------
def recreate_database(args: argparse.Namespace, db_name: str = DB_NAME) -> None:
    try:
        import psycopg2
        from psycopg2 import sql
    except ImportError:
        raise BenchError(
            "psycopg2 is missing: run with .venv/bin/python after `make install`"
        ) from None
    try:
        conn = psycopg2.connect(
            host=HOST, port=args.pg_port, user=args.pg_user, dbname="postgres", connect_timeout=5
        )
    except psycopg2.OperationalError as exc:
        raise BenchError(f"cannot reach PostgreSQL at {HOST}:{args.pg_port}: {exc}") from None
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            ident = sql.Identifier(db_name)
            try:
                cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
            except psycopg2.errors.SyntaxError:  # PostgreSQL < 13
                cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(ident))
            cur.execute(sql.SQL("CREATE DATABASE {}").format(ident))
    finally:
        conn.close()
    log(f"database {db_name} created on {HOST}:{args.pg_port}")


def manage(
    env: dict[str, str], *cmd: str, project: Path = ROOT, timeout: int = SETUP_TIMEOUT
) -> str:
    proc = subprocess.run(
        [str(venv_bin() / "python"), "manage.py", *cmd],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise BenchError(
            f"manage.py {' '.join(cmd)} failed ({proc.returncode}):\n"
            f"{proc.stdout[-2000:]}{proc.stderr[-4000:]}"
        )
    return proc.stdout


def registry_dir(env: dict[str, str], project: Path = ROOT) -> Path:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(getattr(settings, 'REGISTRY_DATA_DIR', ''))"
    )
    proc = subprocess.run(
        [str(venv_bin() / "python"), "-c", code],
        cwd=project,
        env={"DJANGO_SETTINGS_MODULE": settings_module(project, "local"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = proc.stdout.strip().splitlines() if proc.returncode == 0 else []
    value = lines[-1] if lines else ""
    return Path(value) if value else (ROOT.parent / "shared" / "data" / "registry").resolve()


def setup_data(env: dict[str, str], project: Path = ROOT) -> list[str]:
    """migrate, load_registry, load_circulars; returns the names of the skipped steps."""
    listing = manage(env, "help", "--commands", project=project, timeout=120)
    available = set(re.findall(r"^\s*(\w+)\s*$", listing, re.M))
    steps: list[tuple[str, list[str]]] = [
        ("migrate", ["--no-input", "-v", "0"]),
        ("load_registry", [str(registry_dir(env, project))]),
        ("load_circulars", []),
    ]
    skipped = []
    for name, extra in steps:
        if name not in available:
            warn(f"management command {name!r} does not exist (yet): step skipped")
            skipped.append(name)
            continue
        t0 = time.monotonic()
        try:
            manage(env, name, *extra, project=project)
        except BenchError as exc:
            if not skipped:
                raise
            # A step may need the data of one skipped before it (load_circulars needs the
            # registry): while the portal is half-written, go on with what loaded.
            warn(f"{exc}\n(going on: an earlier step was skipped: {', '.join(skipped)})")
            skipped.append(name)
            continue
        log(f"manage.py {name} {' '.join(extra)}  ({time.monotonic() - t0:.1f}s)")
    return skipped


def development(env: dict[str, str]) -> dict[str, str]:
    """The same database and keys with DEMO_FEATURES on: for the generator only."""
    module = env.get("DJANGO_SETTINGS_MODULE", "")
    if module.endswith(".production"):  # a tree with split settings (issue 25)
        module = module.removesuffix(".production") + ".local"
    return {**env, "DJANGO_SETTINGS_MODULE": module, "ELAAS_ENV": "development", "DEBUG": "0"}


def settings_module(project: Path, environment: str) -> str:
    """The settings module of `project` for "local" or "production": one module per environment
    since issue 25 (elaas_portal/settings/), one module before (ELAAS_ENV chose)."""
    if (project / "elaas_portal" / "settings").is_dir():
        return f"elaas_portal.settings.{environment}"
    return "elaas_portal.settings"


def setup_national(args: argparse.Namespace, env: dict[str, str], db_name: str) -> None:
    """A new database with the registry, the circulars and the national data set of
    --project's generate_national_dataset (the `demo` app's command, `compliance`'s in older
    trees), run with ELAAS_ENV=development (it refuses production), then VACUUM ANALYZE."""
    recreate_database(args, db_name)
    skipped = setup_data(env, args.project)
    if skipped:
        raise BenchError(f"setup steps missing: {', '.join(skipped)}; the data set needs them")
    t0 = time.monotonic()
    out = manage(
        development(env),
        "generate_national_dataset",
        project=args.project,
        timeout=DATASET_TIMEOUT,
    )
    log(f"manage.py generate_national_dataset  ({time.monotonic() - t0:.1f}s)")
    for line in out.strip().splitlines():
        log(f"  {line}")
    vacuum(args, db_name)


def vacuum(args: argparse.Namespace, db_name: str) -> None:
    """VACUUM ANALYZE: the planner's statistics and visibility maps of a database that has
    settled (as autovacuum leaves it), not of one just bulk-loaded."""
    import psycopg2

    t0 = time.monotonic()
    conn = psycopg2.connect(host=HOST, port=args.pg_port, user=args.pg_user, dbname=db_name)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    finally:
        conn.close()
    log(f"VACUUM ANALYZE  ({time.monotonic() - t0:.1f}s)")


# --- Officers' sessions ------------------------------------------------------------------
def make_sessions() -> None:
    """In a child with the server's settings: log the officers in, print what the bench needs.

    Reads BENCH_WANTED_AREAS ({"province": code or "", "district": code or ""}; empty: the
    province with the most LAOs, its district with the most) and prints one JSON line: the
    chosen codes, a session key per officer, the data set's size and where the code came from.
    Works with the trees before and after the registry moved out of `onboarding`.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elaas_portal.settings.production")
    import django

    django.setup()
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db.models import Count

    import elaas_portal
    from accounts.models import Role
    from notifications.models import Notification
    from onboarding.models import VerificationRequest

    try:
        from registry.models import Organization
    except ImportError:  # before the registry app
        from onboarding.models import Organization
    try:
        from demo.accounts import DOMAIN
    except ImportError:  # before the demo app
        from accounts.generate import DOMAIN

    wanted = json.loads(os.environ["BENCH_WANTED_AREAS"])
    laos = Organization.objects.laos()

    def most_laos(qs, code: str) -> str:
        return qs.values(code).annotate(n=Count("id")).order_by("-n", code)[0][code]

    province = wanted["province"] or most_laos(laos, "district__province__code")
    district = wanted["district"] or most_laos(
        laos.filter(district__province__code=province), "district__code"
    )
    generated = Role.objects.filter(user__email__endswith=f"@{DOMAIN}").select_related("user")
    officers = {
        "dla": generated.filter(kind="dla_officer").first(),
        "province": generated.filter(kind="province_officer", province__code=province).first(),
        "district": generated.filter(kind="district_officer", district__code=district).first(),
    }
    missing = [who for who, role in officers.items() if role is None]
    if missing or not VerificationRequest.objects.exists():
        print(json.dumps({"error": f"no generated data set here (officers missing: {missing})"}))
        sys.exit(1)
    # The portal's session engine (settings.SESSION_ENGINE: Django's database store; a custom
    # store with the user beside the data in trees of issue 23's time), as a login writes it.
    SessionStore = importlib.import_module(settings.SESSION_ENGINE).SessionStore  # noqa: N806
    sessions = {}
    for who, role in officers.items():
        user = role.user
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, generate_totp_secret())
        now = time.time()
        session = SessionStore()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session["account_authentication_methods"] = [
            {"method": "password", "at": now, "email": user.email},
            {"method": "mfa", "at": now, "type": "totp"},
        ]
        session["account_authentication_methods_user"] = str(user.pk)
        session.create()
        sessions[who] = {"key": session.session_key, "email": user.email}
    print(
        json.dumps(
            {
                "province": province,
                "district": district,
                "sessions": sessions,
                "imported_from": elaas_portal.__file__,
                "dataset": {
                    "laos": laos.count(),
                    "laos_verified": laos.filter(identity_verified_at__isnull=False).count(),
                    "units": Organization.objects.units().count(),
                    "verification_requests": VerificationRequest.objects.count(),
                    "request_history_rows": VerificationRequest.history.count(),
                    "notifications": Notification.objects.count(),
                    "laos_in_province": laos.filter(district__province__code=province).count(),
                    "laos_in_district": laos.filter(district__code=district).count(),
                },
            }
        )
    )


def log_in(args: argparse.Namespace, env: dict[str, str]) -> dict:
    """Officers' sessions in the bench's database, made by a child with the server's settings
    and code (--project): what make_sessions() prints."""
    code = f"import sys; sys.path.insert(0, {str(BENCH_DIR)!r}); import run; run.make_sessions()"
    proc = subprocess.run(
        [str(venv_bin() / "python"), "-c", code],
        cwd=args.project,
        env={
            **env,
            "BENCH_WANTED_AREAS": json.dumps(
                {"province": args.province, "district": args.district}
            ),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = proc.stdout.strip().splitlines()
    try:
        info = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        info = {}
    if proc.returncode != 0 or "sessions" not in info:
        hint = " (run without --no-setup to build it)" if args.no_setup else ""
        raise BenchError(
            f"could not log the officers in: {info.get('error', '')}{hint}\n"
            f"{proc.stdout[-1500:]}{proc.stderr[-3000:]}"
        )
    check_imported("elaas_portal", info["imported_from"], args.project, "the login child")
    return info


def add_sessions(targets: list[Target], info: dict) -> None:
    """Each officer's target carries what a browser sends after logging in: the session and
    the CSRF cookie Django set with the login page (without it every page would mint a new
    CSRF secret and set the cookie)."""
    csrf = secrets.token_hex(16)  # 32 characters, the length of Django's CSRF secret
    for t in targets:
        # As nginx forwards every request in production (README, Production): the portal
        # redirects plain http to https, and trusts this header from its proxy. The bare
        # project gets it too, so both read the same request.
        t.headers = {"X-Forwarded-Proto": "https"}
        if t.who:
            t.headers["Cookie"] = f"sessionid={info['sessions'][t.who]['key']}; csrftoken={csrf}"


def check_imported(name: str, path: str, tree: Path, who: str) -> None:
    if not Path(path).resolve().is_relative_to(tree):
        raise BenchError(f"{who} imported {name} from {path}, not from {tree}")


# --- gunicorn ----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def gunicorn_has_option(option: str) -> bool:
    proc = subprocess.run(
        [str(venv_bin() / "gunicorn"), "--help"], capture_output=True, text=True, timeout=30
    )
    return option in proc.stdout


def gunicorn_command(app: str, bind: str, workers: int, *options: str) -> list[str]:
    """The virtualenv's gunicorn serving `app` on `bind` with `workers` and the bench's
    gunicorn_conf.py (each worker says where it imported its code from): the one command line of
    every bench (run.py's Gunicorn, morning.py's instances), `options` added."""
    cmd = [str(venv_bin() / "gunicorn"), app, "-c", str(GUNICORN_CONF)]
    cmd += ["--bind", bind, "--workers", str(workers), *options]
    if gunicorn_has_option("--no-control-socket"):  # gunicorn >= 25.1
        cmd.append("--no-control-socket")  # keep off another server's ~/.gunicorn/
    return cmd


def collect_static(env: dict[str, str], project: Path, static_root: Path | None = None) -> None:
    """collectstatic of `project` (production settings serve static files from its manifest,
    whitenoise), into `static_root` if given (nginx serves them from there); a tree from before
    that has nowhere to collect to, and needs nothing: a warning, not a failure."""
    if static_root is not None:
        env = {**env, "STATIC_ROOT": str(static_root)}
    try:
        manage(env, "collectstatic", "--noinput", "-v", "0", project=project)
    except BenchError as exc:
        warn(f"collectstatic failed, going on without it: {str(exc)[:200]}")


class Gunicorn:
    """`app` of the tree `cwd` (first on the path), on a free port; `ready` answers 200 when it
    is up. Each worker logs where it imported `package` from (gunicorn_conf.py), and start()
    checks that it is `cwd`."""

    def __init__(
        self,
        env: dict[str, str],
        workers: int,
        logdir: Path,
        *,
        cwd: Path = ROOT,
        app: str = "elaas_portal.wsgi",
        package: str = "elaas_portal",
        ready: str = "/healthz/",
    ):
        self.env = {**env, "BENCH_CHECK_IMPORTS": package}
        self.workers = workers
        self.cwd = cwd
        self.app = app
        self.package = package
        self.ready = ready
        self.imported_from: str | None = None
        self.git: dict = {}  # the commit of `cwd` when the server started
        self.port = free_port()
        self.log_path = logdir / "gunicorn.log"
        self.proc: subprocess.Popen | None = None

    @classmethod
    def bare(cls, workers: int, logdir: Path) -> Gunicorn:
        """The bare project of bench/bare/, whatever --project is: the same baseline for all."""
        return cls(
            bare_env(), workers, logdir, cwd=BENCH_DIR, app="bare.wsgi", package="bare", ready="/"
        )

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        # No --access-logfile: gunicorn writes no access log unless asked to.
        cmd = gunicorn_command(
            self.app,
            f"{HOST}:{self.port}",
            self.workers,
            "--graceful-timeout",
            "5",
            "--timeout",
            "30",
            "--log-level",
            "warning",
        )
        self.git = git_info(self.cwd)
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd,
            cwd=self.cwd,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so Ctrl-C reaches only us
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if http_get(self.base + self.ready, timeout=1)[0] == 200:
                    self._check_imports(deadline)
                    dirty = (
                        f" + {self.git['changed_files']} changed files" if self.git["dirty"] else ""
                    )
                    log(
                        f"gunicorn pid {self.proc.pid}: {self.app}, {self.workers} workers on "
                        f"{self.base}, code from {self.imported_from} (commit "
                        f"{self.git['commit'][:12]}{dirty})"
                    )
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(
            f"gunicorn did not answer {self.ready} within {START_TIMEOUT}s:\n{self.log_tail()}"
        )

    def _check_imports(self, deadline: float) -> None:
        """Every worker's log line says where it imported `package` from: `cwd`."""
        pattern = re.compile(rf"bench-import {re.escape(self.package)} (\S+)")
        while True:
            found = pattern.findall(self.log_path.read_text(errors="replace"))
            if len(found) >= self.workers or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        if len(found) < self.workers:
            raise BenchError(
                f"{len(found)} of {self.workers} workers said where they imported "
                f"{self.package} from:\n{self.log_tail()}"
            )
        for path in found:
            check_imported(self.package, path, self.cwd, f"gunicorn {self.app}")
        self.imported_from = str(Path(found[0]).parent)

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)  # the master stops its workers
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                warn("gunicorn did not stop in time: killing its process group")
                try:
                    os.killpg(proc.pid, signal.SIGKILL)  # our own child's group, by its id
                except ProcessLookupError:
                    pass
                proc.wait(timeout=STOP_TIMEOUT)
        self._log.close()


# --- HTTP and wrk ------------------------------------------------------------------------
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer of its own, not a 200


_opener = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler({}))


def http_get(url: str, timeout: float = 10, headers: dict | None = None) -> tuple[int, bytes]:
    assert urlparse(url).hostname == HOST, url
    try:
        with _opener.open(
            urllib.request.Request(url, headers=headers or {}), timeout=timeout
        ) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def check_page(server: Gunicorn, target: Target, markers: dict[str, bytes] | None = None) -> None:
    """200, and for a target with a marker (MARKERS by default) the page itself: a redirect
    to the login or a 403 page would otherwise be measured as a fast page."""
    status, body = http_get(server.base + target.path, headers=target.headers)
    if status != 200:
        snippet = body[:600].decode("utf-8", "replace")
        raise BenchError(
            f"target {target.name!r} GET {target.path} answered {status}, not 200:\n{snippet}\n"
            f"--- gunicorn log ---\n{server.log_tail()}"
        )
    marker = (MARKERS if markers is None else markers).get(target.name)
    if marker is not None and marker not in body:
        raise BenchError(f"target {target.name!r}: not the page it should be:\n{body[:600]!r}")


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise BenchError(
            "wrk is not installed. On Debian/Ubuntu, as root:\n"
            "    apt-get update && apt-get install -y wrk"
        )
    return found


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not m:
        raise ValueError(text)
    return float(m.group(1)) * _UNITS_MS[m.group(2)]


def parse_wrk(out: str) -> dict:
    """Requests/sec, request count, errors and latency percentiles from `wrk --latency`."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    total = re.search(r"^\s*(\d+) requests in", out, re.M)
    if not rps or not total:
        raise BenchError(f"cannot read wrk's output:\n{out}")
    errors: dict[str, int] = {}
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        for key, value in zip(("connect", "read", "write", "timeout"), sock.groups(), strict=True):
            errors[key] = int(value)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors["non_2xx_3xx"] = int(non2xx.group(1)) if non2xx else 0
    latency: dict[str, float] = {}
    for pct, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M):
        latency[f"p{pct}"] = _ms(value)
    summary = re.search(r"^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)", out, re.M)
    if summary:
        latency["avg"], latency["max"] = _ms(summary.group(1)), _ms(summary.group(3))
    return {
        "requests_per_sec": float(rps.group(1)),
        "requests": int(total.group(1)),
        "errors": errors,
        "latency_ms": latency,
    }


def run_wrk(args: argparse.Namespace, url: str, seconds: int, headers: dict | None = None) -> dict:
    assert urlparse(url).hostname == HOST, url
    cmd = [
        wrk_binary(),
        "-t",
        str(args.threads),
        "-c",
        str(args.connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--latency",
    ]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(url)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    except subprocess.TimeoutExpired:
        raise BenchError(f"wrk did not finish within {seconds + 30}s: {url}") from None
    if proc.returncode != 0:
        raise BenchError(f"wrk failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    return parse_wrk(proc.stdout)


def drain(server: Gunicorn, target: Target) -> None:
    """Wait for gunicorn to answer what wrk left queued when it stopped (requests of closed
    connections, still in the listen backlog): a slow page's backlog must not eat into the
    next measurement. /healthz/ queues behind them, so its answer says they are done."""
    try:
        http_get(server.base + server.ready, timeout=120)
    except OSError as exc:
        raise BenchError(f"gunicorn did not drain after {target.name!r}: {exc}") from None


def measure(
    args: argparse.Namespace, servers: dict[str, Gunicorn], target: Target, rnd: int
) -> Measurement:
    server = servers[target.server]
    url = server.base + target.path
    if args.warmup:
        warm = run_wrk(args, url, args.warmup, target.headers)
        fail_on_errors(server, target, warm, "warm-up")
        drain(server, target)
    result = run_wrk(args, url, args.duration, target.headers)
    fail_on_errors(server, target, result, f"round {rnd}")
    drain(server, target)
    return Measurement(
        target=target.name,
        round=rnd,
        requests_per_sec=result["requests_per_sec"],
        requests=result["requests"],
        latency_ms=result["latency_ms"],
    )


def fail_on_errors(server: Gunicorn, target: Target, result: dict, when: str) -> None:
    bad = {k: v for k, v in result["errors"].items() if v}
    if bad:
        raise BenchError(
            f"target {target.name!r} ({when}): wrk saw errors {bad} out of "
            f"{result['requests']} requests; the numbers would be meaningless.\n"
            f"--- gunicorn log ---\n{server.log_tail()}"
        )
    if not server.alive():
        raise BenchError(f"gunicorn died during {target.name!r}:\n{server.log_tail()}")
    if result["requests"] == 0:
        raise BenchError(f"target {target.name!r} ({when}): no request completed")


# --- Report ------------------------------------------------------------------------------
def summarize(targets: list[Target], measurements: list[Measurement]) -> list[dict]:
    by_target = {t.name: [m for m in measurements if m.target == t.name] for t in targets}
    base = statistics.median(m.requests_per_sec for m in by_target[BASELINE])
    rows = []
    for t in targets:
        ms = by_target[t.name]
        rps = [m.requests_per_sec for m in ms]
        med = statistics.median(rps)
        ratio = med / base if base else 0.0

        def lat(key: str, ms=ms) -> float | None:
            values = [m.latency_ms[key] for m in ms if key in m.latency_ms]
            return statistics.median(values) if values else None

        rows.append(
            {
                "target": t.name,
                "path": t.path,
                "goal": t.goal,
                "rps_median": round(med, 1),
                "rps_min": round(min(rps), 1),
                "rps_max": round(max(rps), 1),
                "rps_all": rps,
                "ratio": round(ratio, 3),
                "p50_ms": lat("p50"),
                "p99_ms": lat("p99"),
                "ok": None if t.goal is None else ratio >= t.goal,
            }
        )
    return rows


def print_table(rows: list[dict]) -> None:
    def fmt_ms(v: float | None) -> str:
        return "-" if v is None else f"{v:.2f}"

    header = (
        f"{'target':<10} {'req/s med':>10} {'min..max':>17} {'ratio':>6} {'goal':>6} "
        f"{'p50 ms':>8} {'p99 ms':>8}  result"
    )
    log("")
    log(header)
    log("-" * len(header))
    for r in rows:
        goal = "-" if r["goal"] is None else f"{r['goal']:.2f}"
        if r["ok"] is None:
            result = "baseline" if r["target"] == BASELINE else "-"
        else:
            result = "ok" if r["ok"] else "BELOW GOAL"
        spread = f"{r['rps_min']:.0f}..{r['rps_max']:.0f}"
        log(
            f"{r['target']:<10} {r['rps_median']:>10.1f} {spread:>17} {r['ratio']:>6.2f} {goal:>6} "
            f"{fmt_ms(r['p50_ms']):>8} {fmt_ms(r['p99_ms']):>8}  {result}"
        )
    log("(p50/p99: medians over the rounds of wrk's latency percentiles)")


def git_info(tree: Path = ROOT) -> dict:
    def git(*a: str) -> str:
        try:
            return subprocess.run(
                ["git", *a], cwd=tree, capture_output=True, text=True, timeout=10
            ).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    changed = git("status", "--porcelain", "--untracked-files=no").splitlines()
    return {
        "commit": git("rev-parse", "HEAD"),
        "dirty": bool(changed),
        "changed_files": len(changed),
    }


def write_json(
    args,
    targets,
    measurements,
    rows,
    skipped,
    env,
    started: dt.datetime,
    *,
    suffix: str = "",
    extra: dict | None = None,
    project_git: dict | None = None,
) -> Path:
    """The record of a run; `project_git`: the project's commit when its server started (a
    tree that others commit to may have moved on since; default: now)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{started.strftime('%Y%m%dT%H%M%SZ')}{suffix}.json"
    doc = {
        "started": started.isoformat(),
        "finished": dt.datetime.now(dt.UTC).isoformat(),
        "config": {
            k: getattr(args, k)
            for k in ("rounds", "duration", "warmup", "connections", "threads", "workers", "check")
        },
        "redis_url": env.get("REDIS_URL"),
        "skipped_setup_steps": skipped,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "git": git_info(),  # the bench's own tree
        "project": {"path": str(args.project), "git": project_git or git_info(args.project)},
        "targets": [{**asdict(t), "headers": {k: "(hidden)" for k in t.headers}} for t in targets],
        "summary": rows,
        "measurements": [asdict(m) for m in measurements],
        **(extra or {}),
    }
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return path


# --- Main --------------------------------------------------------------------------------
def run_rounds(
    args: argparse.Namespace, servers: dict[str, Gunicorn], targets: list[Target]
) -> list[Measurement]:
    """Every target once per round (warm-up, then the measurement), the order rotated per round;
    each on its server (`servers[target.server]`: the portal, or the bare project)."""
    total = len(targets) * args.rounds * (args.warmup + args.duration)
    log(
        f"targets: {', '.join(t.name for t in targets)}; {args.rounds} rounds x "
        f"{args.duration}s (+{args.warmup}s warm-up), {args.connections} connections, "
        f"about {total}s"
    )
    measurements: list[Measurement] = []
    for rnd in range(args.rounds):
        shift = rnd % len(targets)
        order = targets[shift:] + targets[:shift]
        for t in order:
            m = measure(args, servers, t, rnd + 1)
            measurements.append(m)
            log(
                f"  round {rnd + 1}/{args.rounds} {t.name:<8} "
                f"{m.requests_per_sec:9.1f} req/s  p50 {m.latency_ms.get('p50', 0):.2f} ms  "
                f"p99 {m.latency_ms.get('p99', 0):.2f} ms"
            )
    return measurements


def _interrupt(signum, frame):
    # SIGTERM takes the clean-up path of Ctrl-C; SIGINT is set too, since a shell starts a
    # background job with SIGINT ignored, and then Python installs no handler of its own.
    raise KeyboardInterrupt


def start_servers(
    args: argparse.Namespace, env: dict[str, str], prefix: str
) -> dict[str, Gunicorn]:
    """The portal of --project and the bare project, each with --workers workers; on failure
    whatever started is stopped. Stop them with stop_servers()."""
    collect_static(env, args.project)
    servers = {
        "portal": Gunicorn(
            env, args.workers, Path(tempfile.mkdtemp(prefix=prefix)), cwd=args.project
        ),
        "bare": Gunicorn.bare(args.workers, Path(tempfile.mkdtemp(prefix=prefix + "bare-"))),
    }
    try:
        for server in servers.values():
            server.start()
    except BaseException:
        stop_servers(servers)
        raise
    return servers


def stop_servers(servers: dict[str, Gunicorn]) -> None:
    for server in servers.values():
        server.stop()
        shutil.rmtree(server.log_path.parent, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv, add_options=lambda p: add_area_options(p, PROVINCE, DISTRICT))
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    started = dt.datetime.now(dt.UTC)
    servers: dict[str, Gunicorn] = {}
    try:
        targets = build_targets(args)
        wrk_binary()  # fail before the slow setup if it is missing
        env = child_env(args)
        log(f"project: {args.project}")
        if args.no_setup:
            log(f"--no-setup: using the existing database {DB_NAME}")
        else:
            setup_national(args, env, DB_NAME)
        if env.get("REDIS_URL") == BENCH_REDIS_URL:
            flush_bench_redis()
        info = log_in(args, env)
        log(
            f"province {info['province']} ({info['dataset']['laos_in_province']} LAOs), "
            f"district {info['district']} ({info['dataset']['laos_in_district']} LAOs)"
        )
        add_sessions(targets, info)
        servers = start_servers(args, env, "elaas-bench-")
        for t in targets:
            check_page(servers[t.server], t)
        measurements = run_rounds(args, servers, targets)
        for t in targets:  # still the page after the load (no throttling, no crash)
            check_page(servers[t.server], t)
        facts = run_facts(servers, info)
    except BenchError as exc:
        print(f"\nBENCH FAILED: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        stop_servers(servers)

    return report(args, targets, measurements, env, started, facts)


def run_facts(servers: dict[str, Gunicorn], info: dict) -> dict:
    """What a run's record keeps of its servers and logins (no session key)."""
    return {
        "project_git": servers["portal"].git,
        "imported_from": {name: s.imported_from for name, s in servers.items()},
        "officers": {who: s["email"] for who, s in info["sessions"].items()},
        "areas": {"province": info["province"], "district": info["district"]},
        "dataset": info["dataset"],
    }


def report(
    args: argparse.Namespace,
    targets: list[Target],
    measurements: list[Measurement],
    env: dict[str, str],
    started: dt.datetime,
    facts: dict,
    *,
    suffix: str = "",
    extra: dict | None = None,
    more_below: list[str] | None = None,
    print_more=None,
) -> int:
    """The table (and `print_more()`), the record, and the verdict: 1 with --check when a
    ratio (or one of `more_below`) misses its goal, else 0."""
    rows = summarize(targets, measurements)
    print_table(rows)
    if print_more is not None:
        print_more()
    if not args.no_json:
        facts = dict(facts)
        project_git = facts.pop("project_git")
        path = write_json(
            args,
            targets,
            measurements,
            rows,
            [],
            env,
            started,
            suffix=suffix,
            extra={**facts, **(extra or {})},
            project_git=project_git,
        )
        log(f"results: {path.relative_to(ROOT)}")
    below = [r["target"] for r in rows if r["ok"] is False] + (more_below or [])
    if below:
        msg = f"below goal: {', '.join(below)}"
        if args.check:
            print(f"CHECK FAILED: {msg}", file=sys.stderr)
            return 1
        warn(msg + " (not failing: run with --check to enforce)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
