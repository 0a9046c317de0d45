"""gunicorn bare.wsgi, with the folder bench/ on the path (bench/run.py starts it so)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "bare.settings"  # never the portal's, whatever is set
application = get_wsgi_application()
