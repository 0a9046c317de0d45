# ClockSetting moved here from maintenance: the table (maintenance_clocksetting) and its rows stay.

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("maintenance", "0002_clocksetting"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ClockSetting",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("set_to", models.DateTimeField(verbose_name="clock set to")),
                        ("set_at", models.DateTimeField(verbose_name="set at (real time)")),
                        ("set_by", models.CharField(blank=True, max_length=200, verbose_name="set by")),
                    ],
                    options={
                        "verbose_name": "portal clock",
                        "verbose_name_plural": "portal clock",
                        "db_table": "maintenance_clocksetting",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
