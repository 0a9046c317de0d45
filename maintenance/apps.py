from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    name = "maintenance"
    verbose_name = _("Access policy")

    def ready(self):
        from .snapshot import connect_signals

        connect_signals()
