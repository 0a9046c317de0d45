from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    """Provinces, districts, LAOs and their units: the national registry and its loader."""

    name = "registry"
    verbose_name = _("Registry")
