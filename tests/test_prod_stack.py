"""`make prod` as deployed: TLS, static files, a stateless web tier, overload answered.

Against the stack of tests/prodstack.py (nginx in front of two gunicorn instances, PostgreSQL,
Redis). The stateless tests speak to each gunicorn instance directly, as nginx does (the Host
and X-Forwarded-Proto it sends), so that which instance answers is the test's choice.
"""

import os
import re
import subprocess
import time
from pathlib import Path

import pytest
import requests

from accounts.positions import Position
from core.national_id import with_check_digit
from tests.prodstack import DEMO_PASSWORD, prod_sh

# The stack's certificate is self-signed.
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"%" * 1024 * 1024
BUSY = "ระบบมีผู้ใช้งานจำนวนมาก กรุณาลองใหม่ใน 10 วินาที"


class Visitor:
    """One person's browser, sent to a gunicorn instance of the caller's choice."""

    def __init__(self, stack):
        self.stack = stack
        self.cookies: dict[str, str] = {}

    def request(self, instance: int, method: str, path: str, **kwargs):
        origin = f"https://{self.stack.host}"
        headers = {
            "Host": self.stack.host,
            "X-Forwarded-Proto": "https",
            "Origin": origin,
            "Referer": origin + path,
            "Accept-Language": "th",
        }
        response = requests.request(
            method,
            self.stack.web_urls[instance] + path,
            headers=headers,
            cookies=dict(self.cookies),
            allow_redirects=False,
            timeout=60,
            **kwargs,
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def form_token(self, instance: int, path: str) -> str:
        page = self.request(instance, "GET", path)
        assert page.status_code == 200, (path, page.status_code)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    def log_in(self, instance: int, email: str, password: str = DEMO_PASSWORD):
        token = self.form_token(instance, "/accounts/login/")
        return self.request(
            instance,
            "POST",
            "/accounts/login/",
            data={"csrfmiddlewaretoken": token, "login": email, "password": password},
        )


def test_a_login_on_one_instance_holds_on_the_other(prod_stack):
    clerk = Visitor(prod_stack)
    response = clerk.log_in(0, "lao-clerk@demo.test")
    assert response.status_code == 302 and response.headers["Location"] == "/my/"
    page = clerk.request(1, "GET", "/my/")
    assert page.status_code == 200
    assert "lao-clerk@demo.test" in page.text or "request/" in page.text
    assert clerk.request(1, "GET", "/my/").status_code == 200
    stranger = Visitor(prod_stack)
    assert stranger.request(1, "GET", "/my/").status_code == 302  # to the login page


def test_failed_logins_count_across_both_instances(prod_stack):
    """Five wrong passwords, three through one instance and two through the other, lock the
    account (5 in 5 minutes): counted per instance, neither would have reached five."""
    email = "district-officer@demo.test"  # an account no other test of the stack logs in
    for instance in (0, 1, 0, 1, 0):
        wrong = Visitor(prod_stack).log_in(instance, email, "not-the-password")
        assert wrong.status_code == 200  # the form again, with its message
    locked = Visitor(prod_stack).log_in(1, email)
    assert locked.status_code != 302, "the right password let in after five failures"
    other = Visitor(prod_stack).log_in(1, "unit-clerk@demo.test")
    assert other.status_code == 302  # another account of the same address is not locked


def test_evidence_uploaded_through_one_instance_is_served_by_the_other(prod_stack):
    clerk = Visitor(prod_stack)
    assert clerk.log_in(0, "lao-clerk@demo.test").status_code == 302
    my = clerk.request(0, "GET", "/my/").text
    new_request = re.search(r'href="(/my/org/\d+/request/)"', my).group(1)
    token = clerk.form_token(0, new_request)
    filed = clerk.request(
        0,
        "POST",
        new_request,
        data={
            "csrfmiddlewaretoken": token,
            "full_name": "สมศรี ใจดี",
            "national_id": with_check_digit("110170012345"),
            "position": Position.PERMANENT_SECRETARY,
            "appointment_order_number": "นพ 73501/100",
            "appointment_date": "1/10/2567",
            "consent": "on",
            "save": "1",
        },
        files={"evidence": ("คำสั่งแต่งตั้ง.pdf", PDF, "application/pdf")},
    )
    assert filed.status_code == 302, filed.text[:2000]
    detail = clerk.request(1, "GET", filed.headers["Location"])
    assert detail.status_code == 200
    evidence = re.search(r'href="(/verification/\d+/evidence/\d+/)"', detail.text).group(1)
    served = clerk.request(1, "GET", evidence)
    assert served.status_code == 200 and served.content == PDF
    assert served.headers["Content-Security-Policy"] == "sandbox"
    assert "no-store" in served.headers["Cache-Control"]
    assert Visitor(prod_stack).request(0, "GET", evidence).status_code in (302, 403, 404)


def test_tls_headers_and_static_files_through_nginx(prod_stack):
    page = requests.get(prod_stack.base_url + "/", verify=False, timeout=30)
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', page.text).group(1)
    css = requests.get(
        prod_stack.base_url + stylesheet, headers={"Accept-Encoding": "gzip"}, verify=False
    )
    assert css.status_code == 200 and css.headers["Content-Type"] == "text/css"
    assert css.headers["Content-Encoding"] == "gzip"
    assert "immutable" in css.headers["Cache-Control"]
    assert "body" in css.text
    # Plain http reaching an instance is sent to https; liveness is answered over http.
    plain = requests.get(prod_stack.web_urls[0] + "/circulars/", allow_redirects=False)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
    assert requests.get(prod_stack.web_urls[1] + "/healthz/").status_code == 200
    # http:// typed to nginx's TLS port: sent to https, not nginx's "plain HTTP" error.
    typed = requests.get(
        prod_stack.base_url.replace("https://", "http://") + "/circulars/", allow_redirects=False
    )
    assert typed.status_code == 301
    assert typed.headers["Location"] == prod_stack.base_url + "/circulars/"


def _django_lines(stack, path: str) -> int:
    return sum(
        log.read_text(errors="replace").count(f'"GET {path} ')
        for log in (stack.logs / "web1.log", stack.logs / "web2.log")
    )


# What curl writes of each transfer, tab-separated (curl reads the escapes itself).
WRITE_OUT = "\\t".join(
    ["%{filename_effective}", "%{url_effective}", "%{http_code}", "%{time_total}"]
    + ["%header{retry-after}\\n"]
)


def flood(urls: list[str], folder: Path) -> list[dict]:
    """Every URL at once, each on its own connection (curl, so that the client is not what
    queues): status, seconds, Retry-After and body of each; a timeout (20 s) is status 0."""
    args = []
    for n, url in enumerate(urls):
        args += ["-o", f"{n}.html", url]
    result = subprocess.run(
        ["curl", "-sk", "--http1.1", "--parallel", "--parallel-immediate"]
        + ["--parallel-max", str(len(urls)), "--max-time", "20", "--output-dir", str(folder)]
        + ["-w", WRITE_OUT, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    answers = []
    for line in result.stdout.splitlines():
        filename, url, code, seconds, retry_after = line.split("\t")
        body = Path(filename).read_text(errors="replace") if Path(filename).exists() else ""
        answers.append(
            {"url": url, "status": int(code), "seconds": float(seconds), "retry_after": retry_after}
            | {"body": body}
        )
    assert len(answers) == len(urls), result.stderr
    return answers


def test_overload_is_answered_with_the_busy_page_and_the_status_page_stays(prod_stack, tmp_path):
    """Far more requests at once than the two instances take (2 workers + 1 waiting each):
    the rest get nginx's 503 at once, with Retry-After and the Thai page, never a timeout;
    none of them reached Django; the status page is served throughout."""
    status_url, page_url = prod_stack.base_url + "/", prod_stack.base_url + "/circulars/"
    assert requests.get(status_url, verify=False).status_code == 200  # now in nginx's cache
    before = _django_lines(prod_stack, "/circulars/")
    urls = [page_url] * 150
    urls[::15] = [status_url] * 10  # the status page asked in the middle of it
    answers = flood(urls, tmp_path)
    pages = [a for a in answers if a["url"] == page_url]
    codes = [a["status"] for a in pages]
    assert set(codes) <= {200, 503}, codes  # no timeout (0), no 502 or 504
    busy = [a for a in pages if a["status"] == 503]
    assert len(busy) >= 20 and codes.count(200) >= 1, codes
    for answer in busy:
        assert answer["retry_after"] == "10"
        assert BUSY in answer["body"] and "<html" in answer["body"]
    assert max(a["seconds"] for a in answers) < 20
    assert [a["status"] for a in answers if a["url"] == status_url] == [200] * 10
    time.sleep(1)  # gunicorn writes its access line once the response is sent
    assert _django_lines(prod_stack, "/circulars/") - before == codes.count(200)


@pytest.mark.parametrize(
    "missing", ["MFA_ENCRYPTION_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"]
)
def test_prod_stops_on_a_missing_variable_naming_it(missing, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != missing} | {
        "SECRET_KEY": "x" * 60,
        "NATIONAL_ID_HASH_KEY": "k",
        "MFA_ENCRYPTION_KEY": "dGVzdC1vbmx5LW1mYS1rZXktMzItYnl0ZXMtbG9uZyE=",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_URL": "console",
        "PROD_DIR": str(tmp_path),
    }
    for name in ("EMAIL_HOST", "EMAIL_BACKEND"):
        env.pop(name, None)
    env.pop(missing)
    result = prod_sh("start", env, timeout=60)
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr
    assert not list(Path(tmp_path).glob("run/*.pid"))  # nothing started
