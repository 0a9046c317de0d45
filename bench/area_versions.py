#!/usr/bin/env python3
"""The officers' revalidations while the country writes (issue 23): the share of conditional
requests answered 304 with a background write stream, on the national data set.

In process, not through nginx and gunicorn (bench/morning.py does that, without writes): Django's
test client sends each officer's requests with the officer's session, and a child process writes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db with the national data set> \\
    REDIS_URL=redis://127.0.0.1:6379/<n> \\
    nice -n 10 .venv/bin/python bench/area_versions.py --writes-per-second 1 --seconds 120
    ... --project /path/to/other/tree   # the same on another tree's code (and its schema)

What it does:
  1. logs in the DLA officer and the 77 provincial officers of the generated data set (their
     sessions with the second factor done, as tests/actors.py's `login`); each has three pages:
     its dashboard (the country's or its province's), its late list, and one LAO's page of its
     area (the country's: a random LAO);
  2. opens every page once (its tag kept), then starts the writer: a child process that, at
     --writes-per-second on average (Poisson), picks a province at random, then one of its
     verification requests, and touches it as an officer's decision does (one UPDATE of the row:
     its version and remarks) in its own transaction;
  3. for --seconds, sends at --rate requests per second (open loop, one at a time; a late one
     is sent at once) the officers' revalidations, round-robin over officers and pages, each with
     If-None-Match: the tag the page last had for that officer;
  4. reports the share answered 304 (of all, of the provincial officers' pages, of the DLA
     officer's), the writes done, the mean wall time of a 304 and of a 200, the achieved rate.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(project: Path) -> None:
    sys.path.insert(0, str(project))
    os.chdir(project)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elaas_portal.settings.local")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()


def writer(args) -> int:
    """The write stream: until killed, Poisson arrivals at --writes-per-second."""
    setup(args.project)
    from django.db.models import F

    from onboarding.models import VerificationRequest

    rng = random.Random(args.seed + 1)
    by_province: dict[str, list[int]] = {}
    for pk, code in VerificationRequest.objects.values_list(
        "pk", "organization__district__province__code"
    ):
        by_province.setdefault(code, []).append(pk)
    provinces = sorted(by_province)
    n = 0
    next_at = time.monotonic()
    while True:
        next_at += rng.expovariate(args.writes_per_second)
        time.sleep(max(0.0, next_at - time.monotonic()))
        pk = rng.choice(by_province[rng.choice(provinces)])
        VerificationRequest.objects.filter(pk=pk).update(
            version=F("version") + 1, remarks=f"bench write {n}"
        )
        n += 1
        print(n, flush=True)


def officers(rng: random.Random):
    """(user, [paths]) of the DLA officer and every provincial officer of the data set."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.models import Role, RoleKind
    from demo.accounts import DOMAIN
    from registry.models import Organization

    roles = Role.objects.filter(user__email__endswith=f"@{DOMAIN}").select_related(
        "user", "province"
    )
    chosen = [roles.filter(kind=RoleKind.DLA_OFFICER).first()]
    chosen += list(roles.filter(kind=RoleKind.PROVINCE_OFFICER).order_by("province__code"))
    laos = list(Organization.objects.laos().values_list("dla_code", "district__province__code"))
    out = []
    for role in chosen:
        if not Authenticator.objects.filter(user=role.user, type="totp").exists():
            TOTP.activate(role.user, generate_totp_secret())
        if role.kind == RoleKind.DLA_OFFICER:
            code = None
            paths = ["/compliance/country/", "/compliance/late/"]
            mine = [c for c, _p in laos]
        else:
            code = role.province.code
            paths = [f"/compliance/province/{code}/", f"/compliance/late/?province={code}"]
            mine = [c for c, p in laos if p == code]
        if mine:
            paths.append(f"/compliance/lao/{rng.choice(mine)}/")
        out.append((role.user, code, paths))
    return out


def login(client, user) -> None:
    client.force_login(user, backend="elaas_portal.backends.ModelBackend")
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--project", type=Path, default=ROOT, help="the tree whose code is measured")
    p.add_argument("--writes-per-second", type=float, default=1.0)
    p.add_argument("--seconds", type=float, default=120)
    p.add_argument("--rate", type=float, default=4.0, help="revalidations per second")
    p.add_argument("--seed", type=int, default=23)
    p.add_argument("--writer", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--out", type=Path, help="write the results as JSON here too")
    args = p.parse_args(argv)
    args.project = args.project.resolve()
    if args.writer:
        return writer(args)

    setup(args.project)
    from django.test import Client

    rng = random.Random(args.seed)
    who = officers(rng)
    pages = []  # (client, province code or None, path)
    for user, code, paths in who:
        client = Client()
        login(client, user)
        pages += [(client, code, path) for path in paths]
    tags: dict[int, str] = {}
    t0 = time.monotonic()
    for i, (client, _code, path) in enumerate(pages):
        response = client.get(path)
        if response.status_code != 200 or "ETag" not in response:
            raise SystemExit(f"{path}: {response.status_code}, no tag")
        tags[i] = response["ETag"]
    print(f"{len(who)} officers, {len(pages)} pages opened in {time.monotonic() - t0:.1f}s")

    child = None
    if args.writes_per_second > 0:
        cmd = [sys.executable, __file__, "--writer", "--project", str(args.project)]
        cmd += ["--writes-per-second", str(args.writes_per_second), "--seed", str(args.seed)]
        child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=os.environ)
    order = list(range(len(pages)))
    rng.shuffle(order)
    results = []  # (province page?, status, seconds)
    start = time.monotonic()
    sent = 0
    try:
        while time.monotonic() - start < args.seconds:
            due = start + sent / args.rate
            time.sleep(max(0.0, due - time.monotonic()))
            i = order[sent % len(order)]
            client, code, path = pages[i]
            t = time.monotonic()
            response = client.get(path, HTTP_IF_NONE_MATCH=tags[i])
            took = time.monotonic() - t
            if response.status_code not in (200, 304):
                raise SystemExit(f"{path}: {response.status_code}")
            tags[i] = response["ETag"]
            results.append((code is not None, response.status_code, took))
            sent += 1
    finally:
        elapsed = time.monotonic() - start
        writes = 0
        if child is not None:
            child.terminate()
            out, _ = child.communicate(timeout=30)
            writes = len(out.split())

    def share(rows) -> float | None:
        return round(sum(1 for r in rows if r[1] == 304) / len(rows), 3) if rows else None

    def mean_ms(rows, status) -> float | None:
        times = [r[2] for r in rows if r[1] == status]
        return round(statistics.mean(times) * 1000, 1) if times else None

    import compliance

    report = {
        "code": compliance.__file__,
        "officers": len(who),
        "pages": len(pages),
        "seconds": round(elapsed, 1),
        "requests": len(results),
        "achieved_rate": round(len(results) / elapsed, 2),
        "writes": writes,
        "writes_per_second": round(writes / elapsed, 2),
        "share_304": share(results),
        "share_304_province_officers": share([r for r in results if r[0]]),
        # the country's dashboard and late list, and one LAO's page (its province's version)
        "share_304_dla_officer": share([r for r in results if not r[0]]),
        "mean_ms_304": mean_ms(results, 304),
        "mean_ms_200": mean_ms(results, 200),
    }
    print(json.dumps(report, indent=2))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
