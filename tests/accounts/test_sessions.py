"""Sessions in Django's own database store (SESSION_ENGINE, issue 23): the user is read fresh
on every request and checked as Django checks it; a logout ends the session everywhere; the
sessions open before the change are copied over by the migration, so nobody is logged out."""

import datetime as dt
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.actors import login

PAGE = "/compliance/province/48/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(actors, client, circulars, settings):
    settings.COMPLIANCE_CACHE_SECONDS = 30
    login(client, actors["province_officer"])
    client.get(PAGE)  # drawn and kept: the next visit reads only the session and the user
    return actors["province_officer"]


def test_the_engine_is_djangos_database_store(settings):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_a_logged_in_page_reads_the_session_once_and_its_user_with_roles_once(client, officer):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAGE)
    assert response.status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert len([q for q in sql if '"django_session"' in q]) == 1, sql
    users = [q for q in sql if 'FROM "accounts_user"' in q]
    assert len(users) == 1 and '"accounts_role"' in users[0], sql


def test_a_session_survives_a_restart(client, officer):
    """Kept in the database: a new process (its memory and caches empty) reads it again."""
    for alias in django_settings.CACHES:
        caches[alias].clear()
    store = import_module(django_settings.SESSION_ENGINE).SessionStore(
        client.cookies["sessionid"].value
    )
    assert store[SESSION_KEY] == str(officer.pk)
    assert client.get(PAGE).status_code == 200


def test_a_logout_deletes_the_session_row_every_worker_reads(client, officer):
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(pk=key).exists()
    client.post("/accounts/logout/")
    assert not Session.objects.filter(pk=key).exists()
    client.cookies["sessionid"] = key  # the old cookie, sent again (another tab, a copy)
    assert client.get(PAGE).status_code == 302


def test_a_user_deactivated_by_a_queryset_update_is_out_at_the_next_request(client, officer):
    from accounts.models import User

    User.objects.filter(pk=officer.pk).update(is_active=False)
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_changed_password_ends_the_session_as_django_does(client, officer):
    officer.set_password("another-Long-password-9")
    officer.save()
    assert client.get(PAGE).status_code == 302  # the session's hash no longer matches


def test_a_deleted_accounts_session_lets_nobody_in(client, officer):
    officer.delete()
    assert client.get(PAGE).status_code == 302


def test_an_expired_session_is_no_session(client, officer):
    key = client.cookies["sessionid"].value
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(PAGE).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_open_sessions_back_to_djangos_table():
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore
    from django.db.migrations.executor import MigrationExecutor

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        executor.loader.build_graph()
        return executor.loader.project_state(targets).apps

    before = migrate([("accounts", "0009_officer_invitation")])
    User = before.get_model("accounts", "User")
    OurSession = before.get_model("accounts", "Session")
    user = User.objects.create(email="kept@example.test", password="!")
    store = DjangoStore()
    soon = timezone.now() + dt.timedelta(days=1)
    OurSession.objects.create(
        session_key="k" * 32,
        session_data=store.encode({SESSION_KEY: str(user.pk)}),
        expire_date=soon,
        user_id=user.pk,
    )
    OurSession.objects.create(
        session_key="v" * 32, session_data=store.encode({"django_language": "en"}), expire_date=soon
    )
    OurSession.objects.create(
        session_key="x" * 32,
        session_data=store.encode({SESSION_KEY: str(user.pk)}),
        expire_date=timezone.now() - dt.timedelta(seconds=1),
    )
    data = OurSession.objects.get(pk="k" * 32).session_data
    after = migrate([("accounts", "0011_sessions_back_to_django")])
    DjangoSession = after.get_model("sessions", "Session")
    copied = {s.session_key[0]: s for s in DjangoSession.objects.all()}
    assert set(copied) == {"k", "v"}  # the expired one is not copied
    assert copied["k"].session_data == data
    assert DjangoStore("k" * 32)[SESSION_KEY] == str(user.pk)  # still logged in
    migrate([(app, name) for app, name in MigrationExecutor(connection).loader.graph.leaf_nodes()])


def test_the_daily_task_deletes_the_expired_sessions_only(client, officer, settings):
    from accounts.tasks import clear_expired_sessions

    assert settings.CELERY_BEAT_SCHEDULE["clear-expired-sessions"]["task"] == (
        "accounts.tasks.clear_expired_sessions"
    )
    key = client.cookies["sessionid"].value
    Session.objects.create(
        session_key="e" * 32, session_data="", expire_date=timezone.now() - dt.timedelta(days=1)
    )
    clear_expired_sessions()  # as the worker runs it
    assert set(Session.objects.values_list("pk", flat=True)) == {key}


def test_the_user_is_read_at_once_not_through_a_lazy_object(rf, officer, client):
    """accounts.middleware puts the user itself on the request: the gate reads it on every
    request anyway. A visitor without a session cookie gets the anonymous user, as with Django's,
    and the session is left unread (no `Vary: Cookie`: shared caches keep the answer)."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.http import HttpResponse

    from accounts.middleware import AuthenticationMiddleware
    from accounts.models import User

    seen = []

    def chain(cookie):
        request = rf.get(PAGE)
        if cookie:
            request.COOKIES["sessionid"] = cookie
        return SessionMiddleware(
            AuthenticationMiddleware(lambda r: seen.append(r.user) or HttpResponse())
        )(request)

    with_cookie = chain(client.cookies["sessionid"].value)
    without = chain(None)
    assert type(seen[0]) is User and seen[0].pk == officer.pk
    assert type(seen[1]) is AnonymousUser
    assert "Cookie" in with_cookie.get("Vary", "") and not without.has_header("Vary")
