from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo accounts and generated data for demos, tests and benchmarks; never installed in
    production (ELAAS_ENV=production leaves it out of INSTALLED_APPS)."""

    name = "demo"
    verbose_name = "Demo data"
