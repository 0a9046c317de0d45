"""core.db: the one-row query compiled once, and the JSON rows aggregate, on the test database."""

import pytest
from django.db.models import Count, Value
from django.db.models.functions import JSONArray

from accounts.backends import load_user
from accounts.models import Role, RoleKind, User
from accounts.scope import role_facts
from core.db import JSONRows, OneRowQuery
from registry.models import Province

pytestmark = pytest.mark.django_db


def make_user(email, **kw):
    return User.objects.create_user(email=email, password="x-Long-enough-1", **kw)


def test_it_gives_what_the_queryset_gives_with_its_annotations():
    province = Province.objects.create(code="91", name_th="ทดสอบ", name_en="Test")
    user = make_user("a@example.test", full_name="นาย ก")
    Role.objects.create(user=user, kind=RoleKind.PROVINCE_OFFICER, province=province)
    query = OneRowQuery(lambda pk: User.objects.annotate(n=Count("roles")).filter(pk=pk))

    found = query.get(user.pk)

    assert found == User.objects.annotate(n=Count("roles")).get(pk=user.pk)
    assert (found.email, found.full_name, found.n) == ("a@example.test", "นาย ก", 1)
    assert found._state.adding is False and found._state.db == "default"


def test_it_reads_the_values_on_every_call_and_none_for_no_row():
    user = make_user("b@example.test")
    query = OneRowQuery(lambda pk: User.objects.filter(pk=pk))
    assert query.get(user.pk).is_active is True

    User.objects.filter(pk=user.pk).update(is_active=False)  # after the SQL was compiled
    assert query.get(user.pk).is_active is False
    User.objects.filter(pk=user.pk).delete()
    assert query.get(user.pk) is None


def test_a_query_that_does_not_use_its_key_once_is_refused():
    query = OneRowQuery(lambda pk: User.objects.filter(pk=pk) | User.objects.filter(id=pk))
    with pytest.raises(ValueError, match="exactly once"):
        query.get(1)


def test_json_rows_bring_a_group_as_one_value_and_none_when_empty():
    province = Province.objects.create(code="92", name_th="ทดสอบสอง", name_en="Test 2")
    user = make_user("c@example.test")
    for kind in (RoleKind.PROVINCE_OFFICER, RoleKind.DLA_OFFICER):
        Role.objects.create(
            user=user, kind=kind, province=province if kind == RoleKind.PROVINCE_OFFICER else None
        )
    rows = (
        Role.objects.filter(user=user)
        .order_by()
        .values("user")
        .annotate(rows=JSONRows(JSONArray("kind", Value("x"))))
        .get()["rows"]
    )
    assert sorted(rows) == [[RoleKind.DLA_OFFICER, "x"], [RoleKind.PROVINCE_OFFICER, "x"]]


def test_the_user_comes_with_their_active_role_rows_in_one_query(django_assert_num_queries):
    province = Province.objects.create(code="93", name_th="ทดสอบสาม", name_en="Test 3")
    officer = make_user("e@example.test")
    Role.objects.create(user=officer, kind=RoleKind.PROVINCE_OFFICER, province=province)
    lonely = make_user("f@example.test")
    load_user(officer.pk)  # the SQL compiled

    with django_assert_num_queries(1):
        facts = role_facts(load_user(officer.pk))
        assert [(r.kind, r.province_id) for r in facts] == [
            (RoleKind.PROVINCE_OFFICER, province.pk)
        ]
    with django_assert_num_queries(1):
        assert role_facts(load_user(lonely.pk)) == []


def _prepared_names(connection) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)  # it closes the connection
def test_on_postgresql_it_is_prepared_once_per_connection_and_again_after_a_reconnection():
    """PREPARE once per connection, EXECUTE with each key; a prepared statement survives a
    rollback, and a new connection starts without it (core.db.OneRowQuery._prepared)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from core.db import PREPARED_SQL, statement_sql

    if connection.vendor != "postgresql":
        pytest.skip("PREPARE is PostgreSQL's")
    first, second = make_user("p1@example.test"), make_user("p2@example.test")
    query = OneRowQuery(lambda pk: User.objects.annotate(n=Count("roles")).filter(pk=pk))
    with CaptureQueriesContext(connection) as queries:
        assert query.get(first.pk).email == "p1@example.test"
        assert query.get(second.pk).email == "p2@example.test"
        assert query.get(-1) is None
    executed = [q["sql"] for q in queries.captured_queries]
    assert len(executed) == 3 and all(sql.startswith("EXECUTE elaas_") for sql in executed)
    name = executed[0].split()[1]
    assert name in _prepared_names(connection)
    assert 'FROM "accounts_user"' in statement_sql(executed[0]) == PREPARED_SQL[name]
    assert statement_sql("SELECT 1") == "SELECT 1"

    try:
        with transaction.atomic():
            assert query.get(first.pk).pk == first.pk
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert query.get(second.pk).pk == second.pk  # still prepared after the rollback

    connection.close()  # the next query opens a new connection, with nothing prepared
    assert name not in _prepared_names(connection)
    assert query.get(first.pk).pk == first.pk
    assert name in _prepared_names(connection)
