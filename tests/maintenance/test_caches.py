"""The access policy's caches (maintenance/caches.py): a change of what each depends on is seen
at once, or within the bound it declares."""

import datetime as dt

import pytest

from maintenance import caches, snapshot
from maintenance.models import AccessRule

MAY_FIRST = {"date": "1/5/2568"}


def a_rule(circular, clause="ข้อ ๙ (ทดสอบ)") -> AccessRule:
    """A rule opening the system to LAOs from 1 May 2568, written straight to the table (as the
    admin or a shell would), not through the loaders' services."""
    return AccessRule.objects.create(
        circular=circular,
        entity_type="lao",
        action="use_system",
        effect="allow",
        starts_at=dt.datetime(2025, 4, 30, 17, 0, tzinfo=dt.UTC),
        clause=clause,
        reason_th="ทดสอบเปิดระบบ",
        reason_en="test reopening",
    )


@pytest.fixture
def kept_snapshot(settings):
    """The rules snapshot kept as in production (the tests' autouse fixture keeps none)."""
    settings.POLICY_RULES_CACHE_SECONDS = 60
    snapshot.forget()
    yield
    snapshot.forget()


def test_cache_policy_snapshot_sees_a_rule_written_anywhere_at_once(circulars, kept_snapshot):
    before = snapshot.current_policy()
    assert snapshot.kept_policy() is before  # kept: the next decision reads no rule
    rule = a_rule(circulars["dla"])
    assert snapshot.kept_policy() is None  # dropped by the save, not by a service's convention
    assert rule.id in {r.id for r in snapshot.current_policy().rules}
    snapshot.current_policy()
    rule.delete()
    assert rule.id not in {r.id for r in snapshot.current_policy().rules}
    snapshot.current_policy()
    circulars["dla"].save()  # a letter's number, dates or place are in the snapshot too
    assert snapshot.kept_policy() is None


def test_cache_policy_snapshot_sees_a_bulk_update_within_its_bound(
    circulars, kept_snapshot, monkeypatch
):
    """`QuerySet.update` sends no signal: the other processes' bound is then this one's too."""
    import time

    now = [time.monotonic()]
    monkeypatch.setattr(snapshot.time, "monotonic", lambda: now[0])
    before = snapshot.current_policy()
    AccessRule.objects.update(reason_th="แก้ทั้งตาราง")
    assert snapshot.current_policy() is before
    now[0] += caches.POLICY_SNAPSHOT.bound_seconds
    after = snapshot.current_policy()
    assert after is not before
    assert {r.reason_th for r in after.rules} == {"แก้ทั้งตาราง"}


def test_cache_status_body_sees_a_new_rule_at_once(client, circulars, kept_snapshot):
    from django.core.cache import caches as django_caches

    client.get("/", MAY_FIRST)
    cache = django_caches[caches.STATUS_BODY.alias]
    assert any(
        cache.get(k, version=caches.STATUS_BODY.version) is not None
        for k in (
            caches.STATUS_BODY.key(
                rules=snapshot.current_policy().fingerprint, lang="th", day=day, today=0
            )
            for day in ("2025-05-01",)
        )
    ), "the body is kept under its declared key and version"
    a_rule(circulars["dla"])
    assert "ข้อ ๙ (ทดสอบ)" in client.get("/", MAY_FIRST).content.decode()


def test_cache_status_body_ends_at_the_next_boundary_and_within_its_bound(
    client, circulars, portal_clock
):
    from maintenance.views import status_body

    at = portal_clock("2025-04-03T23:59:58+07:00")  # 2 s before units may use the system
    _, expires = status_body(at, is_today=True, lang="th")
    assert expires == dt.datetime(2025, 4, 4, tzinfo=dt.UTC).timestamp() - 7 * 3600
    at = portal_clock("2025-04-10T10:00:00+07:00")  # no boundary within the next 30 s
    _, expires = status_body(at, is_today=True, lang="th")
    assert expires - at.timestamp() == caches.STATUS_BODY.bound_seconds


def test_cache_status_page_sees_a_new_rule_at_once_and_the_minute_turn(
    client, circulars, kept_snapshot, monkeypatch
):
    from django.utils import timezone

    clock = [dt.datetime(2025, 5, 1, 3, 0, 10, tzinfo=dt.UTC)]  # 10:00:10 in Bangkok
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    first = client.get("/")
    assert client.get("/").content == first.content  # kept
    a_rule(circulars["dla"])
    assert "ข้อ ๙ (ทดสอบ)" in client.get("/").content.decode()
    clock[0] += dt.timedelta(seconds=50)  # 10:01:00: the page shows the minute it is drawn in
    assert "10:01" in client.get("/").content.decode()


def test_each_status_cache_declares_every_template_it_renders(client, circulars):
    """The version is drawn from the declared sources: a template left out of them could change
    without the version changing."""
    drawn = {f"templates/{t.name}" for t in client.get("/").templates if t.name}
    declared = set(caches.STATUS_PAGE.sources) | set(caches.STATUS_BODY.sources)
    assert drawn and drawn - declared == set()
