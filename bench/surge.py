"""The opening morning: status page, decision API, logins and LAO submissions at once (Locust).

    .venv/bin/python bench/surge.py                       # own servers, both hashers, ~4 min
    .venv/bin/python bench/surge.py --duration 60 --users 80 --check
    .venv/bin/python bench/surge.py --base-url https://127.0.0.1:8443 --no-setup   # make prod

The mix, by action (bench/README.md, "Surge"):

- 70%: an anonymous visitor opens the status page (`/`) or asks the decision API, half each;
- 20%: a person logs in who has not logged in before in this run (distinct generated users):
  half provincial officers, with their TOTP code (password, then the second-factor page), half
  LAO staff (password only); each login is the whole flow, from the login page to `/my/`;
- 10%: LAO staff already logged in: half open `/my/`, half file a verification request with a
  1 MB PDF as evidence (the form, then the POST; one request per person, each at its own LAO).

Each simulated person sends their office's address in X-Forwarded-For, as the production proxy
does, so that the login limits count per office as they do in production. A proxy that writes
that header itself (make prod's nginx) sees instead the address each person's connections come
from: against a loopback URL each person binds their socket to a loopback address of their own
(127.10.x.y; all of 127.0.0.0/8 is loopback on Linux), so nginx, and the login limits behind it,
see as many clients as there are people, as on the morning, without any change to the limits.
Past nginx's bounded queue its 503 busy page (with Retry-After) is counted apart from errors.

By default the bench starts its own servers: two gunicorn instances (`--instances`, each with
`--workers` sync workers) with production settings on PostgreSQL (database `elaas_h13b`,
created with the registry and circulars unless `--no-setup`) and Redis (database 7, emptied),
and runs the same mix twice, once per hasher (`--hashers argon2,pbkdf2`: Argon2id as the portal
now has it, then PBKDF2 with 1,000,000 iterations, today's), each with its own fresh users. The
simulated people are spread over the instances. `--base-url` runs the Argon2id phase against
a running deployment instead (`make prod`), and `--baseline-url` the PBKDF2 one; the generated
users are then written to `--database-url` with the keys of the environment, which must be the
deployment's (SECRET_KEY, MFA_ENCRYPTION_KEY, NATIONAL_ID_HASH_KEY).

Output: per hasher, logins per second (completed login flows, and per core of this machine),
p50/p95/p99 and errors per kind, the web servers' CPU time; then the goals: no error, the status
page's p95 under 100 ms while logins run, and at least four times today's logins per second per
core. `--check` exits 1 when a goal is missed. The full record goes to bench/results/.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import random
import re
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
HOST = "127.0.0.1"
DB_NAME = "elaas_h13b"
REDIS_DB = 7
PASSWORD = "surge-password-2568"  # noqa: S105 - of generated accounts in the bench's database
DOMAIN = "surge.generated.invalid"
EVIDENCE_BYTES = 1024 * 1024
QUESTION = "/api/policy/decision?entity_type=lao&action=verify_identity&identity_verified=false"
BUSY = "503 busy (Retry-After): the proxy's queue was full"
KINDS = ("status", "api", "login", "lao page", "submission")
GOAL_STATUS_P95_MS = 100
GOAL_LOGIN_RATIO = 4.0
HASHERS = {
    "argon2": "Argon2id (m=19 MiB, t=2, p=1)",
    "pbkdf2": "PBKDF2-SHA256, 1,000,000 iterations (today)",
}


def log(message: str) -> None:
    print(f"[surge {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- In a child with the portal's settings: the generated people ----------------------------
def make_people() -> None:
    """Writes, for each phase in SURGE_PHASES, officers and staff who will log in, and clerks
    and viewers already logged in (sessions in the database); prints what the bench needs."""
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import generate_totp_secret
    from allauth.mfa.utils import encrypt
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore  # the portal's engine
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Role, RoleKind, User
    from accounts.positions import Position
    from maintenance.models import AccessRule
    from registry.models import Organization, Province

    spec = json.loads(os.environ["SURGE_PEOPLE"])
    run = spec["run"]
    laos = list(Organization.objects.laos().order_by("?").values_list("pk", flat=True))
    provinces = list(Province.objects.values_list("pk", flat=True))
    if not laos or not provinces:
        print(json.dumps({"error": "no registry here: run without --no-setup"}))
        sys.exit(1)
    need = sum(spec["clerks"] + spec["viewers"] for _ in spec["phases"])
    if need > len(laos):
        print(json.dumps({"error": f"{need} clerks and viewers need as many LAOs: {len(laos)}"}))
        sys.exit(1)
    open_the_window(AccessRule, timezone.now())
    secret = generate_totp_secret()
    totp_data = {"secret": encrypt(secret)}  # one secret: each code is still accepted once each
    hashers = {"argon2": "argon2", "pbkdf2": "pbkdf2_sha256"}
    out = {"run": run, "totp_secret": secret, "password": PASSWORD, "phases": {}}
    lao_iter = iter(laos)
    for phase in spec["phases"]:
        encoded = make_password(PASSWORD, hasher=hashers[phase])
        prefix = f"surge-{run}-{phase}"
        with transaction.atomic():
            people = {
                "officer": [f"{prefix}-officer-{i}@{DOMAIN}" for i in range(spec["officers"])],
                "staff": [f"{prefix}-staff-{i}@{DOMAIN}" for i in range(spec["staff"])],
                "clerk": [f"{prefix}-clerk-{i}@{DOMAIN}" for i in range(spec["clerks"])],
                "viewer": [f"{prefix}-viewer-{i}@{DOMAIN}" for i in range(spec["viewers"])],
            }
            users = {}
            for who, emails in people.items():
                rows = [
                    User(
                        email=email,
                        full_name=f"ทดสอบ {who} {i} (generated)",
                        password=encoded if who in ("officer", "staff") else "!",
                    )
                    for i, email in enumerate(emails)
                ]
                users[who] = User.objects.bulk_create(rows, batch_size=1000)
            EmailAddress.objects.bulk_create(
                [
                    EmailAddress(user=u, email=u.email, verified=True, primary=True)
                    for group in users.values()
                    for u in group
                ],
                batch_size=1000,
            )
            roles, orgs = [], {}
            for i, u in enumerate(users["officer"]):
                roles.append(
                    Role(
                        user=u,
                        kind=RoleKind.PROVINCE_OFFICER,
                        province_id=provinces[i % len(provinces)],
                    )
                )
            for who in ("staff", "clerk", "viewer"):
                for u in users[who]:
                    orgs[u.pk] = next(lao_iter) if who != "staff" else laos[u.pk % len(laos)]
                    roles.append(
                        Role(
                            user=u,
                            kind=RoleKind.LAO_STAFF,
                            organization_id=orgs[u.pk],
                            position=Position.FINANCE_DIRECTOR,
                        )
                    )
            Role.objects.bulk_create(roles, batch_size=1000)
            Authenticator.objects.bulk_create(
                [
                    Authenticator(user=u, type=Authenticator.Type.TOTP, data=totp_data)
                    for u in users["officer"]
                ],
                batch_size=1000,
            )
        sessions = {}
        for who in ("clerk", "viewer"):
            sessions[who] = []
            for u in users[who]:
                session = SessionStore()
                session[SESSION_KEY] = str(u.pk)
                session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
                session[HASH_SESSION_KEY] = u.get_session_auth_hash()
                session["account_authentication_methods"] = [
                    {"method": "password", "at": time.time(), "email": u.email}
                ]
                session.create()
                sessions[who].append([session.session_key, orgs[u.pk]])
        out["phases"][phase] = {
            "officers": people["officer"],
            "staff": people["staff"],
            "clerks": sessions["clerk"],
            "viewers": sessions["viewer"],
        }
    print(json.dumps(out))


def open_the_window(AccessRule, now) -> None:  # noqa: N803 - the model, passed in
    """LAOs may file verification requests now: the reference window (5-21 April 2568) has
    passed, so a copy of its rule in the same DLA circular opens today (the latest-starting
    rule of a circular decides). Nothing is added while such a rule covers now."""
    base = (
        AccessRule.objects.filter(
            action="verify_identity", entity_type="lao", identity_verified=False, effect="allow"
        )
        .order_by("-starts_at")
        .first()
    )
    if base is None:
        raise SystemExit(json.dumps({"error": "no verify_identity rule: load_circulars first"}))
    if base.starts_at <= now and (base.ends_at is None or now < base.ends_at):
        return
    base.pk = None
    base.starts_at = now - dt.timedelta(hours=1)
    base.ends_at = now + dt.timedelta(days=2)
    base.clause = "bench/surge.py"
    base.save()


# --- In a child: Locust, headless ---------------------------------------------------------
def run_locust() -> None:
    """Runs the mix for SURGE_LOCUST's duration and prints the figures as one JSON line."""
    import gevent
    from locust import HttpUser, between, events, task
    from locust.clients import LocustHttpAdapter
    from locust.env import Environment
    from locust.stats import StatsEntry

    config = json.loads(sys.stdin.read())
    people = config["people"]
    logins = {"officer": iter(people["officers"]), "staff": iter(people["staff"])}
    clerks, viewers = iter(people["clerks"]), people["viewers"]
    urls = config["base_urls"]
    evidence = make_evidence()
    started = {}
    flows = {"login": [], "login_errors": 0}
    counter = {"user": 0}
    mode = {"logins": True}

    class FromAddress(LocustHttpAdapter):
        """Connections from one loopback address: one office, as nginx sees it."""

        def __init__(self, address: str):
            self.address = address
            super().__init__(pool_manager=None)

        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, source_address=(self.address, 0), **kwargs)

    def totp_now() -> str:
        import hashlib
        import hmac
        import struct

        key = base64.b32decode(config["totp_secret"], casefold=True)
        digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
        offset = digest[-1] & 0x0F
        value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
        return f"{value % 1_000_000:06d}"

    def said(response) -> str:
        """The form's first error, or where a redirect went: why a step failed."""
        if response.status_code in (301, 302, 303):
            return " to " + response.headers.get("Location", "")
        text = response.text or ""
        start = text.find('class="errorlist')
        if start < 0:
            return ""
        snippet = re.sub(r"<[^>]+>", " ", text[start : start + 400])
        return ": " + " ".join(snippet.split()[1:])[:160]

    def csrf_from(html: str) -> str:
        marker = 'name="csrfmiddlewaretoken" value="'
        start = html.find(marker)
        return html[start + len(marker) : html.find('"', start + len(marker))] if start >= 0 else ""

    class Morning(HttpUser):
        wait_time = between(0.2, 1.0)
        host = urls[0]

        def on_start(self):
            counter["user"] += 1
            n = counter["user"]
            self.host = urls[n % len(urls)]  # the people spread over the instances
            self.client.base_url = self.host
            self.client.verify = False  # make prod's certificate is self-signed
            office = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
            self.client.headers.update({"X-Forwarded-For": office, "Referer": self.host + "/"})
            if config.get("own_addresses") and urlsplit(self.host).hostname.startswith("127."):
                from_address = FromAddress(f"127.10.{(n >> 8) & 255}.{n & 255}")
                self.client.mount(self.host, from_address)

        def expect(self, method, path, name, status, **kwargs):
            with self.client.request(
                method, path, name=name, catch_response=True, allow_redirects=False, **kwargs
            ) as response:
                if response.status_code == 503 and "Retry-After" in response.headers:
                    response.failure(BUSY)  # the proxy's busy page: counted apart
                    return None
                if response.status_code not in status:
                    response.failure(f"{response.status_code} (wanted {status}){said(response)}")
                    return None
                response.success()
                return response

        @task(35)
        def status_page(self):
            self.client.cookies.clear()
            self.expect("GET", "/", "status", (200,))

        @task(35)
        def decision(self):
            self.client.cookies.clear()
            self.expect("GET", QUESTION, "api", (200,))

        @task(10)
        def login_officer(self):
            self.log_in("officer")

        @task(10)
        def login_staff(self):
            self.log_in("staff")

        def log_in(self, who):
            if not mode["logins"]:
                return
            self.client.cookies.clear()
            email = next(logins[who], None)
            if email is None:
                events.request.fire(
                    request_type="FLOW",
                    name="login",
                    response_time=0,
                    response_length=0,
                    exception=RuntimeError(f"no {who} left to log in: raise --people"),
                )
                return
            t0 = time.perf_counter()
            page = self.expect("GET", "/accounts/login/", "login", (200,))
            if page is None:
                return
            data = {"csrfmiddlewaretoken": csrf_from(page.text), "login": email}
            data["password"] = config["password"]
            answer = self.expect("POST", "/accounts/login/", "login", (302,), data=data)
            if answer is None:
                return
            if who == "officer":
                step = answer.headers.get("Location", "")
                page = self.expect("GET", step, "login", (200,))
                if page is None:
                    return
                data = {"csrfmiddlewaretoken": csrf_from(page.text), "code": totp_now()}
                answer = self.expect("POST", step, "login", (302,), data=data)
                if answer is None:
                    return
            if self.expect("GET", "/my/", "login", (200,)) is not None:
                flows["login"].append((time.perf_counter() - t0) * 1000)

        @task(5)
        def lao_page(self):
            self.client.cookies.clear()
            key, _org = random.choice(viewers)
            self.client.cookies.set("sessionid", key)
            self.expect("GET", "/my/", "lao page", (200,))

        @task(5)
        def submission(self):
            self.client.cookies.clear()
            clerk = next(clerks, None)
            if clerk is None:
                return
            key, org = clerk
            self.client.cookies.set("sessionid", key)
            form = f"/my/org/{org}/request/"
            page = self.expect("GET", form, "submission", (200,))
            if page is None:
                return
            data = {
                "csrfmiddlewaretoken": csrf_from(page.text),
                "full_name": "ทดสอบ ผู้อำนวยการกองคลัง",
                "national_id": national_id(random.randrange(10**11)),
                "position": "finance_director",
                "appointment_order_number": f"surge {org}/2568",
                "appointment_date": "1/10/2567",
                "consent": "on",
                "submit": "1",
            }
            files = {"evidence": ("order.pdf", evidence, "application/pdf")}
            self.expect("POST", form, "submission", (302,), data=data, files=files)

    import urllib3

    urllib3.disable_warnings()
    env = Environment(user_classes=[Morning], events=events)
    runner = env.create_local_runner()
    quiet = {}
    if config["quiet"]:  # first the same people without the logins: the machine's own latency
        mode["logins"] = False
        runner.start(config["users"], spawn_rate=config["spawn_rate"])
        gevent.sleep(config["quiet"])
        quiet = figures(env.stats, StatsEntry)
        env.stats.reset_all()
        mode["logins"] = True
    started["at"] = time.monotonic()
    if not config["quiet"]:
        runner.start(config["users"], spawn_rate=config["spawn_rate"])
    gevent.spawn_later(config["duration"], runner.quit)
    runner.greenlet.join()
    elapsed = time.monotonic() - started["at"]
    result = {"elapsed": elapsed, "kinds": figures(env.stats, StatsEntry), "errors": {}}
    result["without logins"] = quiet
    flow = sorted(flows["login"])
    if flow:
        result["kinds"]["login flow"] = {
            "requests": len(flow),
            "failures": 0,
            "p50": flow[len(flow) // 2],
            "p95": flow[min(len(flow) - 1, int(len(flow) * 0.95))],
            "p99": flow[min(len(flow) - 1, int(len(flow) * 0.99))],
        }
    result["logins"] = len(flow)
    result["busy"] = {}
    for error in env.stats.errors.values():
        if BUSY in str(error.error):  # Locust keeps the failure wrapped in an exception
            result["busy"][error.name] = result["busy"].get(error.name, 0) + error.occurrences
        else:
            result["errors"][f"{error.method} {error.name}: {error.error}"] = error.occurrences
    for kind, count in result["busy"].items():
        if kind in result["kinds"]:
            result["kinds"][kind]["failures"] -= count
            result["kinds"][kind]["busy"] = count
    print(json.dumps(result))


def figures(stats, StatsEntry) -> dict:  # noqa: N803 - Locust's class, imported by the caller
    """Requests, failures and p50/p95/p99 (ms) per kind, GET and POST together."""
    out = {}
    for kind in KINDS:
        entries = [e for (name, _method), e in stats.entries.items() if name == kind]
        if not entries:
            continue
        merged = StatsEntry(stats, kind, "ALL")
        for e in entries:
            merged.extend(e)
        out[kind] = {
            "requests": merged.num_requests,
            "failures": merged.num_failures,
            "p50": merged.get_response_time_percentile(0.50),
            "p95": merged.get_response_time_percentile(0.95),
            "p99": merged.get_response_time_percentile(0.99),
        }
    return out


def make_evidence() -> bytes:
    """A 1 MB PDF (what the portal checks is its first bytes; the rest is incompressible)."""
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    tail = b"\n%%EOF\n"
    return head + secrets.token_bytes(EVIDENCE_BYTES - len(head) - len(tail)) + tail


def national_id(seed: int) -> str:
    """A 13-digit number with a valid check digit, different for each seed."""
    digits = [1] + [int(c) for c in f"{seed % 10**11:011d}"]
    check = (11 - sum(d * (13 - i) for i, d in enumerate(digits)) % 11) % 10
    return "".join(map(str, digits)) + str(check)


# --- The orchestra ------------------------------------------------------------------------
def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base-url", help="the deployment to measure with Argon2id (make prod)")
    p.add_argument("--baseline-url", help="a deployment with today's hasher (PBKDF2)")
    p.add_argument(
        "--base-prod-dir", help="the --base-url deployment's PROD_DIR: its gunicorns' CPU time"
    )
    p.add_argument("--baseline-prod-dir", help="the same for --baseline-url")
    p.add_argument("--hashers", default="argon2,pbkdf2", help="phases, in order (%(default)s)")
    p.add_argument("--duration", type=int, default=45, help="seconds per phase (%(default)s)")
    p.add_argument(
        "--quiet",
        type=int,
        default=20,
        help="seconds of the mix without logins first (%(default)s)",
    )
    p.add_argument("--users", type=int, default=40, help="simulated people (%(default)s)")
    p.add_argument("--spawn-rate", type=float, default=30, help="people started a second")
    p.add_argument("--instances", type=int, default=2, help="gunicorns per phase (%(default)s)")
    p.add_argument("--workers", type=int, default=3, help="sync workers each (%(default)s)")
    p.add_argument("--people", type=int, default=1500, help="login accounts per kind and phase")
    p.add_argument("--clerks", type=int, default=400, help="submitting clerks per phase")
    p.add_argument(
        "--database-url", default=f"postgres://postgres@{HOST}:5432/{DB_NAME}", help="(own DB)"
    )
    p.add_argument("--redis-url", default=f"redis://{HOST}:6379/{REDIS_DB}")
    p.add_argument("--no-setup", action="store_true", help="reuse the database's registry")
    p.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    p.add_argument("--no-json", action="store_true", help="write no bench/results/ file")
    return p.parse_args(argv)


def portal_env(args) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="bench.surge_settings",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        ELAAS_ENV="production",
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        # Plain http between the bench and its own gunicorns: cookies without the Secure flag,
        # no redirect to https (the proxy of make prod is where TLS is measured).
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_SSL_REDIRECT="0",
        EMAIL_BACKEND="notifications.backends.DatabaseSinkBackend",
    )
    if not (args.base_url or args.baseline_url):  # own servers: fresh keys
        env.update(
            SECRET_KEY="surge-" + secrets.token_urlsafe(40),
            NATIONAL_ID_HASH_KEY="surge-" + secrets.token_urlsafe(40),
            MFA_ENCRYPTION_KEY=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        )
    return env


