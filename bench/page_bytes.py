#!/usr/bin/env python3
"""Bytes of the main officer pages, raw and gzipped (issue 23, item 5).

Run from the root of the tree to measure, on a database that holds the national data set:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/elaas_late_sql_bench \\
        .venv/bin/python bench/page_bytes.py [--province 30 --district 3001]

The country dashboard (the DLA officer), the province's dashboard and late list (its provincial
officer) and the district's dashboard (its district officer), drawn in this process as
bench/late_cpu.py draws them; each page's body in bytes, and gzipped at level 5 (zlib, as
nginx's `gzip_comp_level 5` of deploy/nginx/portal.conf.template).
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from late_cpu import officer_client  # noqa: E402  (sets the environment up)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--province", default="48")
    parser.add_argument("--district", default="4801")
    args = parser.parse_args()
    p, d = args.province, args.district
    pages = [
        ("country dashboard", "dla_officer", "/compliance/country/"),
        ("province dashboard", "province_officer", f"/compliance/province/{p}/"),
        ("district dashboard", "district_officer", f"/compliance/district/{d}/"),
        ("late list (page 1)", "province_officer", f"/compliance/late/?province={p}"),
    ]
    print(f"{'page':22} {'raw':>9} {'gzip -5':>9}")
    for name, kind, path in pages:
        client, _, _ = officer_client(kind, province=p, district=d)
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        body = response.content
        print(f"{name:22} {len(body):9,} {len(gzip.compress(body, compresslevel=5)):9,}")


if __name__ == "__main__":
    main()
