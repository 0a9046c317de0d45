from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "elaas_portal"
    verbose_name = "New e-LAAS onboarding portal"

    def ready(self):
        from . import metrics

        metrics.register()  # the outbox and Celery queue collectors, read at scrape time
