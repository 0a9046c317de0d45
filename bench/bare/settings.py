"""The bare project's settings: no app, no middleware, no database, no template, no cache.

What Django and gunicorn cost for one request and no more: the baseline every page of the
portal is divided by.
"""

SECRET_KEY = "bench-bare-project-not-a-secret"  # noqa: S105 - signs nothing: no middleware
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bare.urls"
WSGI_APPLICATION = "bare.wsgi.application"
DATABASES: dict = {}
TEMPLATES: list = []
USE_I18N = False
USE_TZ = True
