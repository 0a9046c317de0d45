"""Record each unit's first login to the portal, for the compliance dashboards."""

from django.dispatch import receiver
from allauth.account.signals import user_logged_in

from maintenance import clock


@receiver(user_logged_in, dispatch_uid="accounts-record-first-unit-login")
def record_first_unit_login(sender, request, user, **kwargs):
    from onboarding.models import Organization

    from .scope import forget_roles, staff_roles

    from maintenance.access import decide_for

    forget_roles(user)
    now = clock.now()
    # Only while units may use the system: a user who is also LAO staff is not stopped at login.
    units = [r.organization_id for r in staff_roles(user, "unit_staff") if decide_for(r.organization, "use_system", now).allowed]
    if units:
        # A conditional update: the first login wins, a second one changes nothing.
        Organization.objects.filter(pk__in=units, first_login_at__isnull=True).update(first_login_at=now)
