#!/usr/bin/env python3
"""The officers' morning (issue 23, item 4): the portal's real mix through nginx with TLS and
both gunicorn instances, side by side with the bare Django project served the same way.

    nice -n 10 .venv/bin/python bench/morning.py            # setup (~5 min) + run (~2.5 min)
    nice -n 10 .venv/bin/python bench/morning.py --no-setup # the run only, on the same database

What it does (bench/README.md, "The morning"):
  1. (unless --no-setup) recreates the PostgreSQL database `elaas_morning` with the national
     data set (migrate, load_registry, load_circulars, generate_national_dataset: every LAO
     with its seeded verification state), then VACUUM ANALYZE;
  2. a child with the server's settings makes --officers distinct officers' sessions directly
     in the database, as a login with the second factor leaves them (no Argon2 in the timed
     part): the DLA officer, the 77 provincial officers and district officers of every
     province, round-robin over the provinces; each gets its own session and CSRF cookie;
  3. starts nginx (deploy/nginx/portal.conf.template rendered as scripts/prod.sh renders it,
     TLS on 127.0.0.1:9443) in front of two portal gunicorns (127.0.0.1:9001 and :9002,
     production settings), and on 127.0.0.1:9080 the same TLS and proxy settings in front of
     two gunicorns of the bare project (bench/bare/, on unix sockets);
  4. draws the mix (MIX below, the proportions README states) and sends it
     - at a fixed offered load (--rate, default 67 req/s: twice what 2,000 officers reloading
       once a minute bring), open loop (Poisson arrivals, each officer with its own client and
       TLS connection), and the bare view at the same rate;
     - at saturation: wrk with a Lua script cycling through the drawn requests (each with its
       officer's cookies), --connections connections, interleaved with wrk on the bare view;
  5. reports requests per second and the ratio to bare, p50/p95/p99 (per kind at the fixed
     load), non-200 answers, and the CPU per request of the gunicorn workers (and of nginx)
     from /proc; writes bench/results/morning-<time>.json. --check exits 1 when a goal
     (mix >= 0.25 of bare at saturation, p95 < 300 ms at the fixed load) is missed.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402
from run import BENCH_DIR, HOST, ROOT, BenchError, log  # noqa: E402

DB_NAME = "elaas_morning"
REDIS_DB = 4
HTTPS_PORT = 9443  # the portal's nginx
BARE_PORT = 9080  # the bare project's nginx (TLS too)
WEB_PORTS = (9001, 9002)  # the two portal instances
RUN_DIR = BENCH_DIR / "results" / "morning-run"

# The morning's mix: (kind, share of all requests in %). README, "Compliance dashboards",
# states these proportions; change both together.
MIX: list[tuple[str, float]] = [
    ("dashboard", 30),  # the officer's own dashboard (country, province or district)
    ("drill", 8),  # a dashboard one level down (a province's district, the DLA's province)
    ("late", 25),  # the late list, with the filters, sort orders and pages officers use
    ("lao", 15),  # an LAO's page in the officer's area
    ("export", 2),  # the late list or the summary as CSV / XLSX
    ("status", 8),  # the public status page, no cookie
    ("api", 12),  # the decision API, asked by LAO systems, no cookie
]
ANONYMOUS = {"status", "api"}
# The late list as officers open it: sort order, one filter or none, page.
LATE_ORDERS = [("district", 40), ("activity", 25), ("state", 20), ("name", 15)]
LATE_FILTERS = [("", 50), ("state", 20), ("kind", 10), ("age", 10), ("in_district", 10)]
LATE_PAGES = [(1, 80), (2, 15), (3, 5)]
LATE_STATE_VALUES = ["not_started", "in_progress", "submitted", "returned", "rejected"]
LATE_KIND_VALUES = ["SAO", "SUBDISTRICT_MUNI"]
EXPORTS = [("late.csv", 60), ("late.xlsx", 20), ("summary.csv", 20)]
MARKERS = {"dashboard": b'id="lao-total"', "drill": b'id="lao-total"', "late": b'id="late"'}


def weighted(rng: random.Random, table):
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


# --- Officers (in a child with the server's settings) --------------------------------------
def make_officers() -> None:
    """Sessions of MORNING_OFFICERS generated officers, written as JSON to MORNING_OUT."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elaas_portal.settings")
    import importlib

    import django

    django.setup()
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    import elaas_portal
    from accounts.models import Role, RoleKind
    from demo.accounts import DOMAIN
    from registry.models import Organization

    wanted = int(os.environ["MORNING_OFFICERS"])
    rng = random.Random(23)
    generated = Role.objects.filter(user__email__endswith=f"@{DOMAIN}").select_related(
        "user", "province", "district", "district__province"
    )
    laos = Organization.objects.laos()
    codes_by_district: dict[str, list[str]] = {}
    province_of: dict[str, str] = {}
    for code, district, province in laos.values_list(
        "dla_code", "district__code", "district__province__code"
    ):
        codes_by_district.setdefault(district, []).append(code)
        province_of[district] = province
    dla = generated.filter(kind=RoleKind.DLA_OFFICER).first()
    provincials = list(generated.filter(kind=RoleKind.PROVINCE_OFFICER).order_by("province__code"))
    by_province: dict[str, list] = {}
    for role in generated.filter(kind=RoleKind.DISTRICT_OFFICER).order_by("district__code"):
        if role.district.code in codes_by_district:  # Bangkok's districts have no LAO
            by_province.setdefault(role.district.province.code, []).append(role)
    districts_of: dict[str, list[str]] = {}
    for district in sorted(codes_by_district):
        districts_of.setdefault(province_of[district], []).append(district)
    chosen = [dla, *provincials]
    queues = [list(roles) for _, roles in sorted(by_province.items())]
    while len(chosen) < wanted and any(queues):
        for queue in queues:
            if queue and len(chosen) < wanted:
                chosen.append(queue.pop(0))
    SessionStore = importlib.import_module(settings.SESSION_ENGINE).SessionStore  # noqa: N806
    with_totp = set(
        Authenticator.objects.filter(
            user__in=[r.user for r in chosen], type=Authenticator.Type.TOTP
        ).values_list("user_id", flat=True)
    )
    officers = []
    for role in chosen:
        user = role.user
        if user.pk not in with_totp:
            TOTP.activate(user, generate_totp_secret())
        now = time.time()
        session = SessionStore()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session["account_authentication_methods"] = [
            {"method": "password", "at": now, "email": user.email},
            {"method": "mfa", "at": now, "type": "totp"},
        ]
        session["account_authentication_methods_user"] = str(user.pk)
        session.create()
        if role.kind == RoleKind.DLA_OFFICER:
            area, province, districts = "country", "", []
            lao_codes = rng.sample([c for cs in codes_by_district.values() for c in cs], 40)
            provinces = sorted(by_province)
        elif role.kind == RoleKind.PROVINCE_OFFICER:
            area, province = "province", role.province.code
            districts = districts_of.get(province, [])
            lao_codes = [c for d in districts for c in codes_by_district[d]]
            provinces = []
        else:
            area, province = "district", role.district.province.code
            districts = [role.district.code]
            lao_codes = codes_by_district[role.district.code]
            provinces = []
        officers.append(
            {
                "email": user.email,
                "area": area,
                "province": province,
                "districts": districts,
                "provinces": provinces,
                "laos": lao_codes[:60] if len(lao_codes) > 60 else lao_codes,
                "n_laos": len(lao_codes),
                "session": session.session_key,
                "csrf": os.urandom(16).hex(),
            }
        )
    all_codes = [c for cs in codes_by_district.values() for c in cs]
    Path(os.environ["MORNING_OUT"]).write_text(
        json.dumps(
            {
                "officers": officers,
                "lao_codes": rng.sample(all_codes, min(2000, len(all_codes))),
                "imported_from": elaas_portal.__file__,
                "laos": len(all_codes),
            }
        )
    )


