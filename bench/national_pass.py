#!/usr/bin/env python3
"""The national reminder pass, end to end: the daily pass and its delivery by Celery workers.

Run from the project root:  .venv/bin/python bench/national_pass.py [--check] [--no-setup]

What it does, in order:
  1. (re)creates the PostgreSQL database `elaas_bench_pass` on 127.0.0.1 and loads it as a
     national deployment would be: migrate, load_registry (the 7,849 LAOs), load_circulars,
     generate_national_accounts (three staff per LAO, an officer per district and province,
     one DLA officer); skipped with --no-setup;
  2. counts with SQL of its own, not with the pass's code, the rows the day should write:
     every staff member of an unverified LAO, the officer of every district and province
     with one, the DLA officer(s);
  3. scenario "normal": starts two real Celery workers (`celery -A elaas_portal worker
     --concurrency=1`, e-mail into the database with DatabaseSinkBackend, broker in Redis
     database 12, emptied first), sends them the daily pass as beat would
     (notifications.tasks.daily_reminder_pass), nudges each worker once the rows are
     committed, and waits until no row is pending or being sent; then runs the pass again,
     which must write nothing;
  4. scenario "kill": empties the outbox, starts two fresh workers, runs the pass again and
     SIGKILLs one worker (its whole process group) when about half the rows are sent; the
     other worker and the sweep (notifications.tasks.sweep_notifications, with a claim lease
     of 5 s) must finish the job;
  5. for each: wall time from the start of the pass to the last row sent, messages per
     second, and the proof of exactly-once: rows written = rows expected, sends (SinkMessage
     rows) = rows, distinct Message-IDs = sends (duplicates = 0), every row sent and matched
     by exactly one captured message;
  6. prints a summary and writes bench/results/<UTC timestamp>-national-pass.{json,md};
     with --check exits 1 when the goal (normal scenario under 60 s) or a proof fails.

Everything talks to 127.0.0.1 only. The workers are stopped on exit, on error and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BenchError, git_info, log, manage, redis_answers, venv_bin, warn  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
HOST = "127.0.0.1"
DB_NAME = "elaas_bench_pass"
REDIS_DB = 12  # the benchmarks' own (run.py's cache uses it too): emptied before each scenario
DEFAULT_DAY = "2025-04-18"  # 3 days before the last day of the window: all four kinds fire
GOAL_SECONDS = 60.0
LEASE_SECONDS = 5  # the workers' NOTIFICATION_CLAIM_LEASE_SECONDS
MESSAGE_ID_DOMAIN = "national-pass.bench.invalid"
LAO_KINDS = ("PAO", "CITY_MUNI", "TOWN_MUNI", "SUBDISTRICT_MUNI", "SAO", "SPECIAL", "BANGKOK")
KINDS = ("lao_reminder", "district_digest", "province_summary", "dla_summary")
SETUP_TIMEOUT = 900  # seconds, per management command
READY_TIMEOUT = 60  # seconds for a worker to say "ready"
POLL = 0.2  # seconds between looks at the outbox
TASK_PREFIX = "notifications.tasks."


# --- Command line ------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="The national reminder pass (7,849 LAOs, three staff each, every district "
        "and province) written and delivered by Celery workers: wall time, messages per "
        "second, and the proof of exactly-once, also with a worker killed half-way.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--day", default=DEFAULT_DAY, help="the Bangkok day of the pass (YYYY-MM-DD)")
    p.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    p.add_argument("--check", action="store_true", help="exit 1 if the goal or a proof fails")
    p.add_argument(
        "--goal-seconds", type=float, default=GOAL_SECONDS, help="goal for the normal scenario"
    )
    p.add_argument("--no-setup", action="store_true", help=f"reuse the database {DB_NAME}")
    p.add_argument(
        "--scenarios",
        default="normal,kill",
        help="comma-separated: normal, kill",
    )
    p.add_argument(
        "--extra-nudges",
        type=int,
        default=None,
        help="deliver_notifications tasks the bench sends after the pass's commit, besides the "
        "pass's own nudges (default 0: the pass nudges one task per NOTIFICATION_ROWS_PER_NUDGE "
        "rows, at most NOTIFICATION_NUDGE_FANOUT, as in production)",
    )
    p.add_argument(
        "--kill-at", type=float, default=0.5, help="kill a worker when this share is sent"
    )
    p.add_argument(
        "--lease", type=int, default=LEASE_SECONDS, help="the workers' claim lease (seconds)"
    )
    p.add_argument(
        "--timeout", type=float, default=600, help="give up on a scenario after this many seconds"
    )
    p.add_argument(
        "--registry",
        default=None,
        help="registry directory for load_registry (default: $REGISTRY_DATA_DIR or "
        "../shared/data/registry)",
    )
    p.add_argument("--pg-port", type=int, default=5432, help="PostgreSQL port on 127.0.0.1")
    p.add_argument("--pg-user", default="postgres", help="PostgreSQL user (trust auth)")
    p.add_argument("--redis-port", type=int, default=6379, help="Redis port on 127.0.0.1")
    p.add_argument("--keep-logs", action="store_true", help="keep the workers' logs")
    p.add_argument("--no-json", action="store_true", help="write nothing to bench/results/")
    args = p.parse_args(argv)
    try:
        args.day = dt.date.fromisoformat(args.day)
    except ValueError:
        p.error(f"--day {args.day!r}: use YYYY-MM-DD")
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    if not args.scenarios or set(args.scenarios) - {"normal", "kill"}:
        p.error("--scenarios: a comma-separated list of normal and kill")
    if args.workers < 1 or ("kill" in args.scenarios and args.workers < 2):
        p.error("--workers: at least 1, and 2 for the kill scenario (one must survive)")
    if args.extra_nudges is None:
        args.extra_nudges = 0
    if args.extra_nudges < 0:
        p.error("--extra-nudges: 0 or more")
    if not 0 < args.kill_at < 1:
        p.error("--kill-at: a share between 0 and 1")
    if args.lease < 1:
        p.error("--lease: at least 1 second")
    return args


# --- Environment of the children ---------------------------------------------------------
def child_env(args: argparse.Namespace, *, production: bool = True) -> dict[str, str]:
    """The bench's own database, Redis database and mail sink; $DATABASE_URL etc. are ignored."""
    env = {k: v for k, v in os.environ.items() if k != "SINK_FAIL_EVERY"}
    env.update(
        DATABASE_URL=f"postgres://{args.pg_user}@{HOST}:{args.pg_port}/{DB_NAME}",
        REDIS_URL=f"redis://{HOST}:{args.redis_port}/{REDIS_DB}",
        EMAIL_BACKEND="notifications.backends.DatabaseSinkBackend",
        NOTIFICATION_CLAIM_LEASE_SECONDS=str(args.lease),
        NOTIFICATION_MESSAGE_ID_DOMAIN=MESSAGE_ID_DOMAIN,
        # Production, as the workers run there; the generated accounts need development.
        ELAAS_ENV="production" if production else "development",
        DJANGO_SETTINGS_MODULE="elaas_portal.settings." + ("production" if production else "local"),
        DEBUG="0",
        SECRET_KEY=args.secret_key,
        NATIONAL_ID_HASH_KEY=args.secret_key,
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


# --- PostgreSQL --------------------------------------------------------------------------
def pg_connect(args: argparse.Namespace, dbname: str):
    try:
        import psycopg2
    except ImportError:
        raise BenchError("psycopg2 is missing: run with .venv/bin/python") from None
    try:
        conn = psycopg2.connect(
            host=HOST, port=args.pg_port, user=args.pg_user, dbname=dbname, connect_timeout=5
        )
    except psycopg2.OperationalError as exc:
        raise BenchError(f"cannot reach PostgreSQL database {dbname} on {HOST}: {exc}") from None
    conn.autocommit = True
    return conn


def recreate_database(args: argparse.Namespace) -> None:
    from psycopg2 import sql

    conn = pg_connect(args, "postgres")
    try:
        with conn.cursor() as cur:
            ident = sql.Identifier(DB_NAME)
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
            cur.execute(sql.SQL("CREATE DATABASE {}").format(ident))
    finally:
        conn.close()
    log(f"database {DB_NAME} created on {HOST}:{args.pg_port}")


def setup_data(args: argparse.Namespace) -> dict[str, float]:
    """migrate, load_registry, load_circulars, generate_national_accounts: seconds of each."""
    recreate_database(args)
    registry = (
        args.registry
        or os.environ.get("REGISTRY_DATA_DIR")
        or str(ROOT.parent / "shared" / "data" / "registry")
    )
    if not (Path(registry) / "dla_lao_registry.csv").exists():
        raise BenchError(f"the national registry is not at {registry} (--registry DIR)")
    steps = [
        ("migrate", ["--no-input", "-v", "0"], True),
        ("load_registry", [registry], True),
        ("load_circulars", [], True),
        ("generate_national_accounts", [], False),  # refuses in production
    ]
    seconds = {}
    for name, extra, production in steps:
        t0 = time.monotonic()
        out = manage(child_env(args, production=production), name, *extra, timeout=SETUP_TIMEOUT)
        seconds[name] = round(time.monotonic() - t0, 1)
        last = out.strip().splitlines()[-1] if out.strip() else ""
        log(f"manage.py {name} {' '.join(extra)}  ({seconds[name]:.1f}s)  {last[:150]}")
    return seconds


def one(conn, query: str, params=None):
    with conn.cursor() as cur:
        cur.execute(query, params or {})
        return cur.fetchone()


def rows(conn, query: str, params=None) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(query, params or {})
        return cur.fetchall()


def expected_rows(conn, day: dt.date) -> dict[str, int]:
    """What the pass must write on `day`, counted from the roles and the registry alone.

    An LAO counts as unverified when it was not verified before the end of the day (Bangkok).
    The verification window is open in every district on the default day (5 to 21 April
    2568; Nakhon Phanom from the 4th), and 3 days before its last day every step of the four
    kinds fires: a reminder to each staff member, a digest to each district officer, a
    summary to each provincial officer and one to each DLA officer.
    """
    cutoff = dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time(), dt.timezone(dt.timedelta(hours=7))
    )
    unverified = """
        SELECT o.id, o.district_id, d.province_id
        FROM onboarding_organization o JOIN onboarding_district d ON d.id = o.district_id
        WHERE o.kind IN %(lao_kinds)s
          AND (o.identity_verified_at IS NULL OR o.identity_verified_at >= %(cutoff)s)
    """
    counts = one(
        conn,
        f"""
        WITH unverified AS ({unverified})
        SELECT
          (SELECT count(*) FROM accounts_role r
            WHERE r.kind = 'lao_staff' AND r.organization_id IN (SELECT id FROM unverified)),
          (SELECT count(*) FROM accounts_role r
            WHERE r.kind = 'district_officer'
              AND r.district_id IN (SELECT district_id FROM unverified)),
          (SELECT count(*) FROM accounts_role r
            WHERE r.kind = 'province_officer'
              AND r.province_id IN (SELECT province_id FROM unverified)),
          (SELECT count(*) FROM accounts_role r
            WHERE r.kind = 'dla_officer' AND EXISTS (SELECT 1 FROM unverified))
        """,
        {"lao_kinds": LAO_KINDS, "cutoff": cutoff},
    )
    return dict(zip(KINDS, counts, strict=True))


