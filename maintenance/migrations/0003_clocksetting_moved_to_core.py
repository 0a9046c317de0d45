# ClockSetting now lives in core (same table): removed from this app's state only.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("maintenance", "0002_clocksetting"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ClockSetting")],
            database_operations=[],
        ),
    ]
