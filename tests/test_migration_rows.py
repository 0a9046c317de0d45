"""The rows the data migrations write are there after a transactional test's flush
(tests/migration_rows.py, written back by tests/conftest.py's `pytest_runtest_teardown`).

pytest-django orders a process's tests: database tests in a transaction, then transactional ones,
then those without a database; under `--dist loadfile` a file's tests run in that order on one
worker. So here the flushing test runs first and the reading test after it, in every run."""

import importlib

import pytest

from notifications.models import ReminderStep

LADDER = importlib.import_module("notifications.migrations.0002_reminder_ladder").LADDER
RETURNED = importlib.import_module(
    "notifications.migrations.0008_decision_and_returned_kinds"
).RETURNED_STEPS


def ladder():
    return sorted(
        ReminderStep.objects.values_list("kind", "anchor", "days", "repeat"),
    )


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_sees_the_ladder_and_ends_with_a_flush():
    assert ladder() == sorted(LADDER + RETURNED)
    ReminderStep.objects.all().delete()  # gone for good, but for the write-back


def test_after_the_flush_the_ladder_is_back_and_new_steps_get_fresh_ids(django_db_blocker):
    """No `db` fixture: pytest-django runs this after the transactional test above."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        assert ladder() == sorted(LADDER + RETURNED)
        step = ReminderStep.objects.create(kind="lao_reminder", anchor="window_opens", days=2)
        assert step.pk > max(ReminderStep.objects.exclude(pk=step.pk).values_list("pk", flat=True))
        transaction.set_rollback(True)
