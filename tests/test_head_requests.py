"""HEAD works wherever GET does: every URL pattern of the portal (its own, allauth's, the admin's),
tried with GET and HEAD by an anonymous visitor, LAO staff, a DLA officer and a site
administrator, gives the same status. Before, every `require_GET` view answered HEAD with 405.
"""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import URLResolver, get_resolver, reverse

from demo.demo_accounts import DEMO_TOTP_SECRET
from notifications.models import Notification
from tests.actors import login, make_user
from tests.onboarding.test_access_matrix import IN_THE_WINDOW, file_request

# Sample values for the patterns' parameters; a pk names a real object where one is at hand.
SAMPLES = {
    "code": "4801",
    "dla_code": "6480199",
    "table": "late",
    "fmt": "csv",
    "token": "no-such-invitation",
    "key": "no-such-key",
    "uidb36": "1",
    "app_label": "accounts",
    "content_type_id": "1",
    "object_id": "1",
    "id": "1",
    "provider_id": "thaid",
    "number": "1",  # a page of a circular intake (main: circulars:intake_page)
    "lang": "th",  # the compliance tables' labels stylesheet
    "version": "1",
}
BY_NAME = {
    "compliance:province": {"code": "48"},
    "switch-language": {"code": "th"},
}


def walk(patterns, prefix="", namespace=None):
    """(route, pattern name with its namespace or None, kwarg names, the number of positional
    arguments) of every URL pattern."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace])) or None
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        else:
            name = ":".join(filter(None, [namespace, p.name])) if p.name else None
            regex = p.pattern.regex
            yield (
                prefix + str(p.pattern),
                name,
                list(regex.groupindex),
                regex.groups - len(regex.groupindex),
            )


def url_for(name, kwarg_names, positional, objects) -> str:
    if positional:  # simple_history's admin pages: /<object id>/history/<history id>/
        return reverse(name, args=["1"] * positional)
    kwargs = {}
    for kwarg in kwarg_names:
        if kwarg == "pk":
            app = name.split(":")[0]
            kwargs[kwarg] = objects.get(name, objects.get(app, 1))
        elif kwarg in objects:
            kwargs[kwarg] = objects[kwarg]
        else:
            kwargs[kwarg] = BY_NAME.get(name, {}).get(kwarg, SAMPLES[kwarg])
    return reverse(name, kwargs=kwargs)


@pytest.fixture
def every_url(actors, places, portal_clock, circulars):
    portal_clock(IN_THE_WINDOW)
    vr = file_request(actors["lao_clerk"], places.lao)
    note = Notification.objects.create(
        recipient=actors["lao_clerk"],
        kind="lao_reminder",
        subject_key="head-test",
        period="2025-04-18",
        title_th="ทดสอบ",
        title_en="Test",
        body_text="x",
        body_html="<p>x</p>",
        created_at=vr.created_at,
        next_attempt_at=vr.created_at,
    )
    objects = {
        "circulars": circulars["dla"].pk,
        "onboarding:organization": places.lao.pk,
        "onboarding": vr.pk,
        "notifications": note.pk,
        "org_pk": places.lao.pk,
        "evidence_pk": vr.evidence.get().pk,
    }
    urls = []
    for route, name, kwarg_names, positional in walk(get_resolver().url_patterns):
        if name is None and route.startswith("accounts/social/"):  # allauth's old addresses
            urls.append("/" + route)
        elif name is None:  # the admin's catch-all
            assert route.startswith("admin/"), route
            urls.append("/admin/no-such-page/")
        else:
            urls.append(url_for(name, kwarg_names, positional, objects))
    assert len(urls) > 100
    return urls


def site_admin():
    user = make_user("site-admin@test.example", kind="site_admin")
    user.is_staff = user.is_superuser = True
    user.save()
    TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


@pytest.mark.parametrize("actor", ["anonymous", "lao_clerk", "dla_officer", "site_admin"])
def test_head_gets_the_status_get_gets_on_every_url(client, actors, every_url, actor):
    if actor == "site_admin":
        login(client, site_admin())
    elif actor != "anonymous":
        login(client, actors[actor])
    client.raise_request_exception = False
    different = []
    for url in every_url:
        head = client.head(url).status_code
        get = client.get(url).status_code
        if head != get:
            different.append(f"{url}: GET {get}, HEAD {head}")
    assert different == []


def test_a_get_view_that_answered_head_with_405_now_answers_200(client, db):
    assert client.head("/").status_code == 200
    assert client.head("/registry/").status_code == 200
    assert client.head("/healthz/").status_code == 200
