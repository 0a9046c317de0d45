from django.apps import AppConfig


class DevIdpConfig(AppConfig):
    name = "devidp"
    verbose_name = "Development stand-in for ThaID"
    default_auto_field = "django.db.models.BigAutoField"
