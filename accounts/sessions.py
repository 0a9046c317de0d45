"""Sessions in the database, read together with their user: one query on every request.

`SESSION_ENGINE = "accounts.sessions"`. Django's database store, with the session's user in a
column (`accounts.models.Session.user`, written whenever the session is saved). Loading a
logged-in session reads, in the same query, the user with everything the authentication backend
reads fresh on every request (accounts.backends: active, second factor, roles and their areas'
codes, and what the backend adds, the inbox badge). The user is handed to the backend for this
request only (accounts.middleware.AuthenticationMiddleware), which checks it as it checks a user
it reads itself; Django still verifies the session's hash against it.

Before: the session came from Redis (`cached_db`) and the user from PostgreSQL, two round trips
on every page: each costs ~100 us of CPU on this kind of machine (client and server, measured)
besides the wait. A visitor's session without a user, or an expired one, is read as Django reads
it (a second query), and so are sessions on SQLite.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth import SESSION_KEY, load_backend
from django.contrib.sessions.backends import db
from django.db.models import F, FilteredRelation, Q
from django.utils import timezone

from core.db import OneRowQuery

from .backends import FreshUserMixin, user_queryset
from .models import Session

_MARKER = "elaas-one-row-query-marker-for-a-session-key"  # no session key looks like this


class SessionStore(db.SessionStore):
    prefetched_user = None  # the session's user, read with it; None when not read so

    @classmethod
    def get_model_class(cls):
        return Session

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        instance.user_id = _user_id(data.get(SESSION_KEY))
        return instance

    def load(self):
        self.prefetched_user = None
        if self.session_key is None:
            return {}
        backend_class = _user_backend_class()
        found = _query(backend_class).get(self.session_key) if backend_class else None
        if found is None or found.session_expires <= timezone.now():
            return super().load()  # no user, expired, or no such session: as Django does
        data = self.decode(found.session_data)
        del found.session_data, found.session_expires  # the session's, not the user's
        if _user_id(data.get(SESSION_KEY)) == found.pk:
            found.backend_class = backend_class
            self.prefetched_user = found
        return data


def _user_id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@functools.cache
def _user_backend_class() -> type | None:
    """The class of the first authentication backend, if it reads users fresh (accounts.backends):
    its query, with what it adds, is the one run with the session."""
    backend = type(load_backend(settings.AUTHENTICATION_BACKENDS[0]))
    return backend if issubclass(backend, FreshUserMixin) else None


@functools.cache
def _query(backend_class) -> OneRowQuery:
    """The user of a session, with the session's data and expiry, by session key; compiled once
    per process and prepared once per connection (core.db.OneRowQuery)."""

    def build(session_key):
        # One join to this very session, named, so that the filter and the values read are the
        # same row: `sessions__...` in an annotation and in a filter would be two joins, and the
        # data could be another session's of the same user.
        this_session = FilteredRelation("sessions", condition=Q(sessions__session_key=session_key))
        return (
            user_queryset(**backend_class.annotations(None))
            .annotate(session=this_session)
            .filter(session__isnull=False)
            .annotate(
                session_data=F("session__session_data"), session_expires=F("session__expire_date")
            )
        )

    return OneRowQuery(build, marker=_MARKER)
