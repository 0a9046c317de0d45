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

# One counter row per shard, the shard of the writing transaction: a transaction locks one row
# whatever tables it writes (no two counter rows taken in opposite orders), and two transactions
# wait for each other only when their ids fall in the same shard. The row is made if a flush or a
# restore left the table empty.
SHARDS = 64  # compliance.models.SHARDS when this was written
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION compliance_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO compliance_changes AS c (shard, counts)
    VALUES (mod(txid_current(), {SHARDS}), jsonb_build_object(TG_TABLE_NAME, 1))
    ON CONFLICT (shard) DO UPDATE SET counts = jsonb_set(
        c.counts, ARRAY[TG_TABLE_NAME], to_jsonb(COALESCE((c.counts ->> TG_TABLE_NAME)::bigint, 0) + 1)
    );
    RETURN NULL;
END $$
"""
# SQLite has one writer at a time: one shard.
SQLITE_BODY = (
    "INSERT OR IGNORE INTO compliance_changes (shard, counts) VALUES (0, '{{}}'); "
    "UPDATE compliance_changes SET counts = json_set(counts, '$.\"{table}\"', "
    "COALESCE(json_extract(counts, '$.\"{table}\"'), 0) + 1) WHERE shard = 0;"
)


def tables(apps):
    for label, name, columns in WATCHED:
        yield apps.get_model(label, name)._meta.db_table, columns


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    run = schema_editor.execute
    if vendor == "postgresql":
        run(PG_FUNCTION)
    for table, columns in tables(apps):
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
                    f" BEGIN {SQLITE_BODY.format(table=table)} END"
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
                ("shard", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("counts", models.JSONField(default=dict)),
            ],
            options={"db_table": "compliance_changes"},
        ),
        migrations.RunPython(install, remove),
    ]
