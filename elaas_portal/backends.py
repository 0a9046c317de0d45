"""The backends the portal logs people in with: accounts' fresh read of the user, with the inbox
badge counted in the same query (every page shows it). Here, at the top, because the badge
belongs to notifications, which sits above accounts."""

from accounts import backends
from notifications.services import UNREAD_ATTR, unread_count_expression


class BadgeMixin:
    def annotations(self) -> dict:
        return {"unread_badge": unread_count_expression()}

    def loaded(self, user) -> None:
        setattr(user, UNREAD_ATTR, user.unread_badge)


class ModelBackend(BadgeMixin, backends.ModelBackend):
    pass


class AuthenticationBackend(BadgeMixin, backends.AuthenticationBackend):
    pass
