#!/usr/bin/env python3
"""Throughput benchmark of the portal under gunicorn, measured with wrk.

Run from the project root:  .venv/bin/python bench/run.py [--rounds 5] [--duration 5]
[--connections 16] [--workers 2] [--check] [--target name=path] [--goal name=ratio]

What it does, in order:
  1. (re)creates the PostgreSQL database `elaas_bench` on 127.0.0.1, then runs migrate,
     load_registry and load_circulars against it (a command that does not exist yet is
     skipped with a warning);
  2. starts gunicorn (ELAAS_ENV=production, DEBUG off, no access log) on a free port of
     127.0.0.1 and waits for /healthz/;
  3. checks that every target answers 200, then measures req/s with wrk, interleaved:
     each round runs every target once (warm-up, then --duration seconds), and the order
     is rotated from round to round so that drift of the machine hits all targets alike;
  4. prints, per target, the median req/s, its ratio to the bare view's median, and the
     p50/p99 latency; writes everything to bench/results/<timestamp>.json;
  5. with --check, exits 1 when a ratio is below its goal.

Every request goes to 127.0.0.1 only. gunicorn is stopped on exit, on error and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
# (name, path, goal): goal is the lowest acceptable ratio of the target's median req/s to
# the bare view's median from the same run; None = no goal. Add a line here for a new
# page, or pass --target name=path (and --goal name=ratio) on the command line.
BASELINE = "bare"
TARGETS: list[tuple[str, str, float | None]] = [
    (BASELINE, "/healthz/", None),
    ("status", "/", 0.5),
    (
        "api",
        "/api/policy/decision?entity_type=lao&action=verify_identity"
        "&at=2025-04-10T12:00:00%2B07:00&identity_verified=false",
        0.7,
    ),
]

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
HOST = "127.0.0.1"  # the only address this script talks to
DB_NAME = "elaas_bench"
BENCH_REDIS_DB = 12  # not 0 (development) nor 15 (CI's tests)
BENCH_REDIS_URL = f"redis://{HOST}:6379/{BENCH_REDIS_DB}"
SETUP_TIMEOUT = 600  # seconds, per management command
START_TIMEOUT = 30  # seconds for gunicorn to answer /healthz/
STOP_TIMEOUT = 10  # seconds for gunicorn to stop after SIGTERM, before SIGKILL


class BenchError(Exception):
    """A failure that stops the benchmark with a message (exit code 2)."""


@dataclass
class Target:
    name: str
    path: str
    goal: float | None = None
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
    if add_options is not None:
        add_options(p)
    args = p.parse_args(argv)
    for name in ("rounds", "duration", "warmup", "connections", "threads", "workers"):
        if getattr(args, name) < (0 if name == "warmup" else 1):
            p.error(f"--{name} is too small")
    if args.threads > args.connections:
        p.error("--threads must not exceed --connections")
    return args


def build_targets(args: argparse.Namespace, table=None) -> list[Target]:
    """`table` (default TARGETS) as changed by --target, --goal and --only."""
    targets = {name: Target(name, path, goal) for name, path, goal in (table or TARGETS)}
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
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{args.pg_user}@{HOST}:{args.pg_port}/{db_name}",
        ELAAS_ENV="production",
        DEBUG="0",
        SECRET_KEY="bench-" + secrets.token_urlsafe(40),
        NATIONAL_ID_HASH_KEY="bench-" + secrets.token_urlsafe(40),  # production requires one
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


def flush_bench_redis(db: int = BENCH_REDIS_DB) -> None:
    """Empty the benchmark's own Redis database, so every run starts with a cold cache."""
    import redis

    client = redis.Redis(host=HOST, port=6379, db=db, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()
    log(f"redis database {db} on {HOST}:6379 emptied")


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


def manage(env: dict[str, str], *cmd: str, timeout: int = SETUP_TIMEOUT) -> str:
    proc = subprocess.run(
        [str(venv_bin() / "python"), "manage.py", *cmd],
        cwd=ROOT,
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


def registry_dir(env: dict[str, str]) -> Path:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(getattr(settings, 'REGISTRY_DATA_DIR', ''))"
    )
    proc = subprocess.run(
        [str(venv_bin() / "python"), "-c", code],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "elaas_portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = proc.stdout.strip().splitlines() if proc.returncode == 0 else []
    value = lines[-1] if lines else ""
    return Path(value) if value else (ROOT.parent / "shared" / "data" / "registry").resolve()


def setup_data(env: dict[str, str]) -> list[str]:
    """migrate, load_registry, load_circulars; returns the names of the skipped steps."""
    listing = manage(env, "help", "--commands", timeout=120)
    available = set(re.findall(r"^\s*(\w+)\s*$", listing, re.M))
    steps: list[tuple[str, list[str]]] = [
        ("migrate", ["--no-input", "-v", "0"]),
        ("load_registry", [str(registry_dir(env))]),
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
            manage(env, name, *extra)
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


class Gunicorn:
    def __init__(self, env: dict[str, str], workers: int, logdir: Path):
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.log_path = logdir / "gunicorn.log"
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        cmd = [
            str(venv_bin() / "gunicorn"),
            "elaas_portal.wsgi",
            "-w",
            str(self.workers),
            "-b",
            f"{HOST}:{self.port}",
            "--graceful-timeout",
            "5",
            "--timeout",
            "30",
            "--log-level",
            "warning",
        ]
        if gunicorn_has_option("--no-control-socket"):  # gunicorn >= 25.1
            cmd.append("--no-control-socket")  # keep off another server's ~/.gunicorn/
        # No --access-logfile: gunicorn writes no access log unless asked to.
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
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
                if http_get(self.base + "/healthz/", timeout=1)[0] == 200:
                    log(f"gunicorn pid {self.proc.pid}: {self.workers} workers on {self.base}")
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(
            f"gunicorn did not answer /healthz/ within {START_TIMEOUT}s:\n{self.log_tail()}"
        )

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


def check_200(server: Gunicorn, target: Target) -> None:
    status, body = http_get(server.base + target.path, headers=target.headers)
    if status != 200:
        snippet = body[:600].decode("utf-8", "replace")
        raise BenchError(
            f"target {target.name!r} GET {target.path} answered {status}, not 200:\n{snippet}\n"
            f"--- gunicorn log ---\n{server.log_tail()}"
        )


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
        http_get(server.base + "/healthz/", timeout=120)
    except OSError as exc:
        raise BenchError(f"gunicorn did not drain after {target.name!r}: {exc}") from None


def measure(args: argparse.Namespace, server: Gunicorn, target: Target, rnd: int) -> Measurement:
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


def git_info() -> dict:
    def git(*a: str) -> str:
        try:
            return subprocess.run(
                ["git", *a], cwd=ROOT, capture_output=True, text=True, timeout=10
            ).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


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
) -> Path:
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
        "git": git_info(),
        "targets": [{**asdict(t), "headers": {k: "(hidden)" for k in t.headers}} for t in targets],
        "summary": rows,
        "measurements": [asdict(m) for m in measurements],
        **(extra or {}),
    }
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return path


# --- Main --------------------------------------------------------------------------------
def run_rounds(
    args: argparse.Namespace, server: Gunicorn, targets: list[Target]
) -> list[Measurement]:
    """Every target once per round (warm-up, then the measurement), the order rotated per round."""
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
            m = measure(args, server, t, rnd + 1)
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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    started = dt.datetime.now(dt.UTC)
    server: Gunicorn | None = None
    try:
        targets = build_targets(args)
        wrk_binary()  # fail before the slow setup if it is missing
        env = child_env(args)
        skipped: list[str] = []
        if args.no_setup:
            log(f"--no-setup: using the existing database {DB_NAME}")
        else:
            recreate_database(args)
            if env.get("REDIS_URL") == BENCH_REDIS_URL:
                flush_bench_redis()
            skipped = setup_data(env)
        server = Gunicorn(env, args.workers, Path(tempfile.mkdtemp(prefix="elaas-bench-")))
        server.start()
        for t in targets:
            check_200(server, t)
        measurements = run_rounds(args, server, targets)
        for t in targets:  # still 200 after the load (no throttling, no crash)
            check_200(server, t)
        server.stop()
    except BenchError as exc:
        print(f"\nBENCH FAILED: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        if server is not None:
            server.stop()
            shutil.rmtree(server.log_path.parent, ignore_errors=True)

    rows = summarize(targets, measurements)
    print_table(rows)
    if not args.no_json:
        path = write_json(args, targets, measurements, rows, skipped, env, started)
        log(f"results: {path.relative_to(ROOT)}")
    if skipped:
        warn(f"setup steps skipped: {', '.join(skipped)}")
    below = [r["target"] for r in rows if r["ok"] is False]
    if below:
        msg = f"below goal: {', '.join(below)}"
        if args.check:
            print(f"CHECK FAILED: {msg}", file=sys.stderr)
            return 1
        warn(msg + " (not failing: run with --check to enforce)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
