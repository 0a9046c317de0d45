#!/usr/bin/env python3
"""In-process CPU per request of the drawn 'who is late' list (issue 23, item 3).

Run from the root of the tree to measure, on a database that holds the national data set
(see bench/README.md, "Late list CPU"):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/elaas_late_sql_bench \\
        .venv/bin/python bench/late_cpu.py [--province 30] [--rounds 7] [--requests 20]

Django runs in this process with the settings of the tree (DEBUG off, so no query log), the
per-officer page cache off (COMPLIANCE_CACHE_SECONDS=0: `compliance.pages.page_key` keeps
nothing), and the province's generated provincial officer logged in with the second factor, as
bench/run.py logs officers in. Each round sends `--requests` requests of each target through
Django's test client (the whole middleware chain, the template rendered) and divides the
process's CPU time (time.process_time: this process only, not PostgreSQL's) and the wall time
by the number of requests. Prints, per target, the minimum and the median over the rounds: the
machine is shared, the minimum is the least disturbed figure.
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elaas_portal.settings.local")
os.environ["COMPLIANCE_CACHE_SECONDS"] = "0"  # the per-officer page cache off: pages drawn
os.environ.setdefault("ELAAS_ENV", "development")
os.environ.pop("REDIS_URL", None)


def officer_client(kind: str = "province_officer", province: str = "", district: str = ""):
    """(client, province, n_laos): Django's test client logged in (with the second factor) as
    the generated officer of `kind` of the province (default: the one with most LAOs) or the
    district, as bench/run.py logs officers in. Sets Django up first."""
    import django

    django.setup()
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client

    from accounts.models import Role
    from registry.models import Organization

    settings.DEBUG = False
    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    laos = Organization.objects.laos()
    province = (
        province
        or (
            laos.values("district__province__code")
            .annotate(n=Count("id"))
            .order_by("-n")[0]["district__province__code"]
        )
    )
    n_laos = laos.filter(district__province__code=province).count()
    roles = Role.objects.filter(kind=kind)
    if kind == "province_officer":
        roles = roles.filter(province__code=province)
    elif kind == "district_officer":
        roles = roles.filter(district__code=district)
    user = roles.first().user
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    from tests.actors import login  # what allauth keeps after a login with the second factor

    client = login(Client(secure=True), user)
    return client, province, n_laos


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--province", default="", help="default: the province with most LAOs")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

    client, province, n_laos = officer_client(province=args.province)

    targets = {
        "late (page 1)": f"/compliance/late/?province={province}",
        "late by state": f"/compliance/late/?province={province}&order=state",
        "late.csv": f"/compliance/export/late.csv?province={province}",
    }
    for path in targets.values():  # warm up, and check the page is the list
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    print(f"province {province}: {n_laos} LAOs; {args.rounds} rounds x {args.requests} requests")
    for name, path in targets.items():
        cpu, wall = [], []
        for _ in range(args.rounds):
            c0, w0 = time.process_time(), time.perf_counter()
            for _ in range(args.requests):
                client.get(path)
            cpu.append((time.process_time() - c0) / args.requests * 1000)
            wall.append((time.perf_counter() - w0) / args.requests * 1000)
        print(
            f"{name:14} CPU ms/request min {min(cpu):6.1f} median {statistics.median(cpu):6.1f}"
            f" | wall min {min(wall):6.1f} median {statistics.median(wall):6.1f}"
        )


if __name__ == "__main__":
    main()
