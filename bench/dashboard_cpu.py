#!/usr/bin/env python3
"""In-process CPU per dashboard request for an area not yet kept for the data version, before and
after the national table (issue 23: `compliance.stats.build_national`, `national_table`).

Run from the root of the tree on a database that holds the national data set, with a Redis
database of your own (it is emptied between requests):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/elaas_figures \\
    REDIS_URL=redis://127.0.0.1:6379/11 \\
        nice -n 10 .venv/bin/python bench/dashboard_cpu.py [--areas 40] [--seed 1]

A sample of areas (the country, provinces, districts with LAOs; the same for both modes) is
opened once each by a DLA officer through Django's test client (the whole middleware chain, the
page rendered), each with every cache emptied first, so each request draws a cold area:
- before: the area's figures by its own queries (the table being built elsewhere: the lock held,
  so `stats.cached` computes the area the old way);
- after: the bucket's national table in the cache (put back after emptying, not timed).
Also timed: `stats.cached` alone per cold area in each mode, and building the table once.
CPU is this process's (time.process_time), not PostgreSQL's; wall time includes PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path.cwd()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elaas_portal.settings.local")
os.environ.setdefault("ELAAS_ENV", "development")
os.environ["COMPLIANCE_CACHE_SECONDS"] = "30"


def line(name: str, cpu: list, wall: list) -> str:
    return (
        f"{name:26} CPU ms min {min(cpu):6.1f} median {statistics.median(cpu):6.1f}"
        f" | wall min {min(wall):6.1f} median {statistics.median(wall):6.1f}  (n={len(cpu)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=40, help="areas sampled (default 40)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--builds", type=int, default=3, help="times the table is built")
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        sys.exit("set REDIS_URL to a Redis database of your own: it is emptied")

    redis_url = os.environ["REDIS_URL"]
    from late_cpu import officer_client  # it turns the caches off on import: on again here

    os.environ["COMPLIANCE_CACHE_SECONDS"] = "30"
    os.environ["REDIS_URL"] = redis_url
    client, _, _ = officer_client(kind="dla_officer")
    from django.core.cache import cache, caches

    from compliance import caches as declared
    from compliance import stats
    from compliance.scope import Scope, ScopeLevel
    from core import clock
    from registry.models import District, Province

    assert stats.data_version() is not None and "Redis" in type(caches["default"]).__name__
    rng = random.Random(args.seed)
    provinces = list(Province.objects.filter(districts__organizations__isnull=False).distinct())
    districts = list(District.objects.filter(organizations__isnull=False).distinct())
    n = max(2, args.areas - 1)
    areas = [
        Scope(ScopeLevel.COUNTRY),
        *(Scope(ScopeLevel.PROVINCE, province=p) for p in rng.sample(provinces, n // 2)),
        *(Scope(ScopeLevel.DISTRICT, district=d) for d in rng.sample(districts, n - n // 2)),
    ]

    cpu, wall = [], []
    for _ in range(args.builds):
        c0, w0 = time.process_time(), time.perf_counter()
        table = stats.build_national(clock.now())
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    print(line("build the national table", cpu, wall))

    def empty(mode: str) -> None:
        cache.clear()
        caches["process"].clear()
        data = stats.data_version()
        national = declared.NATIONAL
        table.at = clock.now()  # the figures as of now, as a table built for this version
        if mode == "before":  # another worker builds it: this one computes its own area
            cache.add(national.key(data=data, part="building"), 1, 30, version=national.version)
        else:
            stats.keep_national(data, table)

    for scope in areas[:3]:  # warm up: the first request of a process pays for its imports
        empty("after")
        client.get(scope.url())
    for what in ("figures", "page"):
        results: dict = {}
        for scope in areas:  # before and after in turn, area by area: the same drift for both
            for mode in ("before", "after"):
                empty(mode)
                c0, w0 = time.process_time(), time.perf_counter()
                if what == "page":
                    response = client.get(scope.url())
                else:
                    stats.cached(scope)
                cpu = (time.process_time() - c0) * 1000
                wall = (time.perf_counter() - w0) * 1000
                if what == "page":
                    assert response.status_code == 200, (scope.url(), response.status_code)
                for level in ("all", scope.level):
                    mine = results.setdefault((level, mode), ([], []))
                    mine[0].append(cpu)
                    mine[1].append(wall)
        for (level, mode), (cpu, wall) in sorted(results.items()):
            print(line(f"{what} {level} {mode}", cpu, wall))
    cache.clear()


if __name__ == "__main__":
    main()
