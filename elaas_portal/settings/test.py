"""Test settings: the suite (`make test`; pyproject.toml names this module). Development's,
with nothing read from a developer's own environment that would change what a test sees."""

from .local import *  # noqa: F403
