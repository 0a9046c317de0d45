"""WCAG 2.1 AA with axe-core: every page every role reaches, no critical or serious violation.

Each role logs in through the login page (officers with their TOTP code: the second-factor page
is checked too) on the fuzz suite's scene (tests/fuzz/conftest.py: the reference circulars
published down the chain, requests submitted and in draft, the clock inside the window), then
walks the portal as a browser would: from the home page and every URL pattern that takes no
parameter, following every link on every page it opens, one page per URL pattern and set of
query names (the 104 LAOs' pages are one page). Downloads, the admin, the APIs, language
switches and logging out are not pages to check; the 404 page is. axe-core (npm,
tests/browser/axe.py) runs on each, at a desktop size in Thai (and for three roles on a phone
in English); what it finds is recorded per role in var/axe/ (`python -m tests.browser.axe`
prints the table) and the critical and serious findings fail the test.
"""

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from tests.browser import axe
from tests.browser.login import log_in
from tests.fuzz.conftest import scene  # noqa: F401 - the fixture
from tests.fuzz.pages import all_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = {  # role in the report -> actor (tests/actors.py), None for an anonymous visitor
    "anonymous": None,
    "lao_clerk": "lao_clerk",
    "finance_director": "other_lao_clerk",
    "unit_staff": "unit_clerk",
    "district_officer": "district_officer",
    "province_officer": "province_officer",
    "dla_officer": "dla_officer",
}
OFFICERS = {"district_officer", "province_officer", "dla_officer"}
NOT_PAGES = re.compile(
    r"^/(i18n|lang|admin|api|static|media|healthz|readyz)/|^/api/|logout|/evidence/"
    r"|[?&](fmt|download)=|\.(csv|xlsx|pdf|json)$|/export"
)
PHONE = {"width": 390, "height": 844}
MAX_PAGES = 120  # per role; reaching it with pages left fails the test
NOT_FOUND = "/no-such-page/"  # the 404 page, as each role meets it


def page_key(url: str):
    """One check per URL pattern and set of query names; None for what is not a page."""
    parts = urlsplit(url)
    if parts.path == NOT_FOUND:
        return ("404", ())
    if NOT_PAGES.search(parts.path + ("?" + parts.query if parts.query else "")):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    names = tuple(sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)}))
    return (match.route, names)


def seeds() -> list[str]:
    return ["/"] + [
        page.template
        for page in all_pages()
        if not page.slots and page.template != "/" and page_key(page.template) is not None
    ]


def crawl(page, base) -> dict[str, list[dict]]:
    checked: dict[str, list[dict]] = {}
    seen, queue = set(), [base + path for path in [*seeds(), NOT_FOUND]]
    while queue and len(checked) < MAX_PAGES:
        url = queue.pop(0)
        key = page_key(url)
        if key is None or key in seen:
            continue
        seen.add(key)
        # Its answer is known when the navigation commits: a page that is not checked (a refusal,
        # a redirect to a page checked already, not HTML) is left then, and only a page to check
        # is waited for until it has loaded, styles, fonts and frames, as `goto` waits by default.
        response = page.goto(url, wait_until="commit")
        final = page.url
        final_key = page_key(final)
        if final != url and final_key in seen:  # redirected to a page already checked
            continue
        if final_key is not None:
            seen.add(final_key)
        expected = 404 if url == base + NOT_FOUND else 200
        if response is None or response.status != expected:
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        page.wait_for_load_state("load")
        checked[final.removeprefix(base)] = axe.check(page)
        for href in page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)"):
            absolute = urljoin(final, href).split("#")[0]
            if absolute.startswith(base + "/") and page_key(absolute) not in seen:
                queue.append(absolute)
    left = {page_key(u) for u in queue} - seen - {None}
    assert not left, f"MAX_PAGES reached with {len(left)} pages not checked: raise it"
    return checked


# Every role in Thai on a desktop; a phone in English for two of them (the layout and the
# language change what is drawn: stacked tables, the other `lang`).
VIEWS = {"desktop": ("th-TH", {"width": 1366, "height": 900}), "phone-en": ("en-US", PHONE)}
CASES = [(role, "desktop") for role in ROLES] + [
    ("anonymous", "phone-en"),
    ("lao_clerk", "phone-en"),
    ("province_officer", "phone-en"),
]


@pytest.mark.parametrize("role, view", CASES)
def test_no_serious_axe_violation_on_any_page_of_the_role(role, view, scene, live_server, browser):  # noqa: F811
    axe.axe_path()
    locale, viewport = VIEWS[view]
    context = browser.new_context(locale=locale, viewport=viewport)
    axe.add_to(context)
    page = context.new_page()
    try:
        base = live_server.url
        checked = {}
        if view == "phone-en":  # the language switch, as a person would use it
            page.goto(f"{base}/lang/en/?next=/")
        actor = ROLES[role]
        if actor is not None:

            def code_page(page):
                checked["/accounts/2fa/authenticate/"] = axe.check(page)

            email = scene["actors"][actor].email
            log_in(page, base, email, totp=role in OFFICERS, on_code_page=code_page)
            assert "/accounts/login/" not in page.url, f"{email} could not log in"
        checked |= crawl(page, base)
        if view == "phone-en":
            assert page.evaluate("document.documentElement.lang") == "en"
    finally:
        context.close()
    name = role if view == "desktop" else f"{role}@{view}"
    axe.record(name, checked)
    assert len(checked) >= 5, sorted(checked)
    problems = axe.describe(checked)
    assert not problems, f"{name}: critical or serious axe violations\n{problems}"
