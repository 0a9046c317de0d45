"""Authentication backends that read the logged-in user fresh on every request.

Who the user is, whether they have an authenticator app and their active role rows come from
one query (`User` with an `EXISTS` on allauth's authenticators and the roles as one JSON value,
accounts.scope.role_facts_expression). Nothing about who may do what is cached between requests,
so a deactivated user, a moved role or a removed authenticator take effect on the next
request, whichever path changed them (admin, `save()`, a queryset `update()`, a migration).
"""

import contextlib
import contextvars
import functools

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.mfa.models import Authenticator
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef

from core.db import OneRowQuery

from .access import TOTP_ATTR
from .models import User
from .scope import place_role_facts, role_facts_expression


def user_queryset(**annotations):
    """Users with `has_totp_app`, their active role rows and any `annotations` a higher layer
    asks for (such as the inbox badge): everything a request needs about its user, one query."""
    totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
    return User.objects.annotate(
        has_totp_app=Exists(totp), role_rows=role_facts_expression(), **annotations
    )


def load_user(user_id, query: OneRowQuery | None = None) -> User | None:
    """The user read fresh, with what `user_queryset` adds placed for accounts.access and
    accounts.scope, or None."""
    query = query or _query_of(FreshUserMixin)
    return _placed(query.get(user_id))


def _placed(user: User | None) -> User | None:
    if user is not None:
        setattr(user, TOTP_ATTR, bool(user.has_totp_app))
        place_role_facts(user, user.role_rows)
    return user


# The user read with this request's session (accounts.sessions), handed to the backend while
# Django's `get_user` runs (accounts.middleware): the same query, run once instead of twice.
_read_with_session: contextvars.ContextVar[User | None] = contextvars.ContextVar(
    "elaas_user_read_with_session", default=None
)


@contextlib.contextmanager
def read_with_session(user: User | None):
    token = _read_with_session.set(user)
    try:
        yield
    finally:
        _read_with_session.reset(token)


@functools.cache
def _query_of(backend_class) -> OneRowQuery:
    """The user query of a backend class, compiled once per process (core.db.OneRowQuery)."""
    annotations = backend_class.annotations

    def build(pk):
        return user_queryset(**annotations(None)).filter(pk=pk)

    return OneRowQuery(build)


class FreshUserMixin:
    def annotations(self) -> dict:
        """Further values read with the user in the same query (see elaas_portal.backends)."""
        return {}

    def loaded(self, user) -> None:
        """Called with the user just read, to place what `annotations` brought."""

    def get_user(self, user_id):
        try:
            user_id = User._meta.pk.to_python(user_id)  # the session keeps it as text
        except ValidationError:
            return None
        user = _read_with_session.get()
        if (
            user is not None
            and user.pk == user_id
            and user.backend_class.annotations is type(self).annotations  # the same query
        ):
            user = _placed(user)  # read with the session, this request, by this backend's query
        else:
            user = load_user(user_id, _query_of(type(self)))
        if user is None or not self.user_can_authenticate(user):
            return None
        self.loaded(user)
        return user


class ModelBackend(FreshUserMixin, DjangoModelBackend):
    pass


class AuthenticationBackend(FreshUserMixin, AllauthBackend):
    pass