def setup_database(args, env) -> None:
    sys.path.insert(0, str(BENCH_DIR))
    import run as bench_run  # the dashboards' bench: database and setup helpers

    pg = argparse.Namespace(pg_user="postgres", pg_port=5432)
    bench_run.recreate_database(pg, DB_NAME)
    skipped = bench_run.setup_data(
        {**env, "DJANGO_SETTINGS_MODULE": "elaas_portal.settings.production"}
    )
    if skipped:
        raise SystemExit(f"setup steps missing: {skipped}")


def flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


def child(env, *argv, stdin: str | None = None, timeout: int = 900) -> dict:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__)), *argv],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    lines = proc.stdout.strip().splitlines()
    try:
        out = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        out = {}
    if proc.returncode != 0 or not out or "error" in out:
        raise SystemExit(
            f"{argv[0]} failed ({proc.returncode}): {out.get('error', '')}\n"
            f"{proc.stdout[-1500:]}\n{proc.stderr[-4000:]}"
        )
    return out


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children (a gunicorn master and its workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pids = 0.0, [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            pids += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def run_phase(args, env, hasher: str, people: dict, totp_secret: str) -> dict:
    sys.path.insert(0, str(BENCH_DIR))
    import run as bench_run

    external = args.base_url if hasher == "argon2" else args.baseline_url
    servers, pids = [], []
    logdir = RESULTS_DIR / f"surge-{hasher}"
    logdir.mkdir(parents=True, exist_ok=True)
    try:
        if external:
            urls = [external.rstrip("/")]
            prod_dir = args.base_prod_dir if hasher == "argon2" else args.baseline_prod_dir
            if prod_dir:  # scripts/prod.sh writes run/web<n>.pid, each a gunicorn master
                pids = [int(f.read_text()) for f in Path(prod_dir).glob("run/web*.pid")]
        else:
            for i in range(args.instances):
                d = logdir / f"web{i}"
                d.mkdir(exist_ok=True)
                server = bench_run.Gunicorn({**env, "SURGE_HASHER": hasher}, args.workers, d)
                server.start()
                servers.append(server)
            urls = [s.base for s in servers]
            pids = [s.proc.pid for s in servers]
        # The web servers' CPU time while the logins run (from the end of the quiet part).
        cpu = {"start": 0.0}
        timer = threading.Timer(
            args.quiet + 1, lambda: cpu.update(start=sum(cpu_seconds(pid) for pid in pids))
        )
        timer.start()
        config = {
            "base_urls": urls,
            "people": people,
            "totp_secret": totp_secret,
            "password": PASSWORD,
            "users": args.users,
            "spawn_rate": args.spawn_rate,
            "duration": args.duration,
            "quiet": args.quiet,
            "own_addresses": bool(external),
        }
        log(f"{HASHERS[hasher]}: {args.users} people for {args.duration}s against {urls}")
        timeout = args.quiet + args.duration + 120
        result = child(env, "_locust", stdin=json.dumps(config), timeout=timeout)
        timer.join()
        result["web_cpu_seconds"] = sum(cpu_seconds(pid) for pid in pids) - cpu["start"]
        for s in servers:
            if not s.alive():
                result["errors"]["gunicorn"] = f"exited: {s.log_tail()}"
    finally:
        for s in servers:
            s.stop()
    result["hasher"] = hasher
    result["urls"] = urls
    result["logins_per_second"] = result["logins"] / result["elapsed"]
    # On a shared machine the web servers get what the others leave: logins per second of their
    # CPU is what a core given to them alone would do (it also pays for the rest of the mix).
    cpu_used = result.get("web_cpu_seconds") or 0
    result["logins_per_web_cpu_second"] = result["logins"] / cpu_used if cpu_used else None
    return result


def cores() -> int:
    return len(os.sched_getaffinity(0))


def report(results: dict[str, dict]) -> list[str]:
    """Prints the figures; returns the goals missed."""
    n = cores()
    print(f"\nSurge: {n} cores on this machine; times in ms; login = the whole login flow")
    for hasher, r in results.items():
        print(
            f"\n{HASHERS[hasher]}: {r['logins']} logins in {r['elapsed']:.1f}s = "
            f"{r['logins_per_second']:.2f}/s, {r['logins_per_second'] / n:.2f}/s per core; "
            f"web servers' CPU {r.get('web_cpu_seconds', 0):.1f}s"
            + (
                f" = {r['logins_per_web_cpu_second']:.2f} logins per CPU-second"
                if r.get("logins_per_web_cpu_second")
                else ""
            )
        )
        print(
            f"  {'kind':<12} {'requests':>8} {'errors':>6} {'503':>5} "
            f"{'p50':>7} {'p95':>7} {'p99':>7}"
        )
        for kind, k in r["kinds"].items():
            print(
                f"  {kind:<12} {k['requests']:>8} {k['failures']:>6} {k.get('busy', 0):>5} "
                f"{k['p50']:>7.0f} {k['p95']:>7.0f} {k['p99']:>7.0f}"
            )
        for kind, k in r.get("without logins", {}).items():
            if kind in ("status", "api"):
                print(
                    f"  {kind + ' (no logins running)':<30} p50 {k['p50']:.0f} "
                    f"p95 {k['p95']:.0f} p99 {k['p99']:.0f} ({k['requests']} requests)"
                )
        if r.get("busy"):
            print(f"  503 busy (not errors; the proxy's queue was full): {r['busy']}")
        for error, count in r["errors"].items():
            print(f"  error x{count}: {error}"[:300])
    missed = []
    new = results.get("argon2")
    if new:
        if new["errors"] or any(k["failures"] for k in new["kinds"].values()):
            missed.append("errors with Argon2id")
        p95 = new["kinds"].get("status", {}).get("p95", float("inf"))
        if p95 >= GOAL_STATUS_P95_MS:
            missed.append(f"status page p95 {p95:.0f} ms, not under {GOAL_STATUS_P95_MS} ms")
    old = results.get("pbkdf2")
    if new and old:
        ratio = new["logins_per_second"] / max(old["logins_per_second"], 1e-9)
        print(f"\nlogins per second per core: Argon2id / today's = {ratio:.1f}x (goal >= 4x)")
        if new.get("logins_per_web_cpu_second") and old.get("logins_per_web_cpu_second"):
            per_cpu = new["logins_per_web_cpu_second"] / old["logins_per_web_cpu_second"]
            print(f"logins per web CPU-second: Argon2id / today's = {per_cpu:.1f}x")
        if ratio < GOAL_LOGIN_RATIO:
            missed.append(f"logins per second only {ratio:.1f}x today's")
    print("goals: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return missed


def main(argv=None) -> int:
    args = parse_args(argv)
    env = portal_env(args)
    hashers = [h for h in args.hashers.split(",") if h]
    if set(hashers) - set(HASHERS):
        raise SystemExit(f"--hashers: use {', '.join(HASHERS)}")
    if not args.no_setup and not (args.base_url or args.baseline_url):
        log(f"database {DB_NAME}: migrate, load_registry, load_circulars")
        setup_database(args, env)
    if not (args.base_url or args.baseline_url):
        flush_redis(args.redis_url)
    run_tag = time.strftime("%Y%m%d%H%M%S")
    spec = {
        "run": run_tag,
        "phases": hashers,
        "officers": args.people,
        "staff": args.people,
        "clerks": args.clerks,
        "viewers": 50,
    }
    t0 = time.monotonic()
    made = child({**env, "SURGE_PEOPLE": json.dumps(spec)}, "_people")
    log(f"generated people for {hashers} in {time.monotonic() - t0:.1f}s")
    results = {}
    for hasher in hashers:
        if hasher == "pbkdf2" and args.base_url and not args.baseline_url:
            log("no --baseline-url: today's hasher measured on own servers")
        results[hasher] = run_phase(args, env, hasher, made["phases"][hasher], made["totp_secret"])
    missed = report(results)
    if not args.no_json:
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"surge-{run_tag}.json"
        record = {"args": vars(args), "cores": cores(), "results": results, "missed": missed}
        path.write_text(json.dumps(record, indent=1))
        log(f"record: {path}")
    return 1 if (missed and args.check) else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["_people"]:
        make_people()
    elif sys.argv[1:2] == ["_locust"]:
        run_locust()
    else:
        sys.exit(main())
