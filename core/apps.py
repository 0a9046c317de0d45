from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The lowest layer: Thai text, digits and dates, national IDs, settings helpers, the clock."""

    name = "core"
    verbose_name = _("Portal basics")
