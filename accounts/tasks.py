"""Celery tasks of the accounts app; each can run twice safely."""

from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task(acks_late=True, ignore_result=True)
def clear_expired_sessions():
    """Daily: delete the sessions past their expiry (what `manage.py clearsessions` does): an
    expired session lets nobody in, and its row holds who was logged in."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
