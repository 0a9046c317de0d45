"""The counters of compliance.models.Changes and the triggers that count the writes.

PostgreSQL: one statement-level trigger per table (`FOR EACH STATEMENT`: a bulk insert of 10,000
rows counts once). SQLite (the tests' default): row-level triggers, as SQLite has no other.
Where only some columns are shown (the user's name and contact, a reminder's status), the trigger
counts only updates OF those columns: a login's `last_login` or a message read changes nothing
the pages show.
"""

from django.db import migrations, models

# (app label, model, columns whose UPDATE counts; None: every update)
WATCHED = (
    ("registry", "Province", None),
    ("registry", "District", None),
    ("registry", "Organization", None),
    ("onboarding", "VerificationRequest", None),
    ("accounts", "Role", None),
    ("accounts", "User", ("email", "full_name", "phone", "is_active")),
    ("account", "EmailAddress", None),  # a confirmed address makes a staff member listed
    ("notifications", "Notification", ("status", "kind", "recipient_id")),
    ("circulars", "Circular", None),
    ("circulars", "Delivery", None),
    ("maintenance", "AccessRule", None),
    ("maintenance", "Discrepancy", None),
    ("core", "ClockSetting", None),
)

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION compliance_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE compliance_changes SET n = n + 1 WHERE source = TG_TABLE_NAME;
    RETURN NULL;
END $$
"""


def tables(apps):
    for label, name, columns in WATCHED:
        yield apps.get_model(label, name)._meta.db_table, columns


def install(apps, schema_editor):
    Changes = apps.get_model("compliance", "Changes")
    vendor = schema_editor.connection.vendor
    run = schema_editor.execute
    if vendor == "postgresql":
        run(PG_FUNCTION)
    for table, columns in tables(apps):
        Changes.objects.get_or_create(source=table)
        update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
        if vendor == "postgresql":
            run(
                f"CREATE TRIGGER compliance_changed AFTER INSERT OR {update} OR DELETE OR TRUNCATE"
                f' ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION compliance_changed()'
            )
        elif vendor == "sqlite":
            for event in ("INSERT", update, "DELETE"):
                tag = event.split()[0].lower()
                run(
                    f'CREATE TRIGGER "compliance_changed_{table}_{tag}" AFTER {event} ON "{table}"'
                    f" BEGIN UPDATE compliance_changes SET n = n + 1 WHERE source = '{table}'; END"
                )
        else:
            raise NotImplementedError(f"no change counter for the {vendor} database")


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, _columns in tables(apps):
        if vendor == "postgresql":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS compliance_changed ON "{table}"')
        else:
            for tag in ("insert", "update", "delete"):
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "compliance_changed_{table}_{tag}"')
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS compliance_changed()")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("registry", "0002_history_events"),
        ("onboarding", "0005_history_events"),
        ("accounts", "0011_sessions_back_to_django"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("notifications", "0010_membership_decision_kind"),
        ("circulars", "0009_draft_taken_in_on_the_portal_clock"),
        ("maintenance", "0003_clocksetting_moved_to_core"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Changes",
            fields=[
                ("source", models.CharField(max_length=63, primary_key=True, serialize=False)),
                ("n", models.BigIntegerField(default=0)),
            ],
            options={"db_table": "compliance_changes"},
        ),
        migrations.RunPython(install, remove),
    ]
