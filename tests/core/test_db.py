"""core.db: the JSON rows aggregate, on the test database; the user read with their roles."""

import pytest
from django.db.models import Value
from django.db.models.functions import JSONArray

from accounts.backends import load_user
from accounts.models import Role, RoleKind, User
from accounts.scope import role_facts
from core.db import JSONRows
from registry.models import Province

pytestmark = pytest.mark.django_db


def make_user(email, **kw):
    return User.objects.create_user(email=email, password="x-Long-enough-1", **kw)


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

    with django_assert_num_queries(1):
        facts = role_facts(load_user(officer.pk))
        assert [(r.kind, r.province_id) for r in facts] == [
            (RoleKind.PROVINCE_OFFICER, province.pk)
        ]
    with django_assert_num_queries(1):
        assert role_facts(load_user(lonely.pk)) == []