def data_counts(conn) -> dict[str, int]:
    laos, staff, districts, officers = one(
        conn,
        """SELECT (SELECT count(*) FROM onboarding_organization WHERE kind IN %(k)s),
                  (SELECT count(*) FROM accounts_role WHERE kind = 'lao_staff'),
                  (SELECT count(*) FROM onboarding_district),
                  (SELECT count(*) FROM accounts_role
                    WHERE kind IN ('district_officer', 'province_officer', 'dla_officer'))""",
        {"k": LAO_KINDS},
    )
    return {"laos": laos, "lao_staff": staff, "districts": districts, "officers": officers}


def reset_outbox(conn) -> None:
    with conn.cursor() as cur:
        cur.execute(
            "TRUNCATE notifications_notification, notifications_sinkmessage, notifications_passrun"
            " RESTART IDENTITY"
        )
        cur.execute("CHECKPOINT")  # each scenario starts with the same WAL state


def pass_run(conn, day: dt.date):
    return one(
        conn,
        """SELECT started_at, finished_at, created, already_existed FROM notifications_passrun
           WHERE day = %(day)s AND trigger = 'daily' AND finished_at IS NOT NULL""",
        {"day": day},
    )


def in_flight(conn) -> tuple[int, int]:
    """(pending, being sent). Without vacuum the partial indexes keep the entries of rows sent
    meanwhile, so this costs tens of milliseconds late in a run: asked every few seconds only."""
    return one(
        conn,
        """SELECT (SELECT count(*) FROM notifications_notification WHERE status = 'pending'),
                  (SELECT count(*) FROM notifications_notification WHERE status = 'sending')""",
    )