def officers_in(args, env: dict) -> dict:
    out = RUN_DIR / "officers.json"
    code = (
        f"import sys; sys.path.insert(0, {str(BENCH_DIR)!r}); import morning; "
        "morning.make_officers()"
    )
    proc = subprocess.run(
        [str(run.venv_bin() / "python"), "-c", code],
        cwd=args.project,
        env={**env, "MORNING_OFFICERS": str(args.officers), "MORNING_OUT": str(out)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        raise BenchError(f"could not make the officers' sessions:\n{proc.stderr[-3000:]}")
    info = json.loads(out.read_text())
    run.check_imported("elaas_portal", info["imported_from"], args.project, "the login child")
    return info


# --- The requests -------------------------------------------------------------------------
def officer_path(rng: random.Random, kind: str, o: dict) -> str:
    area = o["area"]
    if (kind == "drill" and not o["districts"]) or (kind == "lao" and not o["laos"]):
        kind = "dashboard"  # a province without LAOs in districts of its own (Bangkok)
    if kind == "dashboard":
        if area == "country":
            return "/compliance/country/"
        if area == "province":
            return f"/compliance/province/{o['province']}/"
        return f"/compliance/district/{o['districts'][0]}/"
    if kind == "drill":
        if area == "country":
            return f"/compliance/province/{rng.choice(o['provinces'])}/"
        return f"/compliance/district/{rng.choice(o['districts'])}/"
    if kind == "lao":
        return f"/compliance/lao/{rng.choice(o['laos'])}/"
    scope = ""
    if area == "province":
        scope = f"province={o['province']}"
    elif area == "district":
        scope = f"district={o['districts'][0]}"
    if kind == "export":
        return f"/compliance/export/{weighted(rng, EXPORTS)}?{scope}".rstrip("?")
    query = [scope] if scope else []
    order = weighted(rng, LATE_ORDERS)
    if order != "district":
        query.append(f"order={order}")
    what = weighted(rng, LATE_FILTERS)
    if what == "state":
        query.append(f"state={rng.choice(LATE_STATE_VALUES)}")
    elif what == "kind":
        query.append(f"kind={rng.choice(LATE_KIND_VALUES)}")
    elif what == "age":
        query.append(f"age={rng.choice([7, 14, 30])}")
    elif what == "in_district" and area == "province" and o["districts"]:
        query.append(f"in_district={rng.choice(o['districts'])}")
    page = weighted(rng, LATE_PAGES)
    if page > 1 and (area == "country" or o["n_laos"] > 50 * (page - 1)):
        query.append(f"page={page}")
    return "/compliance/late/" + ("?" + "&".join(query) if query else "")


def draw(info: dict, n: int, seed: int) -> list[dict]:
    """n requests of the mix: {kind, path, officer index or None}."""
    rng = random.Random(seed)
    officers = info["officers"]
    out = []
    for _ in range(n):
        kind = weighted(rng, MIX)
        if kind == "status":
            out.append({"kind": kind, "path": "/", "officer": None})
        elif kind == "api":
            code = rng.choice(info["lao_codes"])
            path = (
                "/api/policy/decision?entity_type=lao&action=verify_identity"
                f"&identity_verified=false&org={code}"
            )
            out.append({"kind": kind, "path": path, "officer": None})
        else:
            i = rng.randrange(len(officers))
            out.append({"kind": kind, "path": officer_path(rng, kind, officers[i]), "officer": i})
    return out


def cookie(o: dict) -> str:
    return f"sessionid={o['session']}; csrftoken={o['csrf']}"


# --- Servers ------------------------------------------------------------------------------
class Proc:
    """A child in its own process group; its CPU (and its children's) read from /proc."""

    def __init__(self, name: str, cmd: list[str], *, cwd: Path, env: dict):
        self.name = name
        self.log_path = RUN_DIR / f"{name}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def pids(self) -> list[int]:
        pid = self.proc.pid
        try:
            kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            kids = []
        return [pid, *map(int, kids)]

    def cpu_seconds(self) -> float:
        """utime + stime of the process and its living children (the workers)."""
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self, n: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # our own child's group, by its id
                self.proc.wait(timeout=10)
        self._log.close()


def gunicorn(name: str, app: str, bind: str, workers: int, *, cwd: Path, env: dict) -> Proc:
    # As scripts/prod.sh starts each instance (its access log included), with run.py's command
    # line and gunicorn_conf.py, so that each worker says where it imported its code from.
    cmd = run.gunicorn_command(
        app,
        bind,
        workers,
        "--timeout",
        "60",
        "--graceful-timeout",
        "10",
        "--backlog",
        "64",
        "--forwarded-allow-ips",
        "127.0.0.1",
        "--access-logfile",
        "-",
        "--name",
        name,
    )
    return Proc(name, cmd, cwd=cwd, env=env)


def certificate() -> tuple[Path, Path]:
    cert, key = RUN_DIR / "tls" / "cert.pem", RUN_DIR / "tls" / "key.pem"
    if not cert.exists():
        cert.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30"]
            + ["-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"]
            + ["-keyout", str(key), "-out", str(cert)],
            check=True,
            capture_output=True,
        )
    return cert, key


BARE_SERVER = """
upstream bare {{
    zone bare 64k;
    {servers}
}}
server {{
    listen {host}:{port} ssl http2;
    server_tokens off;
    charset utf-8;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:bare_tls:10m;
    ssl_session_timeout 1h;
    gzip on;
    gzip_comp_level 5;
    gzip_min_length 1024;
    gzip_proxied any;
    gzip_vary on;
    proxy_http_version 1.1;
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_set_header Connection "";
    proxy_set_header X-Request-ID $request_id;
    proxy_connect_timeout 2s;
    proxy_read_timeout 60s;
    location / {{
        proxy_pass http://bare;
    }}
}}
"""


def nginx_config(args, static_root: Path) -> Path:
    """deploy/nginx/portal.conf.template rendered as scripts/prod.sh renders it (with this
    bench's ports and queue), and the bare project's server with the same TLS and proxying."""
    cert, key = certificate()
    conf = RUN_DIR / "nginx"
    for sub in ("tmp", "cache"):
        (conf / sub).mkdir(parents=True, exist_ok=True)
    max_conns = args.workers + args.queue
    values = {
        "PORTAL_LISTEN": f"{HOST}:{HTTPS_PORT}",
        "PORTAL_UPSTREAM_SERVERS": " ".join(
            f"server {HOST}:{p} max_conns={max_conns};" for p in WEB_PORTS
        ),
        "PORTAL_TLS_CERT": str(cert),
        "PORTAL_TLS_KEY": str(key),
        "PORTAL_STATIC_ROOT": str(static_root),
        "PORTAL_BUSY_ROOT": str(args.project / "deploy" / "nginx"),
        "PORTAL_CACHE_DIR": str(conf / "cache"),
        "PORTAL_RETRY_AFTER": "10",
        "PORTAL_BODY_MAX": "60m",
    }
    text = (args.project / "deploy" / "nginx" / "portal.conf.template").read_text()
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    (conf / "portal.conf").write_text(text)
    bare = BARE_SERVER.format(
        servers=" ".join(
            f"server unix:{RUN_DIR / f'bare{i}.sock'} max_conns={max_conns};" for i in (1, 2)
        ),
        host=HOST,
        port=BARE_PORT,
        cert=cert,
        key=key,
    )
    (conf / "bare.conf").write_text(bare)
    user = "user root root;" if os.getuid() == 0 else ""
    t = conf / "tmp"
    (conf / "nginx.conf").write_text(
        f"""{user}
worker_processes auto;
pid {conf / "nginx.pid"};
error_log {RUN_DIR / "nginx-error.log"} warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log off;
    client_body_temp_path {t}/body;
    proxy_temp_path {t}/proxy;
    fastcgi_temp_path {t}/fastcgi;
    uwsgi_temp_path {t}/uwsgi;
    scgi_temp_path {t}/scgi;
    include {conf / "portal.conf"};
    include {conf / "bare.conf"};
}}
"""
    )
    return conf / "nginx.conf"


def postgres_cpu(args) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to the bench's database now (a backend
    that ends between two readings is not counted: a lower bound)."""
    import psycopg2

    conn = psycopg2.connect(host=HOST, port=args.pg_port, user=args.pg_user, dbname=DB_NAME)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [DB_NAME],
            )
            pids = [row[0] for row in cur.fetchall()]
    finally:
        conn.close()
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def cpu_delta(before: dict, after: dict) -> dict[str, float]:
    """Seconds of CPU between two `Stack.cpu()` readings, per server."""
    out = {k: after[k] - before[k] for k in after if k != "postgres"}
    out["postgres"] = sum(
        v - before["postgres"].get(pid, 0.0) for pid, v in after["postgres"].items()
    )
    return out


class Stack:
    def __init__(self, args, env: dict):
        self.args, self.env = args, env
        self.portal: list[Proc] = []
        self.bare: list[Proc] = []
        self.nginx: Proc | None = None

    def start(self) -> None:
        args, env = self.args, self.env
        static_root = RUN_DIR / "static"
        run.collect_static(env, args.project, static_root)  # nginx serves them from there
        penv = {**env, "STATIC_ROOT": str(static_root), "BENCH_CHECK_IMPORTS": "elaas_portal"}
        for i, port in enumerate(WEB_PORTS, 1):
            self.portal.append(
                gunicorn(
                    f"elaas-web{i}",
                    "elaas_portal.wsgi",
                    f"{HOST}:{port}",
                    args.workers,
                    cwd=args.project,
                    env=penv,
                )
            )
        benv = {**run.bare_env(), "BENCH_CHECK_IMPORTS": "bare"}
        for i in (1, 2):
            sock = RUN_DIR / f"bare{i}.sock"
            sock.unlink(missing_ok=True)
            self.bare.append(
                gunicorn(
                    f"bare-web{i}",
                    "bare.wsgi",
                    f"unix:{sock}",
                    args.workers,
                    cwd=BENCH_DIR,
                    env=benv,
                )
            )
        conf = nginx_config(args, static_root)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        test = subprocess.run(
            [nginx, "-t", "-q", "-p", str(conf.parent), "-c", str(conf)],
            capture_output=True,
            text=True,
        )
        if test.returncode != 0:
            raise BenchError(f"nginx refused its configuration:\n{test.stderr}")
        self.nginx = Proc(
            "nginx",
            [nginx, "-p", str(conf.parent), "-c", str(conf), "-g", "daemon off;"],
            cwd=RUN_DIR,
            env=dict(os.environ),
        )
        self.wait_ready()

    def wait_ready(self) -> None:
        import httpx

        deadline = time.monotonic() + 60
        urls = [f"https://{HOST}:{HTTPS_PORT}/healthz/", f"https://{HOST}:{BARE_PORT}/"]
        for url in urls:
            while True:
                for p in self.all():
                    if not p.alive():
                        raise BenchError(f"{p.name} stopped:\n{p.tail()}")
                try:
                    if httpx.get(url, verify=False, timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise BenchError(f"{url} did not answer within 60 s")
                time.sleep(0.3)
        # Each instance answers (nginx may send every health check to one of them).
        for port in WEB_PORTS:
            while httpx.get(f"http://{HOST}:{port}/healthz/", timeout=5).status_code != 200:
                time.sleep(0.3)
        for p in self.portal + self.bare:
            want = self.args.workers
            while p.tail(200).count("bench-import") < want and time.monotonic() < deadline:
                time.sleep(0.2)
            tree = self.args.project if p in self.portal else BENCH_DIR
            for line in p.tail(200).splitlines():
                if "bench-import" in line:
                    run.check_imported(p.name, line.split()[-1], tree, p.name)
        log(
            f"nginx https://{HOST}:{HTTPS_PORT}/ -> gunicorn :{WEB_PORTS[0]} :{WEB_PORTS[1]} "
            f"({self.args.workers} workers each, code from {self.args.project}); bare "
            f"https://{HOST}:{BARE_PORT}/ -> 2 gunicorns on unix sockets"
        )

    def all(self) -> list[Proc]:
        return [*self.portal, *self.bare, *([self.nginx] if self.nginx else [])]

    def cpu(self) -> dict[str, float]:
        return {
            "portal": sum(p.cpu_seconds() for p in self.portal),
            "bare": sum(p.cpu_seconds() for p in self.bare),
            "nginx": self.nginx.cpu_seconds() if self.nginx else 0.0,
            "postgres": postgres_cpu(self.args),
        }

    def drain(self) -> None:
        """Wait until each portal instance has answered what a phase left in its backlog (a
        request nginx gave up on is still served): its /healthz/ queues behind them. Without
        this nginx's next connections time out (2 s) and it takes the instance for dead."""
        import httpx

        for port in WEB_PORTS:
            httpx.get(f"http://{HOST}:{port}/healthz/", timeout=300)

    def check_alive(self) -> None:
        for p in self.all():
            if not p.alive():
                raise BenchError(f"{p.name} stopped during the run:\n{p.tail()}")

    def stop(self) -> None:
        if self.nginx:
            self.nginx.stop(signal.SIGQUIT)
        for p in self.portal + self.bare:
            p.stop()


