"""The WSGI entry point: Django's handler, with the one middleware chain (settings.MIDDLEWARE)
for every request."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elaas_portal.settings.production")

application = get_wsgi_application()
