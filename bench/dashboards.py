#!/usr/bin/env python3
"""The compliance dashboards on the national data set, measured against the bare view.

Run from the project root:  .venv/bin/python bench/dashboards.py [--check] [--no-setup]
[--rounds 5] [--duration 5] [--connections 16] [--workers 2] [--province 30 --district 3001]

What it does, in order:
  1. (re)creates the PostgreSQL database `elaas_bench_dash` on 127.0.0.1 and loads the national
     data set into it: migrate, load_registry, load_circulars (all as bench/run.py does), then
     generate_national_dataset (with ELAAS_ENV=development: it is never run in production),
     then VACUUM ANALYZE (a settled database, as autovacuum leaves it); --no-setup reuses
     the database as it is;
  2. logs three generated officers in, in the database itself (a child process with the
     server's settings): the DLA officer, the provincial officer of the chosen province and the
     district officer of the chosen district (default: the province with the most LAOs and its
     district with the most LAOs). Each gets a TOTP authenticator if missing and a session that
     records a password and a TOTP step, as allauth does after a login with the second factor;
  3. starts gunicorn as bench/run.py does (ELAAS_ENV=production, DEBUG off, no access log,
     REDIS_URL cache, here in Redis database 13, emptied first) and checks that every target
     answers 200 with the page it should (the dashboard's figures, the CSV's BOM);
  4. measures req/s with wrk, interleaved in ONE run with the bare view (/healthz/): the
     district, province and national dashboards and the late.csv export of the province, each
     with its officer's session and a CSRF cookie, as a browser sends them after the login
     (-H "Cookie: sessionid=...; csrftoken=..."), and for reference the
     national figures as JSON (/api/compliance, no goal);
  5. measures the server time of each page with a separate sequential run (one keep-alive
     connection, one request at a time, each timed from sending the request to the last byte
     of the answer, on 127.0.0.1): "served" = as deployed, the figures cached for
     COMPLIANCE_CACHE_SECONDS (the rendered dashboard too, in each worker and in Redis);
     "cold" = on a second gunicorn started with COMPLIANCE_CACHE_SECONDS=0, so every request
     computes its figures and renders its page;
  6. prints the ratios to the bare view, the goals, and the p50/p95/p99/max server times;
     writes everything to bench/results/<UTC timestamp>-dashboards.json; with --check exits 1
     when a goal is missed: every dashboard >= 0.25 of the bare view's req/s, and the national
     dashboard's cold p95 under 250 ms.

Every request goes to 127.0.0.1 only. gunicorn is stopped on exit, on error and on Ctrl-C.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402
from run import (  # noqa: E402
    BASELINE,
    HOST,
    ROOT,
    BenchError,
    Gunicorn,
    Target,
    http_get,
    log,
    venv_bin,
    warn,
)

DB_NAME = "elaas_bench_dash"
REDIS_DB = 13  # its own: run.py and national_pass.py use 12, and empty it
RATIO_GOAL = 0.25  # every dashboard >= 0.25 of the bare view's req/s (the goal)
LATENCY_GOAL_MS = 250.0  # the national dashboard's server time at p95 (cold), the goal
LATENCY_GOAL_TARGET = "national"
SETUP_TIMEOUT = 900  # generate_national_dataset takes one to two minutes

# (name, path, goal, who): {province} and {district} are the chosen codes; who logs in.
TARGETS = [
    (BASELINE, "/healthz/", None, None),
    ("district", "/compliance/district/{district}/", RATIO_GOAL, "district"),
    ("province", "/compliance/province/{province}/", RATIO_GOAL, "province"),
    ("national", "/compliance/country/", RATIO_GOAL, "dla"),
    ("late_csv", "/compliance/export/late.csv?province={province}", None, "province"),
    # A reference, no goal: the national figures as JSON for the DLA officer. The same login,
    # checks and cached figures as the national dashboard, without the HTML.
    ("api", "/api/compliance", None, "dla"),
]
# What a good answer holds (a redirect to the login or a 403 page would not).
MARKERS = {
    "district": b'id="lao-total"',
    "province": b'id="lao-total"',
    "national": b'id="lao-total"',
    "api": b'"scope": "country"',
}
BOM = b"\xef\xbb\xbf"


def add_options(p) -> None:
    p.add_argument("--province", default="", help="province code (default: most LAOs)")
    p.add_argument(
        "--district", default="", help="district code (default: most LAOs of the province)"
    )
    p.add_argument("--samples", type=int, default=100, help="sequential requests per page, served")
    p.add_argument(
        "--cold-samples", type=int, default=30, help="sequential requests per page, cold"
    )


def parse_args(argv=None):
    args = run.parse_args(
        argv,
        description="Benchmark the compliance dashboards on the national data set with wrk.",
        db_name=DB_NAME,
        redis_db=REDIS_DB,
        add_options=add_options,
    )
    if args.samples < 1 or args.cold_samples < 0:
        raise BenchError("--samples must be >= 1 and --cold-samples >= 0")
    return args


# --- Setup ---------------------------------------------------------------------------------
def development(env: dict[str, str]) -> dict[str, str]:
    """The same database and keys with DEMO_FEATURES on: for the generator only."""
    return {**env, "ELAAS_ENV": "development", "DEBUG": "0"}


def setup(args, env: dict[str, str]) -> list[str]:
    run.recreate_database(args, DB_NAME)
    skipped = run.setup_data(env)
    if skipped:
        raise BenchError(f"setup steps missing: {', '.join(skipped)}; the data set needs them")
    t0 = time.monotonic()
    out = run.manage(development(env), "generate_national_dataset", timeout=SETUP_TIMEOUT)
    log(f"manage.py generate_national_dataset  ({time.monotonic() - t0:.1f}s)")
    for line in out.strip().splitlines():
        log(f"  {line}")
    vacuum(args)
    return skipped


def vacuum(args) -> None:
    """VACUUM ANALYZE: the planner's statistics and visibility maps of a database that has
    settled (as autovacuum leaves it), not of one just bulk-loaded."""
    import psycopg2

    t0 = time.monotonic()
    conn = psycopg2.connect(host=HOST, port=args.pg_port, user=args.pg_user, dbname=DB_NAME)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    finally:
        conn.close()
    log(f"VACUUM ANALYZE  ({time.monotonic() - t0:.1f}s)")


def make_sessions() -> None:
    """In a child with the server's settings: log the officers in, print what the bench needs.

    Reads BENCH_DASH_WANTED ({"province": code or "", "district": code or ""}) and prints one
    JSON line: the chosen codes, a session key per officer, and the data set's size.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elaas_portal.settings")
    import django

    django.setup()
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count

    from accounts.models import Role
    from demo.accounts import DOMAIN
    from notifications.models import Notification
    from onboarding.models import VerificationRequest
    from registry.models import Organization

    wanted = json.loads(os.environ["BENCH_DASH_WANTED"])
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
    sessions = {}
    for who, role in officers.items():
        user = role.user
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, generate_totp_secret())
        now = time.time()
        session = SessionStore()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = "accounts.backends.ModelBackend"
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