def claimed_by(conn, workers: list[str]) -> int:
    """Rows being sent by these workers (claimed, not yet marked sent)."""
    return one(
        conn,
        """SELECT count(*) FROM notifications_notification
           WHERE status = 'sending' AND claimed_by = ANY(%(workers)s)""",
        {"workers": workers},
    )[0]


def sends_so_far(conn) -> int:
    """Messages handed to the sink, committed or not: its id sequence (reset with the outbox),
    read in constant time, so that watching the run costs the machine nothing."""
    last, called = one(conn, "SELECT last_value, is_called FROM notifications_sinkmessage_id_seq")
    return last if called else 0


def proof(conn, expected: dict[str, int]) -> dict:
    """Rows against the expectation, sends against rows, duplicates, and row-by-row matching."""
    by_kind = dict(rows(conn, "SELECT kind, count(*) FROM notifications_notification GROUP BY 1"))
    by_status = dict(
        rows(conn, "SELECT status, count(*) FROM notifications_notification GROUP BY 1")
    )
    sends, distinct = one(
        conn, "SELECT count(*), count(DISTINCT message_id) FROM notifications_sinkmessage"
    )
    # Each row has exactly one captured message with its own Message-ID, and nothing else was
    # sent: the count of rows whose Message-ID was captured once, not zero or twice.
    matched_once = one(
        conn,
        """SELECT count(*) FROM notifications_notification n
           JOIN (SELECT message_id, count(*) AS c FROM notifications_sinkmessage GROUP BY 1) s
             ON s.message_id = '<notification-' || n.id || '@' || %(domain)s || '>'
           WHERE s.c = 1""",
        {"domain": MESSAGE_ID_DOMAIN},
    )[0]
    by_worker = dict(
        rows(conn, "SELECT worker, count(*) FROM notifications_sinkmessage GROUP BY 1 ORDER BY 1")
    )
    first, last, retried = one(
        conn,
        """SELECT min(sent_at), max(sent_at), count(*) FILTER (WHERE attempts > 1)
           FROM notifications_notification""",
    )
    total = sum(by_kind.values())
    want = sum(expected.values())
    result = {
        "expected": want,
        "rows": total,
        "rows_by_kind": {k: by_kind.get(k, 0) for k in sorted(set(by_kind) | set(expected))},
        "expected_by_kind": expected,
        "status": by_status,
        "sends": sends,
        "distinct_message_ids": distinct,
        "duplicates": sends - distinct,
        "rows_matched_by_exactly_one_send": matched_once,
        "sends_by_process": by_worker,
        "rows_sent_after_a_retry": retried,
        "_first_sent": first,
        "_last_sent": last,
    }
    result["ok"] = bool(
        total == want
        and all(by_kind.get(k, 0) == n for k, n in expected.items())
        and by_status.get("sent", 0) == total
        and sends == total
        and distinct == sends
        and matched_once == total
    )
    return result


