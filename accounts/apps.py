from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from allauth.account.signals import user_logged_in, user_signed_up
        from django.contrib.auth import signals as auth_signals

        from . import scope  # noqa: F401 - registers the organisations' rule of restrict
        from .thaid.adapter import forget_pending_signup, on_user_logged_in

        user_logged_in.connect(on_user_logged_in, dispatch_uid="accounts.thaid.logged_in")
        for signal, name in (
            (auth_signals.user_logged_in, "logged_in"),
            (auth_signals.user_logged_out, "logged_out"),
            (user_signed_up, "signed_up"),
        ):
            signal.connect(forget_pending_signup, dispatch_uid=f"accounts.thaid.forget.{name}")
