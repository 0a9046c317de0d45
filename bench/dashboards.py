#!/usr/bin/env python3
"""The compliance dashboards on the national data set, measured against the bare view.

Run from the project root:  .venv/bin/python bench/dashboards.py [--check] [--no-setup]
[--rounds 5] [--duration 5] [--connections 16] [--workers 2] [--province 30 --district 3001]

What it does, in order:
  1. (re)creates the PostgreSQL database `elaas_bench_dash` on 127.0.0.1 and loads the national
     data set into it, as bench/run.py does (migrate, load_registry, load_circulars,
     generate_national_dataset, VACUUM ANALYZE); --no-setup reuses the database as it is;
  2. logs three generated officers in as bench/run.py does: the DLA officer, the provincial
     officer of the chosen province and the district officer of the chosen district (default:
     the province with the most LAOs and its district with the most LAOs);
  3. starts the portal's gunicorn and the bare project's as bench/run.py does (here with the
     cache in Redis database 13, emptied first) and checks that every target answers 200 with
     the page it should (the dashboard's figures, the CSV's BOM);
  4. measures req/s with wrk, interleaved in ONE run with the bare project's view: the
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
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402
from run import (  # noqa: E402
    BASELINE,
    HOST,
    BenchError,
    Gunicorn,
    Target,
    http_get,
    log,
    warn,
)

DB_NAME = "elaas_bench_dash"
REDIS_DB = 13  # its own: run.py and national_pass.py use 12, and empty it
RATIO_GOAL = 0.25  # every dashboard >= 0.25 of the bare view's req/s (the goal)
LATENCY_GOAL_MS = 250.0  # the national dashboard's server time at p95 (cold), the goal
LATENCY_GOAL_TARGET = "national"

# (name, path, goal, who): {province} and {district} are the chosen codes; who logs in.
TARGETS = [
    (BASELINE, "/", None, None),  # the bare project's view
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
    run.add_area_options(p, "", "")  # empty: the province with the most LAOs, its district too
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


def check_page(server: Gunicorn, target: Target) -> None:
    """200, and the page itself: the dashboard's figures or the CSV's BOM, not a login form."""
    run.check_page(server, target, MARKERS)
    if target.name.endswith("_csv"):
        _status, body = http_get(server.base + target.path, headers=target.headers)
        if not body.startswith(BOM):
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
            cwd=server.cwd,
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
            run.stop_servers({"cold": cold_server})
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
    servers: dict[str, Gunicorn] = {}
    try:
        args = parse_args(argv)
        run.wrk_binary()
        env = run.child_env(args, db_name=DB_NAME, redis_db=REDIS_DB)
        own_redis = env.get("REDIS_URL") == f"redis://{HOST}:6379/{REDIS_DB}"
        if args.no_setup:
            log(f"--no-setup: using the existing database {DB_NAME}")
        else:
            run.setup_national(args, env, DB_NAME)
        if own_redis:
            run.flush_bench_redis(REDIS_DB)
        else:
            warn("not on the benchmark's own Redis database: no cold server times")
        info = run.log_in(args, env)
        size = {k: v for k, v in info["dataset"].items() if not k.startswith("laos_in_")}
        log(
            f"province {info['province']} ({info['dataset']['laos_in_province']} LAOs), district "
            f"{info['district']} ({info['dataset']['laos_in_district']} LAOs); data set: "
            + ", ".join(f"{k} {v:,}" for k, v in size.items())
        )
        targets = run.build_targets(args, TARGETS, {k: info[k] for k in ("province", "district")})
        run.add_sessions(targets, info)
        servers = run.start_servers(args, env, "elaas-bench-dash-")
        for t in targets:
            check_page(servers[t.server], t)
        measurements = run.run_rounds(args, servers, targets)
        for t in targets:  # still the page after the load
            check_page(servers[t.server], t)
        log("server time, sequential:")
        latency = server_times(args, servers["portal"], targets, own_redis)
        facts = run.run_facts(servers, info)
    except BenchError as exc:
        print(f"\nBENCH FAILED: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        run.stop_servers(servers)

    extra = {
        "dashboards": {
            "database": DB_NAME,
            "server_time": latency,
            "server_time_method": "sequential requests on one keep-alive connection, "
            "timed by the client on 127.0.0.1",
        }
    }
    return run.report(
        args,
        targets,
        measurements,
        env,
        started,
        facts,
        suffix="-dashboards",
        extra=extra,
        more_below=[f"{r['target']} {r['mode']} p95" for r in latency if r["ok"] is False],
        print_more=lambda: print_latency(latency),
    )


if __name__ == "__main__":
    sys.exit(main())
