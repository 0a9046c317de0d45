"""`{% once %}`: the header's fixed parts rendered once per process and key (elaas_portal/templatetags/portal.py)."""

import itertools

from django.template import Context, Template
from django.test import Client
from django.utils import translation

from elaas_portal.templatetags.portal import forget

TEMPLATE = Template("{% load portal %}{% once lang %}{{ counter }}{% endonce %}|{{ counter }}")


class Counter:
    def __init__(self):
        self._n = itertools.count(1)

    def __str__(self):
        return str(next(self._n))


def test_a_part_is_rendered_once_per_key_and_what_is_outside_every_time():
    forget()
    counter = Counter()
    assert TEMPLATE.render(Context({"lang": "th", "counter": counter})) == "1|2"
    assert TEMPLATE.render(Context({"lang": "th", "counter": counter})) == "1|3"  # kept
    assert TEMPLATE.render(Context({"lang": "en", "counter": counter})) == "4|5"  # another key


def test_the_header_follows_the_language_and_the_login(db, client: Client, actors):
    from tests.actors import login

    forget()
    thai = client.get("/").content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/").content.decode()
    assert "สถานะ" in thai.split("</nav>")[0] and ">Status<" in english.split("</nav>")[0]
    assert ">Inbox" not in english.split("</nav>")[0]
    login(client, actors["lao_clerk"])
    with translation.override("en"):
        page = client.get("/my/").content.decode()
    header = page.split("</nav>")[0]
    assert ">Inbox" in header and ">Compliance<" not in header  # not an officer
