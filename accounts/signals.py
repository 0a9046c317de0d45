"""Record each unit's first login to the portal, for the compliance dashboards; drop the cached
roles and second-factor flag of a user whose roles or authenticators change."""

from allauth.account.signals import user_logged_in
from allauth.mfa.models import Authenticator
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from maintenance import clock

from .models import Role, User


@receiver(user_logged_in, dispatch_uid="accounts-record-first-unit-login")
def record_first_unit_login(sender, request, user, **kwargs):
    from maintenance.access import decide_for
    from onboarding.models import Organization

    from .scope import forget_roles, staff_roles

    forget_roles(user)
    now = clock.now()
    # Only while units may use the system: a user who is also LAO staff is not stopped at login.
    units = [
        r.organization_id
        for r in staff_roles(user, "unit_staff")
        if decide_for(r.organization, "use_system", now).allowed
    ]
    if units:
        # A conditional update: the first login wins, a second one changes nothing.
        Organization.objects.filter(pk__in=units, first_login_at__isnull=True).update(
            first_login_at=now
        )


@receiver([post_save, post_delete], sender=User, dispatch_uid="accounts-drop-cached-user")
def drop_cached_user(sender, instance, **kwargs):
    from .backends import forget_user

    forget_user(instance.pk)


@receiver([post_save, post_delete], sender=Role, dispatch_uid="accounts-drop-cached-roles")
@receiver([post_save, post_delete], sender=Authenticator, dispatch_uid="accounts-drop-cached-totp")
def drop_cached_user_of(sender, instance, **kwargs):
    from .backends import forget_user

    forget_user(instance.user_id)
