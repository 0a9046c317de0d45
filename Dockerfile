# Image of the portal: gunicorn (web), Celery worker and beat all run from it
# (see docker-compose.yml). Build: docker build -t elaas-portal .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    STATIC_ROOT=/app/var/staticfiles

WORKDIR /app
# A home of its own: gunicorn >= 25.1 puts its control socket in ~/.gunicorn/.
RUN groupadd --system app && useradd --system --gid app --create-home --home-dir /home/app app

# Dependencies first, from pyproject.toml alone: `pip install .` of a tree without the
# packages installs every dependency and an empty project, and this layer stays cached
# until pyproject.toml changes. The code itself runs from /app (PYTHONPATH, WORKDIR), where
# settings.BASE_DIR finds templates/, static/ and circulars/data/ next to it.
COPY pyproject.toml ./
RUN pip install .

# Only what the portal needs at run time (no .venv, var/ or .git from the build context).
COPY manage.py ./
COPY elaas_portal ./elaas_portal
COPY core ./core
COPY registry ./registry
COPY accounts ./accounts
COPY circulars ./circulars
COPY onboarding ./onboarding
COPY maintenance ./maintenance
COPY notifications ./notifications
COPY compliance ./compliance
COPY templates ./templates
COPY static ./static
COPY locale ./locale
COPY scripts/first-run.sh ./scripts/first-run.sh

# Static files gathered at build time (development settings need no SECRET_KEY); the web
# service gathers them again on start. var/ is the one place the app user may write.
RUN mkdir -p var \
    && DJANGO_SETTINGS_MODULE=elaas_portal.settings.local python manage.py collectstatic --noinput -v 0 \
    && chown -R app:app var

USER app
EXPOSE 8000
CMD ["gunicorn", "elaas_portal.wsgi", "--bind", "0.0.0.0:8000"]
