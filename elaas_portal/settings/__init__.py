"""The portal's settings, one module per environment (cookiecutter-django's split):

- `elaas_portal.settings.local`: development, `make run`; manage.py's and Celery's default;
- `elaas_portal.settings.test`: the test suite (pyproject.toml's pytest section, `make test`);
- `elaas_portal.settings.production`: `make prod` (scripts/prod.sh), the image and compose;
  the WSGI entry point's default.

All three start from `base.py`. Name one in DJANGO_SETTINGS_MODULE.
"""