# --- Load at a fixed rate (open loop) -----------------------------------------------------
def percentile(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(pct / 100 * len(ordered)) - 1))]


def latency_summary(values_ms: list[float]) -> dict:
    return {
        "n": len(values_ms),
        "p50_ms": percentile(values_ms, 50),
        "p95_ms": percentile(values_ms, 95),
        "p99_ms": percentile(values_ms, 99),
    }


async def fixed_load(
    base: str,
    plan: list[dict],
    info: dict | None,
    rate: float,
    seconds: float,
    drain: float = 15,
    browser: dict | None = None,
):
    """Send `plan` (cycled) at `rate` requests a second, Poisson arrivals, for `seconds`; each
    officer with a client of its own (its cookies, its TLS connection), the anonymous requests
    from a pool of LAO systems' clients.

    `browser` is the officers' browser caches: (officer, path) → the ETag of the page last
    received. A page an officer's browser holds is asked with `If-None-Match`, as Chromium asks
    a `no-cache` page it keeps, on a reload or a link followed; a page it does not hold (a
    first view) is asked without. The LAO systems keep nothing."""
    import httpx

    rng = random.Random(67)
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=2)
    headers = {"Accept-Encoding": "gzip", "User-Agent": "morning-bench"}

    def client(cookies=None):
        return httpx.AsyncClient(
            base_url=base,
            verify=False,
            timeout=60,
            limits=limits,
            headers=headers,
            cookies=cookies,
        )

    officers = {}
    anonymous = [client() for _ in range(20)]
    results: list[dict] = []

    async def one(req: dict, scheduled: float):
        if req["officer"] is None:
            c = rng.choice(anonymous)
            c.cookies.clear()
        else:
            c = officers.get(req["officer"])
            if c is None:
                o = info["officers"][req["officer"]]
                c = officers[req["officer"]] = client(
                    {"sessionid": o["session"], "csrftoken": o["csrf"]}
                )
        key = (req["officer"], req["path"])
        etag = browser.get(key) if browser is not None and req["officer"] is not None else None
        t0 = time.perf_counter()
        try:
            r = await c.get(req["path"], headers={"If-None-Match": etag} if etag else None)
            status, cache, body = r.status_code, r.headers.get("x-cache-status"), r.content
            if browser is not None and req["officer"] is not None and status == 200:
                if r.headers.get("etag"):
                    browser[key] = r.headers["etag"]
                else:
                    browser.pop(key, None)
        except httpx.HTTPError as exc:
            status, cache, body = f"error {type(exc).__name__}", None, b""
        t1 = time.perf_counter()
        marker = MARKERS.get(req["kind"])
        if status == 200 and marker is not None and marker not in body:
            status = "200 without the page"
        results.append(
            {
                "kind": req["kind"],
                "ms": (t1 - t0) * 1000,
                "lag_ms": (t0 - scheduled) * 1000,
                "status": status,
                "cache": cache,
                "path": req["path"],
                "conditional": etag is not None,
            }
        )

    tasks = []
    start = time.perf_counter()
    at = start
    i = 0
    while True:
        at += rng.expovariate(rate)
        if at - start > seconds:
            break
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(plan[i % len(plan)], at)))
        i += 1
    # What the portal has not answered `drain` seconds after the last request was sent is given
    # up (counted as not answered): an overloaded portal must not stretch the run.
    _, pending = await asyncio.wait(tasks, timeout=drain) if tasks else (set(), set())
    for task in pending:
        task.cancel()
    elapsed = time.perf_counter() - start
    for _ in pending:
        results.append(
            {"kind": "?", "ms": drain * 1000, "lag_ms": 0, "status": "unanswered", "cache": None}
        )
    for c in [*officers.values(), *anonymous]:
        await c.aclose()
    return results, elapsed


