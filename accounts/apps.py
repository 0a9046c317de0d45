from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from allauth.account.signals import user_logged_in, user_signed_up

        from .thaid.adapter import on_user_logged_in, on_user_signed_up

        user_logged_in.connect(on_user_logged_in, dispatch_uid="accounts.thaid.logged_in")
        user_signed_up.connect(on_user_signed_up, dispatch_uid="accounts.thaid.signed_up")