# --- Redis and Celery --------------------------------------------------------------------
class Broker:
    """The workers' broker (Redis database 12): tasks are sent by name, as beat sends them."""

    def __init__(self, args: argparse.Namespace):
        import redis
        from celery import Celery

        if not redis_answers(args.redis_port):
            raise BenchError(f"Redis does not answer on {HOST}:{args.redis_port}")
        self.url = f"redis://{HOST}:{args.redis_port}/{REDIS_DB}"
        self.redis = redis.Redis(host=HOST, port=args.redis_port, db=REDIS_DB, socket_timeout=5)
        self.app = Celery("national-pass-bench", broker=self.url)
        self.app.conf.update(task_serializer="json", broker_connection_timeout=2)

    def flush(self) -> None:
        self.redis.flushdb()

    def send(self, task: str, *args) -> None:
        self.app.send_task(TASK_PREFIX + task, args=list(args))

    def queued(self) -> int:
        return int(self.redis.llen("celery"))  # the default queue

    def close(self) -> None:
        self.redis.close()
        self.app.close()


class Worker:
    """One `celery worker --concurrency=1` in its own process group (so it can be killed whole)."""

    def __init__(self, name: str, env: dict[str, str], logdir: Path):
        self.name = name
        self.env = env
        self.log_path = logdir / f"{name}.log"
        self.proc: subprocess.Popen | None = None
        self.killed = False

    def start(self) -> None:
        cmd = [
            str(venv_bin() / "celery"),
            "-A",
            "elaas_portal",
            "worker",
            "--concurrency=1",
            "-n",
            f"{self.name}@%h",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the main process and its child
        )

    def ready(self) -> bool:
        if self.proc is None or self.proc.poll() is not None:
            raise BenchError(f"worker {self.name} exited:\n{self.log_tail()}")
        return re.search(rb"\bready\.", self.log_path.read_bytes()) is not None

    def group_pids(self) -> list[int]:
        """The pids in the worker's process group (main process and pool child), from /proc."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getpgid(int(entry.name)) == self.proc.pid:
                        found.append(int(entry.name))
                except (ProcessLookupError, PermissionError):
                    continue
        return sorted(found)

    def kill(self) -> None:
        """SIGKILL the whole group: no warm shutdown, no clean-up, the open transaction cut."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.killed = True

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def errors(self) -> list[str]:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return [line for line in text.splitlines() if re.search(r"ERROR|Traceback", line)]

    def stop(self) -> None:
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)  # warm shutdown of the main process
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                warn(f"worker {self.name} did not stop in time: killing its process group")
                try:
                    os.killpg(proc.pid, signal.SIGKILL)  # our own child's group, by its id
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)
        self._log.close()