def log_in(args, env: dict[str, str]) -> dict:
    code = (
        "import sys; sys.path[:0] = ['bench', '.']; import dashboards; dashboards.make_sessions()"
    )
    proc = subprocess.run(
        [str(venv_bin() / "python"), "-c", code],
        cwd=ROOT,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "elaas_portal.settings",
            "BENCH_DASH_WANTED": json.dumps({"province": args.province, "district": args.district}),
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
    return info


def build_targets(args, info: dict) -> list[Target]:
    codes = {"province": info["province"], "district": info["district"]}
    table = [(name, path.format(**codes), goal) for name, path, goal, _who in TARGETS]
    targets = run.build_targets(args, table)
    who = {name: w for name, _p, _g, w in TARGETS}
    # What a browser sends after logging in: the session and the CSRF cookie Django set with
    # the login page (without it every page would mint a new CSRF secret and set the cookie).
    csrf = secrets.token_hex(16)  # 32 characters, the length of Django's CSRF secret
    for t in targets:
        if who.get(t.name):
            t.headers = {
                "Cookie": f"sessionid={info['sessions'][who[t.name]]['key']}; csrftoken={csrf}"
            }
    return targets


def check_page(server: Gunicorn, target: Target) -> None:
    """200, and the page itself: the dashboard's figures or the CSV's BOM, not a login form."""
    run.check_200(server, target)
    _status, body = http_get(server.base + target.path, headers=target.headers)
    marker = MARKERS.get(target.name)
    if marker is not None and marker not in body:
        raise BenchError(
            f"target {target.name!r}: the answer is not the dashboard:\n{body[:600]!r}"
        )
    if target.name.endswith("_csv") and not body.startswith(BOM):
        raise BenchError(
            f"target {target.name!r}: the answer is not the CSV export:\n{body[:300]!r}"
        )


# --- Server time ---------------------------------------------------------------------------
def drop_compliance_cache() -> int:
    """Delete the dashboards' cached figures and the parts rendered from them from the
    benchmark's Redis database."""
    import redis

    client = redis.Redis(host=HOST, port=6379, db=REDIS_DB, socket_timeout=5)
    try:
        keys = list(client.scan_iter(match="*:compliance:*", count=1000))
        keys += list(client.scan_iter(match="*:compliance-html:*", count=1000))
        return client.delete(*keys) if keys else 0
    finally:
        client.close()


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 100 samples = the 95th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil
    return ordered[int(rank) - 1]


def timed_requests(server: Gunicorn, target: Target, n: int, *, cold: bool) -> list[float]:
    """`n` requests one after the other on one keep-alive connection; milliseconds each."""
    conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
    times = []
    try:
        for _ in range(n):
            if cold:
                drop_compliance_cache()
            t0 = time.perf_counter()
            conn.request("GET", target.path, headers=target.headers)
            resp = conn.getresponse()
            resp.read()
            elapsed = (time.perf_counter() - t0) * 1000
            if resp.status != 200:
                raise BenchError(f"target {target.name!r}: {resp.status} during the timed run")
            times.append(elapsed)
    finally:
        conn.close()
    return times


def server_times(args, server: Gunicorn, targets: list[Target], redis: bool) -> list[dict]:
    """Served: on the server as deployed. Cold: on a second server started with
    COMPLIANCE_CACHE_SECONDS=0, so that every request computes its figures and renders its
    page (the Redis keys dropped too): what the first officer after a turn of the cache waits."""
    rows = []
    modes = [("served", args.samples, server)]
    cold_server = None
    if redis and args.cold_samples:
        drop_compliance_cache()
        cold_server = Gunicorn(
            {**server.env, "COMPLIANCE_CACHE_SECONDS": "0"},
            args.workers,
            Path(tempfile.mkdtemp(prefix="elaas-bench-dash-cold-")),
        )
        modes.append(("cold", args.cold_samples, cold_server))
    try:
        for mode, n, srv in modes:
            if mode == "cold":
                srv.start()
                for t in targets:
                    check_page(srv, t)
            for t in targets:
                if t.name == BASELINE:
                    continue
                times = timed_requests(srv, t, n, cold=False)
                goal = (
                    LATENCY_GOAL_MS if (t.name == LATENCY_GOAL_TARGET and mode == "cold") else None
                )
                p95 = percentile(times, 95)
                row = {
                    "target": t.name,
                    "mode": mode,
                    "n": n,
                    "p50_ms": round(percentile(times, 50), 1),
                    "p95_ms": round(p95, 1),
                    "p99_ms": round(percentile(times, 99), 1),
                    "max_ms": round(max(times), 1),
                    "mean_ms": round(statistics.fmean(times), 1),
                    "goal_ms": goal,
                    "ok": None if goal is None else p95 < goal,
                    "all_ms": [round(x, 2) for x in times],
                }
                rows.append(row)
                log(
                    f"  {t.name:<9} {mode:<6} n={n:<4} p50 {row['p50_ms']:7.1f} ms  "
                    f"p95 {row['p95_ms']:7.1f} ms  max {row['max_ms']:7.1f} ms"
                )
    finally:
        if cold_server is not None:
            cold_server.stop()
            import shutil

            shutil.rmtree(cold_server.log_path.parent, ignore_errors=True)
    rows.sort(key=lambda r: ([t.name for t in targets].index(r["target"]), r["mode"] != "served"))
    return rows


def print_latency(rows: list[dict]) -> None:
    header = (
        f"{'target':<10} {'mode':<7} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8}  goal"
    )
    log("")
    log(header)
    log("-" * len(header))
    for r in rows:
        goal = (
            "-"
            if r["goal_ms"] is None
            else f"p95 < {r['goal_ms']:.0f} ms: {'ok' if r['ok'] else 'MISSED'}"
        )
        log(
            f"{r['target']:<10} {r['mode']:<7} {r['n']:>4} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
            f"{r['p99_ms']:>8.1f} {r['max_ms']:>8.1f}  {goal}"
        )
    log(
        "(sequential requests on one keep-alive connection, timed by the client on 127.0.0.1; "
        "served = as deployed, cold = a server with COMPLIANCE_CACHE_SECONDS=0: figures computed "
        "and page rendered on every request)"
    )


# --- Main ----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, run._interrupt)
    signal.signal(signal.SIGINT, run._interrupt)
    started = dt.datetime.now(dt.UTC)
    server: Gunicorn | None = None
    try:
        args = parse_args(argv)
        run.wrk_binary()
        env = run.child_env(args, db_name=DB_NAME, redis_db=REDIS_DB)
        own_redis = env.get("REDIS_URL") == f"redis://{HOST}:6379/{REDIS_DB}"
        skipped: list[str] = []
        if args.no_setup:
            log(f"--no-setup: using the existing database {DB_NAME}")
        else:
            skipped = setup(args, env)
        if own_redis:
            run.flush_bench_redis(REDIS_DB)
        else:
            warn("not on the benchmark's own Redis database: no cold server times")
        info = log_in(args, env)
        size = {k: v for k, v in info["dataset"].items() if not k.startswith("laos_in_")}
        log(
            f"province {info['province']} ({info['dataset']['laos_in_province']} LAOs), district "
            f"{info['district']} ({info['dataset']['laos_in_district']} LAOs); data set: "
            + ", ".join(f"{k} {v:,}" for k, v in size.items())
        )
        targets = build_targets(args, info)
        server = Gunicorn(env, args.workers, Path(tempfile.mkdtemp(prefix="elaas-bench-dash-")))
        server.start()
        for t in targets:
            check_page(server, t)
        measurements = run.run_rounds(args, server, targets)
        for t in targets:  # still the page after the load
            check_page(server, t)
        log("server time, sequential:")
        latency = server_times(args, server, targets, own_redis)
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
            import shutil

            shutil.rmtree(server.log_path.parent, ignore_errors=True)

    rows = run.summarize(targets, measurements)
    run.print_table(rows)
    print_latency(latency)
    if not args.no_json:
        extra = {
            "dashboards": {
                "database": DB_NAME,
                "province": info["province"],
                "district": info["district"],
                "officers": {who: s["email"] for who, s in info["sessions"].items()},
                "dataset": info["dataset"],
                "server_time": latency,
                "server_time_method": "sequential requests on one keep-alive connection, "
                "timed by the client on 127.0.0.1",
            }
        }
        path = run.write_json(
            args,
            targets,
            measurements,
            rows,
            skipped,
            env,
            started,
            suffix="-dashboards",
            extra=extra,
        )
        log(f"results: {path.relative_to(ROOT)}")
    below = [r["target"] for r in rows if r["ok"] is False]
    below += [f"{r['target']} {r['mode']} p95" for r in latency if r["ok"] is False]
    if below:
        msg = f"below goal: {', '.join(below)}"
        if args.check:
            print(f"CHECK FAILED: {msg}", file=sys.stderr)
            return 1
        warn(msg + " (not failing: run with --check to enforce)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
