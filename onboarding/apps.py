from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = _("Registry")

    def ready(self):
        from allauth.account.signals import email_confirmed

        from notifications.reminders import register_collector

        from . import membership, notices

        # A returned request joins the reminder ladder (notifications cannot import us).
        register_collector(notices.returned_reminders)

        # Approvers hear of a membership once its person has confirmed their e-mail address.
        email_confirmed.connect(
            membership.on_email_confirmed, dispatch_uid="onboarding.membership.email_confirmed"
        )