ANSWERED = (200, 304)  # a page, or "not modified" to a browser that holds it


def summarize_fixed(results: list[dict], elapsed: float, cpu: dict, server: str) -> dict:
    ok = [r for r in results if r["status"] in ANSWERED]
    bad: dict[str, int] = {}
    for r in results:
        if r["status"] not in ANSWERED:
            key = f"{r['kind']} {r['status']}"
            bad[key] = bad.get(key, 0) + 1
    kinds = {}
    for kind in sorted({r["kind"] for r in results}):
        kinds[kind] = latency_summary([r["ms"] for r in results if r["kind"] == kind])
    hits = sum(1 for r in results if r["cache"] in ("HIT", "STALE", "UPDATING", "REVALIDATED"))
    n = len(results)
    return {
        "requests": n,
        "seconds": round(elapsed, 1),
        "req_per_s": round(sum(r["status"] != "unanswered" for r in results) / elapsed, 1),
        "ok": len(ok),
        "conditional": sum(1 for r in results if r.get("conditional")),
        "conditional_by_status": dict(
            Counter(str(r["status"]) for r in results if r.get("conditional"))
        ),
        "not_modified": sum(1 for r in results if r["status"] == 304),
        "not_ok": bad,
        "nginx_cache_hits": hits,
        "lag_p95_ms": percentile([r["lag_ms"] for r in results], 95),
        **latency_summary([r["ms"] for r in results]),
        "by_kind": kinds,
        # per answer 200 or 304 (a 503 of nginx's busy page costs gunicorn nothing)
        "cpu_ms_per_request": {k: round(v / max(1, len(ok)) * 1000, 2) for k, v in cpu.items()},
        "cpu_ms_per_django_request": round(cpu[server] / max(1, len(ok) - hits) * 1000, 2),
    }


