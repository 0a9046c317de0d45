"""In-process CPU per answer of the officers' compliance pages, drawn and answered 304
(issue 23, compliance/etags.py), beside `/healthz/` (the whole middleware chain, no work) in the
same run.

For the generated provincial officer of a province (default: the one with most LAOs), through
Django's test client (the whole chain), per round and page: `--requests` GETs without
`If-None-Match` (a first view: drawn; the dashboard's figures and body already kept for the data
version, as for every officer of the area after the first), then as many with the page's ETag (a
reload: 304, not drawn). Pages: the province's dashboard, its late list sorted by name, an LAO's
page of the province. `time.process_time` of this process (not PostgreSQL's) and wall time;
min and median over the rounds. Run from the root of the tree measured, on a database holding the
national data set:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/elaas_morning \\
        nice .venv/bin/python bench/revalidate_cpu.py --rounds 5 --requests 8
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path.cwd()
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(Path(__file__).resolve().parent))

from late_cpu import officer_client  # noqa: E402

os.environ["COMPLIANCE_CACHE_SECONDS"] = "300"  # the default: figures kept per data version
os.environ.pop("REDIS_URL", None)  # each process's memory: no other bench's keys


def timed(client, url: str, n: int, etag: str | None) -> tuple[float, float, int]:
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    c0, w0 = time.process_time(), time.perf_counter()
    for _ in range(n):
        status = client.get(url, **headers).status_code
    return (
        (time.process_time() - c0) * 1000 / n,
        (time.perf_counter() - w0) * 1000 / n,
        status,
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--province", default="")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--requests", type=int, default=8)
    args = p.parse_args()
    client, province, n_laos = officer_client(province=args.province)
    from registry.models import Organization

    lao = Organization.objects.laos().filter(district__province__code=province).first()
    pages = {
        "healthz": "/healthz/",
        "dashboard": f"/compliance/province/{province}/",
        "late": f"/compliance/late/?province={province}&order=name",
        "lao": f"/compliance/lao/{lao.dla_code}/",
    }
    etags = {}
    for name, url in pages.items():  # warm-up: imports, the figures kept, each page's tag
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        etags[name] = response.get("ETag")
    results: dict = {}
    for _ in range(args.rounds):
        for name, url in pages.items():
            for mode, etag in (("drawn", None), ("304", etags[name])):
                if mode == "304" and not etag:
                    continue
                cpu, wall, status = timed(client, url, args.requests, etag)
                assert status == (304 if mode == "304" else 200), (url, mode, status)
                results.setdefault((name, mode), []).append((cpu, wall))
    print(f"province {province} ({n_laos} LAOs), {args.rounds} rounds x {args.requests} requests")
    base = statistics.median(c for c, _ in results[("healthz", "drawn")])
    print(f"{'page':10} {'answer':6} {'CPU ms min/median':>18} {'wall ms':>9} {'x healthz':>10}")
    for (name, mode), values in results.items():
        cpu = [c for c, _ in values]
        wall = [w for _, w in values]
        med = statistics.median(cpu)
        print(
            f"{name:10} {mode:6} {min(cpu):8.2f} / {med:7.2f} {statistics.median(wall):9.2f} "
            f"{med / base:10.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
