"""The rows the data migrations write (the reminder ladder), written back after every flush.

A transactional test (`django_db(transaction=True)`, `transactional_db`, `live_server`) ends with
Django's flush: every table emptied. Its post_migrate signal writes the content types and
permissions again, but no data migration runs again, so the ladder of
`notifications/migrations/0002_reminder_ladder.py` and `0008_…` is gone for every test after it.
In one process pytest-django runs the transactional tests after all the others, so nobody saw the
gap; under pytest-xdist (`make test`, two workers, `--dist loadfile`) a worker runs whole files
in turn, and a file's transactional test comes before the next file's tests on that worker.

Django's `serialized_rollback` does not close the gap: it loads the rows at the *start* of the
test that asks for it, not after the flush, so every test reading the ladder would have to be
transactional and ask. Instead `remember` keeps, once per test database after migrating, every
row there except those post_migrate writes again; `write_back` saves them after each flush
(tests/conftest.py: `django_db_setup` and `pytest_runtest_teardown`). Saved with their own
primary keys, so writing back rows that are still there changes nothing.
"""

from __future__ import annotations

import pytest

# Written again by the flush's own post_migrate signal (with new primary keys): not kept.
REWRITTEN_BY_POST_MIGRATE = {"contenttypes.contenttype", "auth.permission"}

_KEPT: dict[str, str] = {}  # database alias -> the rows, serialized


def kept_models(alias: str):
    from django.apps import apps
    from django.db import router

    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in REWRITTEN_BY_POST_MIGRATE:
            continue
        if router.allow_migrate_model(alias, model):
            yield model


def remember(aliases) -> None:
    """Keep the rows the migrations wrote in each of these test databases."""
    from django.core import serializers

    for alias in aliases:
        rows = []
        for model in kept_models(alias):
            rows.extend(model._base_manager.using(alias).order_by(model._meta.pk.name))
        _KEPT[alias] = serializers.serialize("json", rows) if rows else ""


def write_back() -> int:
    """Save the kept rows again (after a flush), and set each table's id sequence past them, as
    `loaddata` does; returns how many rows."""
    from django.core import serializers
    from django.core.management.color import no_style
    from django.db import connections, transaction

    count = 0
    for alias, data in _KEPT.items():
        if not data:
            continue
        models = set()
        with transaction.atomic(using=alias):
            for row in serializers.deserialize("json", data, using=alias):
                row.save(using=alias)
                models.add(type(row.object))
                count += 1
            connection = connections[alias]
            statements = connection.ops.sequence_reset_sql(no_style(), sorted(models, key=str))
            if statements:
                with connection.cursor() as cursor:
                    for sql in statements:
                        cursor.execute(sql)
    return count


def flushes(item: pytest.Item) -> bool:
    """Whether this test ends with a flush: pytest-django's own reading of a transactional test
    (plugin.pytest_collection_modifyitems, fixtures._django_db_helper)."""
    from django.test import TestCase, TransactionTestCase
    from pytest_django.fixtures import validate_django_db

    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return not issubclass(cls, TestCase)
    names = getattr(item, "fixturenames", ())
    if "transactional_db" in names or "live_server" in names:
        return True
    if "django_db_reset_sequences" in names:
        return True
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return False
    transaction, reset_sequences, *_ = validate_django_db(marker)
    return bool(transaction or reset_sequences)
