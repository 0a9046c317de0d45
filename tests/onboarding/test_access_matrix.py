import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from onboarding import services
from tests.actors import login, ACTOR_NAMES
import datetime as dt

def valid_id(first12="110170020345"):
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)

def test_explore(client, actors, places, portal_clock, circulars):
    portal_clock("2025-04-10T09:00:00+07:00")
    nid = valid_id()
    data = services.RequestData(full_name="สมศรี ใจดี", national_id=nid, position="permanent_secretary",
        appointment_order_number="123/2567", appointment_date=dt.date(2024,10,1), consent=True)
    vr = services.create_request(requester=actors["lao_clerk"], organization=places.lao, data=data,
        files=[SimpleUploadedFile("order.pdf", b"%PDF-1.4 test", content_type="application/pdf")], submit=True)
    ev = vr.evidence.get()
    urls = {
        "my": reverse("onboarding:my"),
        "request_new": reverse("onboarding:request_new", args=[places.lao.pk]),
        "request": reverse("onboarding:request", args=[vr.pk]),
        "request_edit": reverse("onboarding:request_edit", args=[vr.pk]),
        "request_submit": reverse("onboarding:request_submit", args=[vr.pk]),
        "request_withdraw": reverse("onboarding:request_withdraw", args=[vr.pk]),
        "evidence": reverse("onboarding:evidence", args=[vr.pk, ev.pk]),
        "review_queue": reverse("onboarding:review_queue"),
        "review": reverse("onboarding:review", args=[vr.pk]),
    }
    from django.test import Client
    for name, url in urls.items():
        row = []
        for actor in ("anonymous",) + ACTOR_NAMES:
            c = Client()
            if actor != "anonymous":
                login(c, actors[actor])
            method = c.post if name in ("request_submit", "request_withdraw") else c.get
            r = method(url)
            row.append(f"{actor}={r.status_code}")
        print(name, " ".join(row))
    c = login(Client(), actors["lao_clerk"])
    open("/tmp/explore/detail.html","w").write(c.get(urls["request"]).content.decode())
    r = c.get(urls["evidence"])
    print(dict(r.headers))
    portal_clock("2025-04-04T23:59:59+07:00")
    c2 = login(Client(), actors["other_lao_clerk"])
    open("/tmp/explore/closed1.html","w").write(c2.get(reverse("onboarding:request_new", args=[places.other_lao.pk])).content.decode())
    portal_clock("2025-04-22T00:00:00+07:00")
    open("/tmp/explore/closed2.html","w").write(c2.get(reverse("onboarding:request_new", args=[places.other_lao.pk])).content.decode())
    assert 0
