"""accounts/sessions.py: a logged-in session and its user, roles and second factor are read in
one query; the user is still read fresh on every request, and still checked as Django checks it.
Sessions open before the change are copied, with their users, by the migration."""

import datetime as dt

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Session
from core.db import statement_sql
from tests.actors import login

PAGE = "/compliance/province/48/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(actors, client, circulars, settings):
    settings.COMPLIANCE_CACHE_SECONDS = 30
    login(client, actors["province_officer"])
    client.get(PAGE)  # drawn and kept: the next visit reads only the session and the user
    return actors["province_officer"]


def sql_of(queries) -> list[str]:
    return [statement_sql(q["sql"]) for q in queries.captured_queries]


def test_a_logged_in_page_reads_the_session_and_its_user_in_one_query(client, officer):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAGE)
    assert response.status_code == 200
    sql = sql_of(queries)
    sessions = [q for q in sql if '"accounts_session"' in q]
    assert len(sessions) == 1, sql
    assert 'FROM "accounts_user"' in sessions[0] and '"accounts_role"' in sessions[0]
    assert not [q for q in sql if 'FROM "accounts_user"' in q and q not in sessions]


def test_a_session_of_allauths_backend_is_read_with_its_user_too(client, actors, circulars):
    """A real login (password, then the second factor) goes through allauth's backend, not the
    first one: its session is read with the user in one query as well."""
    client.force_login(actors["dla_officer"], backend="elaas_portal.backends.AuthenticationBackend")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/inbox/").status_code == 200
    users = [q for q in sql_of(queries) if 'FROM "accounts_user"' in q]
    assert len(users) == 1 and '"accounts_session"' in users[0], users


def test_the_session_row_names_its_user_and_goes_at_logout(client, officer):
    key = client.cookies["sessionid"].value
    assert Session.objects.get(pk=key).user_id == officer.pk
    client.post("/accounts/logout/")
    assert not Session.objects.filter(pk=key).exists()


def test_a_user_deactivated_by_a_queryset_update_is_out_at_the_next_request(client, officer):
    from accounts.models import User

    User.objects.filter(pk=officer.pk).update(is_active=False)
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_changed_password_ends_the_session_as_django_does(client, officer):
    officer.set_password("another-Long-password-9")
    officer.save()
    assert client.get(PAGE).status_code == 302  # the session's hash no longer matches


def test_a_deleted_account_takes_its_sessions_with_it(client, officer):
    key = client.cookies["sessionid"].value
    officer.delete()
    assert not Session.objects.filter(pk=key).exists()
    assert client.get(PAGE).status_code == 302


def test_an_expired_session_is_no_session(client, officer):
    key = client.cookies["sessionid"].value
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(PAGE).status_code == 302


def test_each_session_of_the_same_user_reads_its_own_data(actors):
    """Two sessions of one person (a phone and a desk): each load brings that session's data,
    never the other's, though both rows join the same user."""
    from accounts.sessions import SessionStore

    user = actors["province_officer"]
    stores = []
    for place in ("phone", "desk", "tablet"):
        store = SessionStore()
        store.update({SESSION_KEY: str(user.pk), "place": place})
        store.create()
        stores.append((store.session_key, place))
    for key, place in reversed(stores):
        again = SessionStore(key)
        assert again["place"] == place and again.prefetched_user.pk == user.pk


def test_a_visitors_session_without_a_user_is_read_as_before(client, db):
    from accounts.sessions import SessionStore

    store = SessionStore()
    store["django_language"] = "en"
    store.create()
    assert Session.objects.get(pk=store.session_key).user_id is None
    again = SessionStore(store.session_key)
    assert again["django_language"] == "en" and again.prefetched_user is None


def test_a_session_whose_data_names_another_user_is_not_trusted_with_its_row(officer, client):
    """The row's user is written from the data; were they ever to differ, the data's user is
    read as Django reads it, never the row's."""
    from accounts.sessions import SessionStore

    key = client.cookies["sessionid"].value
    store = SessionStore(key)
    assert store[SESSION_KEY] == str(officer.pk) and store.prefetched_user.pk == officer.pk
    Session.objects.filter(pk=key).update(user_id=None)
    store = SessionStore(key)
    assert store[SESSION_KEY] == str(officer.pk) and store.prefetched_user is None


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_open_sessions_with_their_users():
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore
    from django.db.migrations.executor import MigrationExecutor

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        executor.loader.build_graph()
        return executor.loader.project_state(targets).apps

    before = migrate([("accounts", "0007_role_membership"), ("sessions", "0001_initial")])
    User = before.get_model("accounts", "User")
    OldSession = before.get_model("sessions", "Session")
    user = User.objects.create(email="kept@example.test", password="!")
    store = DjangoStore()
    soon = timezone.now() + dt.timedelta(days=1)
    OldSession.objects.create(
        session_key="k" * 32,
        session_data=store.encode({SESSION_KEY: str(user.pk)}),
        expire_date=soon,
    )
    OldSession.objects.create(
        session_key="v" * 32, session_data=store.encode({"django_language": "en"}), expire_date=soon
    )
    OldSession.objects.create(
        session_key="x" * 32,
        session_data=store.encode({SESSION_KEY: str(user.pk)}),
        expire_date=timezone.now() - dt.timedelta(seconds=1),
    )
    after = migrate([("accounts", "0008_session")])
    NewSession = after.get_model("accounts", "Session")
    copied = {s.session_key[0]: s for s in NewSession.objects.all()}
    assert set(copied) == {"k", "v"}  # the expired one is not copied
    assert copied["k"].user_id == user.pk and copied["v"].user_id is None
    assert copied["k"].session_data == OldSession.objects.get(pk="k" * 32).session_data
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
    request anyway. A visitor without a session gets the anonymous user, as with Django's."""
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
        SessionMiddleware(
            AuthenticationMiddleware(lambda r: seen.append(r.user) or HttpResponse())
        )(request)

    chain(client.cookies["sessionid"].value)
    chain(None)
    assert type(seen[0]) is User and seen[0].pk == officer.pk
    assert type(seen[1]) is AnonymousUser
