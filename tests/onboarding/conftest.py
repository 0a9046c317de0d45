"""Fixtures of the onboarding tests."""

import pytest

from tests.actors import make_user


@pytest.fixture
def finance_director(places):
    """The finance director of the clerk's LAO (SAO 6480199): the other required position."""
    return make_user(
        "finance@test.example",
        "มานี มีเงิน",
        kind="lao_staff",
        organization=places.lao,
        position="finance_director",
    )
