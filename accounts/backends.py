"""Authentication backends that read the logged-in user from the shared cache.

Every page reads the user behind the session, their roles (the rows alone: kinds and the ids
of what they act for, see accounts.scope.role_facts), whether they have an authenticator app,
and their unread count (the inbox badge). With these backends that is one Redis read
instead of four database queries: one entry per user holds the user, the roles and the
second-factor flag; the unread count has its own key (notifications.services), read in the
same round trip.

The entry is dropped whenever the user row, one of their roles or one of their authenticators
is saved or deleted (accounts/signals.py), now and after commit, and at every login; it lives
at most USER_CACHE_SECONDS. Django's session check then runs as always: the session's hash of
the password must match the user's, and an inactive user is refused.
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.cache import cache
from django.db import transaction

USER_CACHE_SECONDS = 300


def user_cache_key(user_id) -> str:
    return f"who:v1:{user_id}"


def forget_user(user_id) -> None:
    """Drop the cached entry, now and once more after commit: a request between the two may
    have read the old rows."""
    key = user_cache_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


class CachedUserMixin:
    def get_user(self, user_id):
        from notifications.services import UNREAD_ATTR, unread_cache_key

        from .access import _TOTP_ATTR, load_has_totp
        from .scope import _FACTS_ATTR, load_role_facts

        key, unread_key = user_cache_key(user_id), unread_cache_key(user_id)
        found = cache.get_many([key, unread_key])
        entry = found.get(key)
        if entry is None:
            user = super().get_user(user_id)
            if user is None:
                return None
            entry = {"user": user, "roles": load_role_facts(user), "totp": load_has_totp(user)}
            cache.set(key, entry, USER_CACHE_SECONDS)
        user = entry["user"]
        if not self.user_can_authenticate(user):
            return None
        setattr(user, _FACTS_ATTR, entry["roles"])
        setattr(user, _TOTP_ATTR, entry["totp"])
        if unread_key in found:
            setattr(user, UNREAD_ATTR, found[unread_key])
        return user


class ModelBackend(CachedUserMixin, DjangoModelBackend):
    pass


class AuthenticationBackend(CachedUserMixin, AllauthBackend):
    pass
