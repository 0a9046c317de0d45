"""From a fresh clone to an officer with TOTP reviewing a request, over https (issue 22).

    .venv/bin/python bench/first_run.py [--keep] [--reuse]

(--reuse: the clone and its .venv of the last run, for a second look; --keep: leave it running)

Every step is the command or the page a new operator and a new officer use, timed:
`git clone`, `make install`, `createdb`, `scripts/prod.sh start` (check --deploy, migrate, the
first run: national registry, circulars, first DLA officer), then over https through nginx: the
officer's one-time link from the real mail (a local SMTP server, aiosmtpd: EMAIL_URL=smtp://),
the password, the authenticator (TOTP), an LAO clerk invited by that officer who files a
request, and the officer's approval; then `scripts/prod.sh stop`. A DLA letter that opens
verification today is loaded first (the reference letters' window closed in April 2568).

Needs nginx, openssl, envsubst, curl, PostgreSQL and Redis on 127.0.0.1 (DATABASE_URL's server,
database elaas_prod_firstrun_bench, dropped at the end; REDIS_URL, default db 3). Prints one line
per step and a JSON summary.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import socket
import struct
import subprocess
import sys
import time
from email import message_from_bytes
from email.policy import default as email_policy
from pathlib import Path
from urllib.parse import urlparse

import requests
import urllib3

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-first-run"
PASSWORD = "ตั้งรหัสผ่านใหม่-2569-ยาว"  # noqa: S105 - a bench password
CLERK_PASSWORD = "clerk-password-2569-long"  # noqa: S105
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
timings: dict[str, float] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def step(name: str, fn):
    started = time.monotonic()
    result = fn()
    timings[name] = round(time.monotonic() - started, 2)
    print(f"{timings[name]:8.2f} s  {name}", flush=True)
    return result


def run(args, cwd, env=None, timeout=900):
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}")
    return done


def totp(secret: str, at: float) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class Mailbox:
    """Messages a local SMTP server (aiosmtpd) accepted: the portal's real mail."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages = []
        mailbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                mailbox.messages.append(message_from_bytes(envelope.content, policy=email_policy))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def link_to(self, address: str, pattern: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if address in message["To"]:
                    body = message.get_body(("plain",)).get_content()
                    found = re.search(pattern, body)
                    if found:
                        return found.group(0)
            time.sleep(0.2)
        raise SystemExit(f"no mail to {address} with {pattern} within {timeout} s")


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.session = requests.Session()
        self.session.verify = False  # the stack's certificate is self-signed
        self.session.trust_env = False  # else REQUESTS_CA_BUNDLE would turn verification on
        self.session.headers["Accept-Language"] = "th"

    def get(self, path, **kw):
        return self.session.get(self.base + path, allow_redirects=False, timeout=60, **kw)

    def post(self, path, data, files=None, page=None):
        """Send the form of `path` (GET it first, unless `page` is that GET's answer already:
        allauth's TOTP page makes a new secret at each GET)."""
        page = page or self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return self.session.post(
            self.base + path,
            data={"csrfmiddlewaretoken": token, **data},
            files=files,
            headers={"Referer": self.base + path},
            allow_redirects=False,
            timeout=60,
        )


def errors(page) -> str:
    """The form's error messages on a page, or its beginning."""
    found = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', page.text, re.S)
    return " | ".join(re.sub(r"<[^>]+>", " ", f).strip() for f in found) or page.text[:2000]


def main(keep: bool, reuse: bool) -> dict:
    clone = WORK / "clone"
    reuse = reuse and (clone / ".venv" / ".installed-stamp").exists()
    if not reuse:
        shutil.rmtree(WORK, ignore_errors=True)
        WORK.mkdir(parents=True)
    else:
        shutil.rmtree(WORK / "prod", ignore_errors=True)
    base_db = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    db_name = "elaas_prod_firstrun_bench"
    database_url = urlparse(base_db)._replace(path=f"/{db_name}").geturl()
    admin_url = urlparse(base_db)._replace(path="/postgres").geturl()
    https_port, web_ports = free_port(), [free_port(), free_port()]
    base = f"https://127.0.0.1:{https_port}"
    mail = Mailbox()
    from cryptography.fernet import Fernet

    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PROD_", "EMAIL_", "DJANGO_"))
    } | {
        "PATH": f"/usr/sbin:{os.environ['PATH']}",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "NATIONAL_ID_HASH_KEY": secrets.token_urlsafe(32),
        "MFA_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"),
        "EMAIL_URL": f"smtp://127.0.0.1:{mail.port}",
        "REGISTRY_DATA_DIR": str((ROOT / ".." / "shared" / "data" / "registry").resolve()),
        "FIRST_OFFICER_EMAIL": "somchai@dla.go.th",
        "FIRST_OFFICER_NAME": "สมชาย ใจดี",
        "FIRST_OFFICER_ROLE": "dla_officer",
        "PROD_DIR": str(WORK / "prod"),
        "PROD_HTTPS_PORT": str(https_port),
        "PROD_WEB_PORTS": " ".join(map(str, web_ports)),
        "PRIVATE_MEDIA_ROOT": str(WORK / "private"),
        "CELERY_CONCURRENCY": "1",
    }
    if not reuse:
        step("git clone (this branch)", lambda: run(["git", "clone", "-q", str(ROOT), clone], WORK))
        step("make install", lambda: run(["make", "install"], clone))
    psql = [
        sys.executable,
        "-c",
        "import psycopg2,sys; c=psycopg2.connect(sys.argv[1]); "
        "c.autocommit=True; c.cursor().execute(sys.argv[2])",
    ]
    step(
        "createdb",
        lambda: (
            run([*psql, admin_url, f'DROP DATABASE IF EXISTS "{db_name}"'], WORK),
            run([*psql, admin_url, f'CREATE DATABASE "{db_name}"'], WORK),
        ),
    )
    started = step(
        "scripts/prod.sh start (check, migrate, first run, 2 web, worker, beat, nginx)",
        lambda: run(["bash", "scripts/prod.sh", "start"], clone, env),
    )
    print(started.stdout)
    try:
        again = step(
            "first run again (scripts/first-run.sh: changes nothing)",
            lambda: run(
                ["sh", "scripts/first-run.sh"],
                clone,
                env
                | {
                    "PYTHON": str(clone / ".venv/bin/python"),
                    "ELAAS_ENV": "production",
                    "DJANGO_SETTINGS_MODULE": "elaas_portal.settings.production",
                    "PORTAL_URL": base,
                },
            ),
        )
        assert "No changes" in again.stdout and "nothing changed" in again.stdout, again.stdout
        opening = WORK / "opening.json"
        sys.path.insert(0, str(ROOT))
        from tests.prodstack import _opening_letter

        _opening_letter(opening)
        step(
            "load_circulars opening.json (a DLA letter opening verification today)",
            lambda: run(
                [".venv/bin/python", "manage.py", "load_circulars", str(opening)],
                clone,
                env
                | {
                    "ELAAS_ENV": "production",
                    "DJANGO_SETTINGS_MODULE": "elaas_portal.settings.production",
                    "PORTAL_URL": base,
                },
            ),
        )

        officer = Browser(base)
        link = step(
            "the officer's invitation mail arrives (outbox → worker → SMTP)",
            lambda: mail.link_to("somchai@dla.go.th", r"https://\S+/officers/welcome/\S+/"),
        )
        assert link.startswith(base + "/"), link
        path = link.removeprefix(base)
        welcome = step(
            "officer: set the password at the one-time link",
            lambda: officer.post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD}),
        )
        assert welcome.status_code == 302 and "/2fa/totp/activate/" in welcome.headers["Location"]

        def enrol():
            page = officer.get(welcome.headers["Location"])
            secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page.text)
            secret = secret or re.search(r'value="([A-Z2-7]{16,})"', page.text)
            secret = secret.group(1)
            done = officer.post(
                welcome.headers["Location"], {"code": totp(secret, time.time())}, page=page
            )
            assert done.status_code == 302, errors(done)
            return secret, done

        secret, enrolled = step("officer: set up the authenticator (TOTP)", enrol)

        def reach_review():
            location = enrolled.headers["Location"]
            for _ in range(6):
                if "/2fa/reauthenticate/" in location or "/reauthenticate/" in location:
                    used = totp(secret, time.time())
                    while totp(secret, time.time()) == used:  # each code is accepted once
                        time.sleep(0.5)
                    answer = officer.post(
                        location.removeprefix(base), {"code": totp(secret, time.time())}
                    )
                    location = answer.headers.get("Location", "")
                    continue
                page = officer.get("/review/")
                if page.status_code == 200:
                    return page
                location = page.headers.get("Location", "")
            raise SystemExit(f"officer did not reach /review/ (last: {location})")

        step("officer: confirm the code and open /review/", reach_review)

        def invite_clerk():
            org = run(
                [
                    ".venv/bin/python",
                    "manage.py",
                    "shell",
                    "-c",
                    "from registry.models import Organization as O; "
                    "print(O.objects.laos().order_by('dla_code').first().dla_code)",
                ],
                clone,
                env
                | {
                    "ELAAS_ENV": "production",
                    "DJANGO_SETTINGS_MODULE": "elaas_portal.settings.production",
                    "PORTAL_URL": base,
                },
            ).stdout
            org = re.findall(r"^\d{7}$", org, re.M)[-1]
            sent = officer.post(
                "/accounts/invite/",
                {
                    "email": "clerk@lao.go.th",
                    "organization_code": org,
                    "position": "permanent_secretary",
                },
            )
            assert sent.status_code == 302, errors(sent)
            return org

        org_code = step("officer: invite an LAO's permanent secretary", invite_clerk)
        clerk = Browser(base)

        def clerk_signs_up_and_files():
            invite = mail.link_to("clerk@lao.go.th", r"https://\S+/accounts/invitation/\S+/")
            follow = clerk.get(invite.removeprefix(base))
            signup = follow.headers["Location"]
            org_id = re.search(r"org=(\d+)", signup).group(1)
            made = clerk.post(
                signup,
                {
                    "email": "clerk@lao.go.th",
                    "password1": CLERK_PASSWORD,
                    "password2": CLERK_PASSWORD,
                    "full_name": "สมศรี ใจดี",
                    "phone": "042511000",
                    "organization": org_id,
                    "position": "permanent_secretary",
                },
            )
            assert made.status_code == 302, errors(made)
            my = clerk.get("/my/").text
            new = re.search(r'href="(/my/org/\d+/request/)"', my).group(1)
            from core.national_id import with_check_digit

            filed = clerk.post(
                new,
                {
                    "full_name": "สมศรี ใจดี",
                    "national_id": with_check_digit("110170012345"),
                    "position": "permanent_secretary",
                    "appointment_order_number": "นพ 73501/100",
                    "appointment_date": "1/10/2567",
                    "consent": "on",
                    "submit": "1",
                },
                files={"evidence": ("คำสั่งแต่งตั้ง.pdf", PDF, "application/pdf")},
            )
            assert filed.status_code == 302, errors(filed)
            return int(re.search(r"/verification/(\d+)/", filed.headers["Location"]).group(1))

        vr = step(
            "clerk: invitation mail, sign up, file and submit a request", clerk_signs_up_and_files
        )

        def approve():
            page = officer.get(f"/review/{vr}/")
            assert page.status_code == 200, page.status_code
            version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
            done = officer.post(
                f"/review/{vr}/", {"decision": "approve", "reason": "", "version": version}
            )
            assert done.status_code == 302, errors(done)

        step("officer: review the request and approve it", approve)
        decision = step(
            "the decision mail reaches the clerk, its link on PORTAL_URL",
            lambda: mail.link_to("clerk@lao.go.th", rf"{re.escape(base)}/verification/\d+/"),
        )
        assert clerk.get(decision.removeprefix(base)).status_code == 200
        ready = requests.get(base + "/readyz/", verify=False, timeout=10).json()
        print("readyz:", json.dumps(ready))
    finally:
        if not keep:
            step(
                "scripts/prod.sh stop", lambda: run(["bash", "scripts/prod.sh", "stop"], clone, env)
            )
            run([*psql, admin_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'], WORK)
        mail.controller.stop()
    return {"timings_s": timings, "org": org_code, "request": vr, "readyz": ready}


if __name__ == "__main__":
    print(
        json.dumps(
            main(keep="--keep" in sys.argv, reuse="--reuse" in sys.argv),
            ensure_ascii=False,
            indent=1,
        )
    )