# --- Saturation: wrk with the mix -----------------------------------------------------------
def write_plan(
    plan_file: Path,
    plan: list[dict],
    officers: list[dict],
    browser: dict,
    seen_before: list[dict] = (),
) -> None:
    """wrk's plan: path, cookie, and the ETag to send when the officer opened the same page
    earlier in the plan and their browser holds it (`browser`); with `seen_before` (the plan up
    to where wrk starts) those pages count as opened before too."""
    seen: set = {(r["officer"], r["path"]) for r in seen_before}
    lines = []
    for r in plan:
        key = (r["officer"], r["path"])
        etag = browser.get(key, "") if r["officer"] is not None and key in seen else ""
        seen.add(key)
        who = cookie(officers[r["officer"]]) if r["officer"] is not None else ""
        lines.append(f"{r['path']}\t{who}\t{etag}\n")
    plan_file.write_text("".join(lines))


def revisit_share(plan: list[dict]) -> dict:
    """The share of the officers' requests that open a page the same officer opened earlier in
    the plan: what a browser holds, and asks again with If-None-Match."""

    def share(reqs):
        seen, again, n = set(), 0, 0
        for r in reqs:
            if r["officer"] is None:
                continue
            key = (r["officer"], r["path"])
            n += 1
            again += key in seen
            seen.add(key)
        return again / max(1, n)

    return {"all": round(share(plan), 3), "first_1000": round(share(plan[:1000]), 3)}


