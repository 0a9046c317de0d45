"""Sessions go back to Django's own store (django_session, SESSION_ENGINE
"django.contrib.sessions.backends.db"; issue 23): the open sessions of accounts_session are
copied over, so nobody is logged out by the change, and accounts_session is dropped."""

from django.db import migrations


def copy_open_sessions(apps, schema_editor):
    from django.utils import timezone

    Ours = apps.get_model("accounts", "Session")
    Django = apps.get_model("sessions", "Session")
    open_sessions = Ours.objects.filter(expire_date__gt=timezone.now())
    rows = [
        Django(session_key=s.session_key, session_data=s.session_data, expire_date=s.expire_date)
        for s in open_sessions.iterator(chunk_size=2000)
    ]
    Django.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def copy_back(apps, schema_editor):
    from django.utils import timezone

    Ours = apps.get_model("accounts", "Session")
    Django = apps.get_model("sessions", "Session")
    rows = [
        Ours(session_key=s.session_key, session_data=s.session_data, expire_date=s.expire_date)
        for s in Django.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000)
    ]
    Ours.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_history_events"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_open_sessions, copy_back),
        migrations.DeleteModel(name="Session"),
    ]
