from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    """The access policy: rules carried by circulars, the decision, the status page."""

    name = "maintenance"
    verbose_name = _("Access policy")

    def ready(self):
        from . import caches, gate  # noqa: F401 - connect the first-login receiver and the
        # receivers that drop the rules snapshot when a rule or a letter is written