WRK_LUA = r"""
local reqs, idx = {}, 0
statuses, hits = {}, 0
function setup(thread)
  thread:set("offset", (thread_n or 0) * 7919)
  thread_n = (thread_n or 0) + 1
  threads = threads or {}
  table.insert(threads, thread)
end
function init(args)
  local f = io.open(args[1])
  for line in f:lines() do
    local path, cookie, etag = line:match("^([^\t]*)\t?([^\t]*)\t?(.*)$")
    local headers = {["Accept-Encoding"] = "gzip"}
    if cookie ~= "" then headers["Cookie"] = cookie end
    if etag ~= "" then headers["If-None-Match"] = etag end
    reqs[#reqs + 1] = wrk.format("GET", path, headers)
  end
  f:close()
  idx = ((offset or 0) + tonumber(args[2] or "0")) % #reqs
end
function request()
  idx = idx % #reqs + 1
  return reqs[idx]
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local c = headers["X-Cache-Status"]
  if c == "HIT" or c == "STALE" or c == "UPDATING" or c == "REVALIDATED" then hits = hits + 1 end
end
function done(summary, latency, requests)
  local counts, h = {}, 0
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("statuses")) do counts[s] = (counts[s] or 0) + n end
    h = h + t:get("hits")
  end
  local parts = {}
  for s, n in pairs(counts) do parts[#parts + 1] = string.format('"%d": %d', s, n) end
  local e = summary.errors
  io.write(string.format(
    'MORNING {"requests": %d, "us": %d, "p50": %d, "p95": %d, "p99": %d, "hits": %d, '
    .. '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}, '
    .. '"statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), h, e.connect, e.read, e.write, e.timeout, e.status,
    table.concat(parts, ", ")))
end
"""


