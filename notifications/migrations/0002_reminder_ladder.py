"""The default reminder ladder, as the onboarding circulars' window calls for. Editable data."""

from django.db import migrations

LADDER = [
    # (kind, anchor, days, repeat)
    ("lao_reminder", "window_opens", 0, False),
    ("lao_reminder", "window_last_day", 7, False),
    ("lao_reminder", "window_last_day", 3, False),
    ("lao_reminder", "window_last_day", 1, False),
    ("district_digest", "window_last_day", 3, True),
    ("province_summary", "window_last_day", 3, True),
    ("dla_summary", "window_last_day", 3, True),
    ("unit_reminder", "unit_opening", 3, False),
]


def add_ladder(apps, schema_editor):
    ReminderStep = apps.get_model("notifications", "ReminderStep")
    for kind, anchor, days, repeat in LADDER:
        ReminderStep.objects.get_or_create(kind=kind, anchor=anchor, days=days, defaults={"repeat": repeat})


def remove_ladder(apps, schema_editor):
    ReminderStep = apps.get_model("notifications", "ReminderStep")
    for kind, anchor, days, _repeat in LADDER:
        ReminderStep.objects.filter(kind=kind, anchor=anchor, days=days).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(add_ladder, remove_ladder)]
