"""Authentication backends that read the logged-in user fresh on every request.

Who the user is, and whether they have an authenticator app, come from one query
(`User` with an `EXISTS` on allauth's authenticators); their roles from one more, the first
time a page asks (accounts.scope). Nothing about who may do what is cached between requests,
so a deactivated user, a moved role or a removed authenticator take effect on the next
request, whichever path changed them (admin, `save()`, a queryset `update()`, a migration).
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.mfa.models import Authenticator
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db.models import Exists, OuterRef

from .access import TOTP_ATTR
from .models import User


def load_user(user_id, **annotations) -> User | None:
    """The user with `has_totp` (and any `annotations` a higher layer asks for, such as the
    inbox badge) in one query, or None."""
    totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
    user = (
        User.objects.annotate(has_totp_app=Exists(totp), **annotations).filter(pk=user_id).first()
    )
    if user is not None:
        setattr(user, TOTP_ATTR, user.has_totp_app)
    return user


class FreshUserMixin:
    def annotations(self) -> dict:
        """Further values read with the user in the same query (see elaas_portal.backends)."""
        return {}

    def loaded(self, user) -> None:
        """Called with the user just read, to place what `annotations` brought."""

    def get_user(self, user_id):
        user = load_user(user_id, **self.annotations())
        if user is None or not self.user_can_authenticate(user):
            return None
        self.loaded(user)
        return user


class ModelBackend(FreshUserMixin, DjangoModelBackend):
    pass


class AuthenticationBackend(FreshUserMixin, AllauthBackend):
    pass