def wrk(args, url: str, seconds: int, lua: Path, plan_file: Path | None) -> dict:
    cmd = [shutil.which("wrk") or "wrk", "-t", str(args.threads), "-c", str(args.connections)]
    cmd += ["-d", f"{seconds}s", "--timeout", "30s", "-s", str(lua), url]
    if plan_file is not None:
        cmd += ["--", str(plan_file), str(args.sat_from)]
    else:
        cmd += ["--", str(RUN_DIR / "bare-plan.txt")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("MORNING ")), None)
    if proc.returncode != 0 or line is None:
        raise BenchError(f"wrk failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    out = json.loads(line[len("MORNING ") :])
    out["req_per_s"] = out["requests"] / (out["us"] / 1e6)
    answered = out["statuses"].get("200", 0) + out["statuses"].get("304", 0)
    out["ok_per_s"] = answered / (out["us"] / 1e6)
    out["not_modified"] = out["statuses"].get("304", 0)
    return out


def saturation(args, stack: Stack, plan_file: Path, lua: Path) -> dict:
    """Interleaved rounds of wrk: the mix, then the bare view, --sat-rounds times."""
    rounds = {"mix": [], "bare": []}
    portal_url = f"https://{HOST}:{HTTPS_PORT}/"
    bare_url = f"https://{HOST}:{BARE_PORT}/"
    for rnd in range(args.sat_rounds):
        order = [("mix", portal_url, plan_file, "portal"), ("bare", bare_url, None, "bare")]
        if rnd % 2:
            order.reverse()
        for name, url, plan, server in order:
            stack.drain()
            if args.warmup:
                wrk(args, url, args.warmup, lua, plan)
            stack.drain()
            c0 = stack.cpu()
            res = wrk(args, url, args.sat_seconds, lua, plan)
            c1 = stack.cpu()
            stack.check_alive()
            n = max(1, res["statuses"].get("200", 0) + res["statuses"].get("304", 0))  # answered
            used = cpu_delta(c0, c1)
            res["cpu_ms_per_request"] = {k: round(v / n * 1000, 2) for k, v in used.items()}
            res["cpu_ms_per_django_request"] = round(
                used[server] / max(1, n - res["hits"]) * 1000, 2
            )
            rounds[name].append(res)
            log(
                f"  saturation round {rnd + 1} {name:4}: {res['ok_per_s']:7.1f} req/s answered "
                f"200 or 304 ({res['req_per_s']:.1f} in all; 304: {res['not_modified']}), "
                f"p50/p95/p99 {res['p50'] / 1000:.0f}/{res['p95'] / 1000:.0f}/"
                f"{res['p99'] / 1000:.0f} ms, statuses {res['statuses']}, "
                f"{server} CPU {res['cpu_ms_per_request'][server]} ms/request"
            )
    return rounds


# --- Main -----------------------------------------------------------------------------------
def add_options(p) -> None:
    p.add_argument("--officers", type=int, default=320, help="distinct officers (>= 300)")
    p.add_argument("--rate", type=float, default=67.0, help="fixed offered load, requests/s")
    p.add_argument("--fixed-seconds", type=int, default=30, help="seconds of the fixed load")
    p.add_argument(
        "--drain", type=float, default=15, help="seconds to wait for the last answers of a phase"
    )
    p.add_argument("--bare-fixed-seconds", type=int, default=15)
    p.add_argument("--sat-seconds", type=int, default=15, help="seconds per saturation round")
    p.add_argument("--sat-rounds", type=int, default=2)
    p.add_argument(
        "--queue",
        type=int,
        default=16,
        help="requests an instance may hold waiting (nginx "
        "max_conns = workers + queue): enough for --connections, so no busy page",
    )
    p.add_argument(
        "--sat-from",
        type=int,
        default=0,
        help="saturation replays the plan from this request on (0: the morning's start, nearly "
        "all first views; later: officers whose browsers hold the pages they opened before, "
        "fetched once before the rounds)",
    )
    p.add_argument("--skip-fixed", action="store_true")
    p.add_argument("--skip-saturation", action="store_true")
    p.add_argument("--seed", type=int, default=2026)


def main(argv: list[str] | None = None) -> int:
    args = run.parse_args(
        argv,
        description="The officers' morning through nginx, TLS and both instances, vs bare.",
        db_name=DB_NAME,
        redis_db=REDIS_DB,
        add_options=add_options,
    )
    if args.connections == 16:  # run.py's default; the mix wants more in flight
        args.connections = 32
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PORTAL_URL", f"https://{HOST}:{HTTPS_PORT}")
    os.environ.setdefault("EMAIL_URL", "console")
    env = run.child_env(args, db_name=DB_NAME, redis_db=REDIS_DB)
    env["REGISTRY_DATA_DIR"] = os.environ.get(
        "REGISTRY_DATA_DIR", str((ROOT.parent / "shared" / "data" / "registry").resolve())
    )
    if not args.no_setup:
        run.setup_national(args, env, DB_NAME)
    if env.get("REDIS_URL"):
        run.flush_bench_redis(env["REDIS_URL"])  # the database the servers use, not db 4
    info = officers_in(args, env)
    officers = info["officers"]
    areas = {
        a: sum(1 for o in officers if o["area"] == a) for a in ("country", "province", "district")
    }
    provinces = {o["province"] for o in officers if o["province"]}
    log(
        f"{len(officers)} officers with their own sessions: {areas} of {len(provinces)} provinces "
        f"({info['laos']} LAOs in the data set)"
    )
    plan = draw(info, 20000, args.seed)
    plan_file = RUN_DIR / "plan.txt"
    browser: dict = {}  # the officers' browser caches: (officer, path) → ETag
    write_plan(plan_file, plan, officers, browser)
    revisits = revisit_share(plan)
    log(
        f"of the officers' requests, {revisits['all']:.1%} open a page the officer opened "
        f"before in the plan (asked with If-None-Match when the page had an ETag); in the first "
        f"1,000: {revisits['first_1000']:.1%}"
    )
    (RUN_DIR / "bare-plan.txt").write_text("/\t\n")
    lua = RUN_DIR / "mix.lua"
    lua.write_text(WRK_LUA)
    shares = {k: round(100 * sum(1 for r in plan if r["kind"] == k) / len(plan), 1) for k, _ in MIX}
    log(f"the mix drawn (20,000 requests, % by kind): {shares}")

    stack = Stack(args, env)

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    record = {
        "started": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
        "config": {
            k: (str(v) if isinstance(v, Path) else v)
            for k, v in vars(args).items()
            if k not in ("target", "goal")
        },
        "commit": run.git_info(args.project),
        "officers": {"total": len(officers), "by_area": areas, "provinces": len(provinces)},
        "mix": dict(MIX),
        "mix_drawn": shares,
        "revisits": revisits,
    }
    try:
        stack.start()
        # Every kind answers 200 with its page for a few officers before anything is timed.
        check = plan[:60]
        results, _ = asyncio.run(
            fixed_load(
                f"https://{HOST}:{HTTPS_PORT}", check, info, 15, len(check) / 15, browser=browser
            )
        )
        bad = [r for r in results if r["status"] not in ANSWERED]
        if bad:
            raise BenchError(
                f"{len(bad)} of {len(results)} first requests not 200: "
                + "; ".join(f"{r['status']} {r['path']}" for r in bad[:8])
                + "\n"
                + stack.portal[0].tail()
            )
        log(f"checked: {len(results)} requests of every kind answered 200 with their page")
        if not args.skip_fixed:
            for name, base, server, seconds in (
                ("mix", f"https://{HOST}:{HTTPS_PORT}", "portal", args.fixed_seconds),
                ("bare", f"https://{HOST}:{BARE_PORT}", "bare", args.bare_fixed_seconds),
            ):
                reqs = (
                    plan[60:] if name == "mix" else [{"kind": "bare", "path": "/", "officer": None}]
                )
                c0 = stack.cpu()
                results, elapsed = asyncio.run(
                    fixed_load(
                        base,
                        reqs,
                        info,
                        args.rate,
                        seconds,
                        args.drain,
                        browser=browser if name == "mix" else None,
                    )
                )
                c1 = stack.cpu()
                stack.check_alive()
                s = summarize_fixed(results, elapsed, cpu_delta(c0, c1), server)
                record[f"fixed_{name}"] = s
                log(
                    f"fixed {args.rate:g} req/s {name:4}: {s['req_per_s']} req/s, "
                    f"p50/p95/p99 {s['p50_ms']:.0f}/{s['p95_ms']:.0f}/{s['p99_ms']:.0f} ms, "
                    f"not 200/304: {s['not_ok'] or 0}, "
                    f"asked with If-None-Match {s['conditional']} ({s['conditional_by_status']}), "
                    f"304 {s['not_modified']}, "
                    f"client lag p95 {s['lag_p95_ms']:.0f} ms, "
                    f"CPU ms/request {s['cpu_ms_per_request']}"
                )
                if name == "mix":
                    for kind, k in s["by_kind"].items():
                        log(
                            f"    {kind:9} n={k['n']:5}  p50/p95/p99 "
                            f"{k['p50_ms']:.0f}/{k['p95_ms']:.0f}/{k['p99_ms']:.0f} ms"
                        )
        if not args.skip_saturation:
            # wrk replays the plan from its start: a page the officer opened earlier in the
            # plan is asked with the ETag the officer's browser got for it (above).
            if args.sat_from:
                # The officers' browsers as they are by then: each page they opened earlier in
                # the morning and open again in the rounds' stretch, fetched once (not timed).
                stretch = plan[args.sat_from : args.sat_from + 1000]
                earlier = {(r["officer"], r["path"]) for r in plan[: args.sat_from]}
                held, first_views = set(), []
                for r in stretch:
                    key = (r["officer"], r["path"])
                    if r["officer"] is not None and key in earlier and key not in held:
                        held.add(key)
                        first_views.append(r)
                if first_views:
                    asyncio.run(
                        fixed_load(
                            f"https://{HOST}:{HTTPS_PORT}",
                            first_views,
                            info,
                            20,
                            len(first_views) / 20,
                            args.drain,
                            browser=browser,
                        )
                    )
                seen, again, n = set(earlier), 0, 0
                for r in stretch:
                    if r["officer"] is not None:
                        n += 1
                        again += (r["officer"], r["path"]) in seen
                        seen.add((r["officer"], r["path"]))
                record["sat_revisits"] = round(again / max(1, n), 3)
                log(
                    f"saturation from request {args.sat_from}: {len(first_views)} pages the "
                    f"officers opened earlier fetched into their browsers; of the officers' "
                    f"next 1,000 requests {again / max(1, n):.1%} are pages opened before"
                )
            write_plan(plan_file, plan, officers, browser, seen_before=plan[: args.sat_from])
            rounds = saturation(args, stack, plan_file, lua)
            mix = statistics.median(r["ok_per_s"] for r in rounds["mix"])
            bare = statistics.median(r["ok_per_s"] for r in rounds["bare"])
            record["saturation"] = rounds
            record["ratio"] = round(mix / bare, 3)
            cpu_mix = statistics.median(r["cpu_ms_per_request"]["portal"] for r in rounds["mix"])
            cpu_bare = statistics.median(r["cpu_ms_per_request"]["bare"] for r in rounds["bare"])
            log(
                f"saturation ({args.connections} connections): mix {mix:.1f} req/s, bare "
                f"{bare:.1f} req/s, ratio {mix / bare:.3f}; gunicorn CPU per request: mix "
                f"{cpu_mix:.2f} ms, bare {cpu_bare:.2f} ms"
            )
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    except BenchError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 2
    finally:
        stack.stop()
    out = BENCH_DIR / "results" / f"morning-{record['started']}.json"
    out.write_text(json.dumps(record, indent=1, default=str))
    log(f"record: {out}")
    goals = []
    if "ratio" in record:
        goals.append(("mix >= 0.25 of bare at saturation", record["ratio"] >= 0.25))
    if "fixed_mix" in record:
        p95 = record["fixed_mix"]["p95_ms"]
        goals.append((f"p95 < 300 ms at {args.rate:g} req/s", p95 is not None and p95 < 300))
        goals.append(("every answer 200", not record["fixed_mix"]["not_ok"]))
    for what, ok in goals:
        log(f"goal {what}: {'met' if ok else 'MISSED'}")
    return 1 if args.check and not all(ok for _, ok in goals) else 0


if __name__ == "__main__":
    sys.exit(main())