def process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (None once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU used by the pipeline: the workers' processes and their PostgreSQL backends.

    Less sensitive than wall time to what else runs on the machine. Sampled every few seconds
    and just before the kill (a dead process's CPU is its last sample).
    """

    def __init__(self, conn, workers: list[Worker]):
        self.conn, self.workers = conn, workers
        self.seen: dict[str, dict[int, float]] = {"workers": {}, "postgres": {}}
        self.sample()
        self.start = {k: dict(v) for k, v in self.seen.items()}  # the workers' start-up

    def sample(self) -> None:
        backends = rows(
            self.conn,
            "SELECT pid FROM pg_stat_activity WHERE datname = %(db)s AND pid <> pg_backend_pid()",
            {"db": DB_NAME},
        )
        pids = {
            "workers": [pid for w in self.workers if not w.killed for pid in w.group_pids()],
            "postgres": [pid for (pid,) in backends],
        }
        for kind, found in pids.items():
            for pid in found:
                cpu = process_cpu(pid)
                if cpu is not None:
                    self.seen[kind][pid] = cpu

    def seconds(self) -> dict[str, float]:
        return {
            kind: round(sum(cpu - self.start[kind].get(pid, 0.0) for pid, cpu in seen.items()), 2)
            for kind, seen in self.seen.items()
        }


def start_workers(args, env, logdir: Path) -> list[Worker]:
    workers = [Worker(f"bench{i + 1}", env, logdir) for i in range(args.workers)]
    for w in workers:
        w.start()
    deadline = time.monotonic() + READY_TIMEOUT
    waiting = list(workers)
    while waiting:
        waiting = [w for w in waiting if not w.ready()]
        if waiting and time.monotonic() > deadline:
            raise BenchError(f"worker {waiting[0].name} not ready:\n{waiting[0].log_tail()}")
        time.sleep(0.1)
    log(f"  {len(workers)} workers ready: {', '.join(w.name for w in workers)}")
    return workers


# --- A scenario --------------------------------------------------------------------------
def wait_for_pass(conn, day, deadline: float, workers: list[Worker], after=None):
    while True:
        run = pass_run(conn, day)
        if run is not None and (after is None or run[0] > after):
            return run
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {w.name} ---\n{w.log_tail()}" for w in workers)
            raise BenchError(f"the pass did not finish in time\n{tails}")
        time.sleep(0.05)


def run_scenario(name: str, args, conn, broker: Broker, expected: dict, logdir: Path) -> dict:
    kill = name == "kill"
    want = sum(expected.values())
    log(f"\nscenario {name!r}: the pass for {args.day}, {args.workers} workers")
    reset_outbox(conn)
    broker.flush()
    (logdir / name).mkdir(parents=True, exist_ok=True)
    workers = start_workers(args, child_env(args), logdir / name)
    events: dict = {}
    cpu = CpuMeter(conn, workers)
    try:
        deadline = time.monotonic() + args.timeout
        broker.send("daily_reminder_pass", args.day.isoformat())  # as beat sends it
        started, finished, created, existed = wait_for_pass(conn, args.day, deadline, workers)
        # The pass nudged its delivery tasks after its commit (one per NOTIFICATION_ROWS_PER_NUDGE
        # rows); --extra-nudges adds more, to compare.
        for _ in range(args.extra_nudges):
            broker.send("deliver_notifications")
        pass_seconds = (finished - started).total_seconds()
        log(f"  pass: {created:,} rows written in {pass_seconds:.1f}s ({existed:,} existed)")
        last_sweep = next_count = 0.0
        kill_by = time.monotonic() + args.timeout / 2
        while True:
            sent = sends_so_far(conn)
            if kill and "killed_at" not in events and sent >= args.kill_at * created:
                victim = workers[0]
                pids = victim.group_pids()
                ids = [f"{socket.gethostname()}:{pid}" for pid in pids]
                if not claimed_by(conn, ids) and time.monotonic() < kill_by:
                    time.sleep(0.05)  # between two batches: kill it while it holds some
                    continue
                cpu.sample()
                victim.kill()
                events.update(killed_at=time.time(), killed_worker=victim.name, killed_pids=pids)
                events["sent_at_kill"] = one(
                    conn, "SELECT count(*) FROM notifications_sinkmessage"
                )[0]
                time.sleep(1)  # PostgreSQL notices the closed connection, rolls back its send
                events["stranded_claims"] = claimed_by(conn, ids)
                log(
                    f"  SIGKILL {victim.name} (pids {pids}) at {events['sent_at_kill']:,}/"
                    f"{created:,} sent: {events['stranded_claims']} rows left claimed by it"
                )
                continue
            if sent >= created or time.monotonic() >= next_count:
                pending, sending = in_flight(conn)
                if pending == 0 and sending == 0:
                    break
                next_count = time.monotonic() + 2
                cpu.sample()
            if "killed_at" in events and broker.queued() == 0 and time.monotonic() - last_sweep > 1:
                broker.send("sweep_notifications")  # what beat sends every minute
                events["sweeps_sent"] = events.get("sweeps_sent", 0) + 1
                last_sweep = time.monotonic()
            if time.monotonic() > deadline:
                raise BenchError(
                    f"scenario {name!r}: {pending} pending and {sending} being sent after "
                    f"{args.timeout:.0f}s\n"
                    + "\n".join(f"--- {w.name} ---\n{w.log_tail()}" for w in workers)
                )
            time.sleep(POLL)
        cpu.sample()
        cpu_seconds = cpu.seconds()
        p = proof(conn, expected)
        if name == "normal":
            # The same pass again writes nothing: the day's rows exist.
            broker.send("daily_reminder_pass", args.day.isoformat())
            again = wait_for_pass(conn, args.day, deadline, workers, after=started)
            time.sleep(1)  # a nudge, if there were one, would have had a second
            sends_after = one(conn, "SELECT count(*) FROM notifications_sinkmessage")[0]
            p["second_pass"] = {"created": again[2], "already_existed": again[3]}
            p["ok"] = p["ok"] and again[2] == 0 and again[3] == want and sends_after == p["sends"]
    finally:
        for w in workers:
            w.stop()
    errors = {w.name: w.errors()[:5] for w in workers if w.errors()}
    first, last = p.pop("_first_sent"), p.pop("_last_sent")
    wall = (last - started).total_seconds() if last else None
    result = {
        "scenario": name,
        "rows": p["rows"],
        "pass_seconds": round(pass_seconds, 2),
        "first_send_after_seconds": round((first - started).total_seconds(), 2) if first else None,
        "wall_seconds": round(wall, 2) if wall else None,
        "messages_per_second": round(p["rows"] / wall, 1) if wall else None,
        "delivery_messages_per_second": (
            round(p["rows"] / (last - finished).total_seconds(), 1) if last else None
        ),
        "cpu_seconds": cpu_seconds,
        "cpu_ms_per_message": round(sum(cpu_seconds.values()) * 1000 / p["rows"], 2),
        "proof": p,
        "events": events,
        "worker_errors": errors,
    }
    if kill and "killed_at" in events:
        result["after_kill_seconds"] = round(last.timestamp() - events["killed_at"], 2)
    return result


# --- Report ------------------------------------------------------------------------------
def markdown(doc: dict) -> str:
    lines = [
        f"# National pass, {doc['day']}",
        "",
        f"{doc['data']['laos']:,} LAOs, {doc['data']['lao_staff']:,} LAO staff, "
        f"{doc['data']['districts']:,} districts, {doc['data']['officers']:,} officers; "
        f"{doc['workers']} Celery workers (concurrency 1) on {doc['machine']['cpus']} CPUs, "
        f"the pass's own nudges plus {doc['extra_nudges']} from the bench; "
        f"goal: the normal pass in under {doc['goal_seconds']:.0f} s.",
        "",
        "| scenario | rows | expected | pass s | wall s | msg/s | CPU ms/msg | sends | duplicates "
        "| proof |",
        "| -------- | ---: | -------: | -----: | -----: | ----: | ---------: | ----: | ---------: "
        "| ----- |",
    ]
    for s in doc["scenarios"]:
        p = s["proof"]
        lines.append(
            f"| {s['scenario']} | {p['rows']:,} | {p['expected']:,} | {s['pass_seconds']:.1f} | "
            f"{s['wall_seconds']:.1f} | {s['messages_per_second']:.0f} | "
            f"{s['cpu_ms_per_message']:.2f} | {p['sends']:,} | "
            f"{p['duplicates']} | {'ok' if p['ok'] else 'FAILED'} |"
        )
    lines.append("")
    for s in doc["scenarios"]:
        p, e = s["proof"], s["events"]
        lines.append(
            f"- **{s['scenario']}**: rows by kind {p['rows_by_kind']} (expected "
            f"{p['expected_by_kind']}); status {p['status']}; {p['distinct_message_ids']:,} "
            f"distinct Message-IDs; {p['rows_matched_by_exactly_one_send']:,} rows matched by "
            f"exactly one send; sends by process {p['sends_by_process']}; delivery after the "
            f"pass {s['delivery_messages_per_second']:.0f} msg/s; CPU seconds {s['cpu_seconds']}."
        )
        if "second_pass" in p:
            lines.append(f"  Second pass for the same day: {p['second_pass']}.")
        if "killed_at" in e:
            lines.append(
                f"  {e['killed_worker']} SIGKILLed at {e['sent_at_kill']:,} sent; "
                f"{e['stranded_claims']} rows left claimed, given back by the sweep after the "
                f"{doc['lease_seconds']} s lease ({e.get('sweeps_sent', 0)} sweeps sent); last "
                f"row sent {s['after_kill_seconds']:.1f} s after the kill."
            )
        if s["worker_errors"]:
            lines.append(f"  Worker log errors: {s['worker_errors']}")
    load = doc["machine"]
    lines += [
        "",
        f"Goal met: {doc['goal_met']}; every proof holds: {doc['proofs_ok']}. Load average "
        f"(1 min) {load['load_average_before'][0]:.2f} before, "
        f"{load['load_average_after'][0]:.2f} after.",
        "",
    ]
    return "\n".join(lines)


def _json_default(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(type(value))


# --- Main --------------------------------------------------------------------------------
def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.secret_key = "bench-" + secrets.token_urlsafe(40)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    started = dt.datetime.now(dt.UTC)
    logdir = Path(tempfile.mkdtemp(prefix="elaas-national-pass-"))
    broker = conn = None
    load_before = os.getloadavg()
    if load_before[0] > 0.5:
        warn(f"load average {load_before[0]:.2f} before the start: the timings will suffer")
    try:
        broker = Broker(args)
        setup = {}
        if args.no_setup:
            log(f"--no-setup: using the existing database {DB_NAME}")
        else:
            setup = setup_data(args)
        conn = pg_connect(args, DB_NAME)
        data = data_counts(conn)
        expected = expected_rows(conn, args.day)
        log(
            f"{data['laos']:,} LAOs, {data['lao_staff']:,} LAO staff, {data['officers']:,} "
            f"officers; expected rows on {args.day}: {sum(expected.values()):,} {expected}"
        )
        if not sum(expected.values()):
            raise BenchError("nothing to send: load the registry and the accounts (no --no-setup)")
        scenarios = [
            run_scenario(name, args, conn, broker, expected, logdir) for name in args.scenarios
        ]
    except BenchError as exc:
        print(f"\nBENCH FAILED: {exc}", file=sys.stderr)
        print(f"(workers' logs kept in {logdir})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        if conn is not None:
            conn.close()
        if broker is not None:
            broker.close()

    load_after = os.getloadavg()
    normal = next((s for s in scenarios if s["scenario"] == "normal"), None)
    goal_met = None if normal is None else normal["wall_seconds"] < args.goal_seconds
    proofs_ok = all(s["proof"]["ok"] for s in scenarios)
    doc = {
        "started": started.isoformat(),
        "finished": dt.datetime.now(dt.UTC).isoformat(),
        "day": args.day.isoformat(),
        "workers": args.workers,
        "extra_nudges": args.extra_nudges,
        "lease_seconds": args.lease,
        "goal_seconds": args.goal_seconds,
        "goal_met": goal_met,
        "proofs_ok": proofs_ok,
        "setup_seconds": setup,
        "data": data,
        "expected": expected,
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in load_after],
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "git": git_info(),
        "scenarios": scenarios,
    }
    summary = markdown(doc)
    log("\n" + summary)
    if not args.no_json:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        stem = RESULTS_DIR / f"{started.strftime('%Y%m%dT%H%M%SZ')}-national-pass"
        stem.with_suffix(".json").write_text(
            json.dumps(doc, indent=2, ensure_ascii=False, default=_json_default) + "\n"
        )
        stem.with_suffix(".md").write_text(summary)
        log(f"results: {stem.relative_to(ROOT)}.json and .md")
    if args.keep_logs:
        log(f"workers' logs: {logdir}")
    else:
        import shutil

        shutil.rmtree(logdir, ignore_errors=True)
    failed = []
    if goal_met is False:
        failed.append(
            f"the normal pass took {normal['wall_seconds']:.1f}s (goal < {args.goal_seconds:.0f}s)"
        )
    failed += [
        f"proof failed in scenario {s['scenario']!r}" for s in scenarios if not s["proof"]["ok"]
    ]
    if failed:
        if args.check:
            print(f"CHECK FAILED: {'; '.join(failed)}", file=sys.stderr)
            return 1
        warn("; ".join(failed) + " (not failing: run with --check to enforce)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
