"""Celery tasks of the accounts app; each can run twice safely."""

from celery import shared_task

from .sessions import SessionStore


@shared_task(acks_late=True, ignore_result=True)
def clear_expired_sessions():
    """Daily: delete the sessions past their expiry (what `manage.py clearsessions` does): an
    expired session lets nobody in, and its row holds who was logged in."""
    SessionStore.clear_expired()
