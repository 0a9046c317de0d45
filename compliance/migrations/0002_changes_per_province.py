"""The write counters per province as well: a write in one province changes the data version of
that province's pages (and its districts'), not every province's (issue 23).

Besides the national count of a table (`counts`, as in 0001), the triggers count in `areas` the
provinces of the rows written: {province code: {table: statements}}, with "*" for a write that
concerns every province (a rule, a circular, the clock, a TRUNCATE, a row whose province cannot be
told). Each table maps its rows to a province by an SQL query (AREAS below): an organisation by its
district, a request by its organisation, a role by its organisation or area, a user or an e-mail
address by their roles (none: on no province's page), a notification by its recipient's roles
("*" when they have none), a delivery by its province, district or organisation.

PostgreSQL: statement-level triggers with transition tables (`REFERENCING NEW TABLE ... OLD
TABLE`), one per event as transition tables require, so a bulk write still counts once, in every
province it touched; an UPDATE counts the provinces of the rows before and after. Transition
tables cannot be given to a trigger with a column list (`UPDATE OF`), so where only some columns
are shown the function compares them, old row with new: an update that changes none of them (a
login's `last_login`, a message read) counts nothing. A statement that wrote no row counts
nothing. TRUNCATE keeps a plain trigger and counts "*". The one counter row locked per
transaction (its shard) holds both counts. SQLite (the tests' default): row-level triggers.
"""

import importlib

from django.db import migrations, models

first = importlib.import_module("compliance.migrations.0001_changes")

SHARDS = 64  # compliance.models.SHARDS when this was written

# The province code of a province, district or organisation id (NULL if there is none).
PROVINCE = "(SELECT p.code FROM onboarding_province p WHERE p.id = {})"
OF_DISTRICT = (
    "(SELECT p.code FROM onboarding_district d JOIN onboarding_province p ON p.id = d.province_id"
    " WHERE d.id = {})"
)
OF_ORGANIZATION = (
    "(SELECT p.code FROM onboarding_organization o JOIN onboarding_district d"
    " ON d.id = o.district_id JOIN onboarding_province p ON p.id = d.province_id WHERE o.id = {})"
)


def role_area(alias: str) -> str:
    """A role's province: its organisation's, its district's or its own (NULL: the country)."""
    return (
        f"COALESCE({OF_ORGANIZATION.format(alias + '.organization_id')},"
        f" {OF_DISTRICT.format(alias + '.district_id')}, {PROVINCE.format(alias + '.province_id')})"
    )


def by_roles(user_column: str, join: str) -> str:
    return (
        f"SELECT {role_area('ro')} FROM {{rows}} r {join} accounts_role ro"
        f" ON ro.user_id = r.{user_column}"
    )


# table: (the columns of a written row the query reads, the query of its provinces from {rows};
# a NULL is "*"); None: every write counts "*"
AREAS = {
    "onboarding_province": (("code",), "SELECT r.code FROM {rows} r"),
    "onboarding_district": (
        ("province_id",),
        f"SELECT {PROVINCE.format('r.province_id')} FROM {{rows}} r",
    ),
    "onboarding_organization": (
        ("district_id",),
        f"SELECT {OF_DISTRICT.format('r.district_id')} FROM {{rows}} r",
    ),
    "onboarding_verificationrequest": (
        ("organization_id",),
        f"SELECT {OF_ORGANIZATION.format('r.organization_id')} FROM {{rows}} r",
    ),
    "accounts_role": (
        ("organization_id", "district_id", "province_id"),
        f"SELECT {role_area('r')} FROM {{rows}} r",
    ),
    # on the pages of their roles' provinces only: without a role, on none
    "accounts_user": (("id",), by_roles("id", "JOIN")),
    "account_emailaddress": (("user_id",), by_roles("user_id", "JOIN")),
    # counted by the recipient's roles (compliance.stats.reminder_counts): without one, "*"
    "notifications_notification": (("recipient_id",), by_roles("recipient_id", "LEFT JOIN")),
    "circulars_delivery": (
        ("province_id", "district_id", "organization_id"),
        f"SELECT COALESCE({PROVINCE.format('r.province_id')},"
        f" {OF_DISTRICT.format('r.district_id')}, {OF_ORGANIZATION.format('r.organization_id')})"
        " FROM {rows} r",
    ),
    "circulars_circular": None,
    "maintenance_accessrule": None,
    "maintenance_discrepancy": None,
    "maintenance_clocksetting": None,  # (core.ClockSetting kept its table)
}

# TG_ARGV: [0] the provinces' query ({rows} as %1$s), or '' for "*"; [1] the shown columns,
# comma-separated, or '' for every column. The provinces are counted in the shard's `areas`, the
# table in its `counts`, in one statement on the one row.
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION compliance_counted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    query text := TG_ARGV[0];
    shown text := TG_ARGV[1];
    new_src text := 'new_rows';
    old_src text := 'old_rows';
    changed text;
    written boolean;
    provinces text[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        provinces := ARRAY['*'];
    ELSE
        IF TG_OP = 'UPDATE' AND shown <> '' THEN
            -- only the rows where a shown column changed
            changed := format(
                ' FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE (%s) IS DISTINCT FROM (%s))',
                regexp_replace(shown, '([a-z_]+)', 'n.\\1', 'g'),
                regexp_replace(shown, '([a-z_]+)', 'o.\\1', 'g'));
            new_src := '(SELECT n.*' || changed;
            old_src := '(SELECT o.*' || changed;
        END IF;
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s w)',
                       CASE TG_OP WHEN 'DELETE' THEN old_src ELSE new_src END) INTO written;
        IF NOT written THEN
            RETURN NULL;  -- no row written: nothing changed
        END IF;
        IF query = '' THEN
            provinces := ARRAY['*'];
        ELSE
            EXECUTE format(
                'SELECT COALESCE(array_agg(DISTINCT COALESCE(a, ''*'')), ''{{}}'') FROM (%s) s(a)',
                CASE TG_OP
                    WHEN 'INSERT' THEN format(query, new_src)
                    WHEN 'DELETE' THEN format(query, old_src)
                    ELSE format(query, new_src) || ' UNION ALL ' || format(query, old_src)
                END) INTO provinces;
        END IF;
    END IF;
    INSERT INTO compliance_changes AS c (shard, counts, areas)
    VALUES (
        mod(txid_current(), {SHARDS}),
        jsonb_build_object(TG_TABLE_NAME, 1),
        COALESCE((SELECT jsonb_object_agg(a, jsonb_build_object(TG_TABLE_NAME, 1))
                  FROM unnest(provinces) a), '{{}}')
    )
    ON CONFLICT (shard) DO UPDATE SET
        counts = jsonb_set(c.counts, ARRAY[TG_TABLE_NAME],
            to_jsonb(COALESCE((c.counts ->> TG_TABLE_NAME)::bigint, 0) + 1)),
        areas = c.areas || COALESCE((
            SELECT jsonb_object_agg(a, COALESCE(c.areas -> a, '{{}}') || jsonb_build_object(
                TG_TABLE_NAME, COALESCE((c.areas -> a ->> TG_TABLE_NAME)::bigint, 0) + 1))
            FROM unnest(provinces) a), '{{}}');
    RETURN NULL;
END $$
"""

# SQLite has one writer at a time: one shard; json_patch merges the provinces' objects.
SQLITE_BODY = (
    "INSERT OR IGNORE INTO compliance_changes (shard, counts, areas) VALUES (0, '{{}}', '{{}}'); "
    "UPDATE compliance_changes SET counts = json_set(counts, '$.\"{table}\"', "
    "COALESCE(json_extract(counts, '$.\"{table}\"'), 0) + 1), "
    "areas = json_patch(areas, (SELECT json_group_object(a, json_object('{table}', "
    "COALESCE(json_extract(areas, '$.\"' || a || '\".\"{table}\"'), 0) + 1)) "
    "FROM (SELECT DISTINCT COALESCE(a, '*') AS a FROM (SELECT NULL AS a WHERE 0 UNION ALL {query})))) "
    "WHERE shard = 0;"
)


def tables(apps):
    yield from first.tables(apps)


def sqlite_query(table: str, row: str) -> str:
    """The provinces of the row NEW or OLD, as a query."""
    area = AREAS[table]
    if area is None:
        return "SELECT '*' AS a"
    columns, query = area
    rows = "(SELECT " + ", ".join(f"{row}.{c} AS {c}" for c in columns) + ")"
    return query.format(rows=rows)


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor

    def run(sql):  # no parameters: the `%` of format() are the SQL's own
        schema_editor.execute(sql, params=None)

    if vendor == "postgresql":
        run(PG_FUNCTION)
    for table, columns in tables(apps):
        shown = ",".join(columns) if columns else ""
        if vendor == "postgresql":
            query = "" if AREAS[table] is None else AREAS[table][1].format(rows="%1$s")
            args = f"{quote(query)}, {quote(shown)}"
            for event, referencing in (
                ("INSERT", "NEW TABLE AS new_rows"),
                ("UPDATE", "NEW TABLE AS new_rows OLD TABLE AS old_rows"),
                ("DELETE", "OLD TABLE AS old_rows"),
            ):
                run(
                    f'CREATE TRIGGER compliance_counted_{event.lower()} AFTER {event} ON "{table}"'
                    f" REFERENCING {referencing} FOR EACH STATEMENT"
                    f" EXECUTE FUNCTION compliance_counted({args})"
                )
            run(
                f'CREATE TRIGGER compliance_counted_truncate AFTER TRUNCATE ON "{table}"'
                f" FOR EACH STATEMENT EXECUTE FUNCTION compliance_counted({args})"
            )
        elif vendor == "sqlite":
            update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
            for event, query in (
                ("INSERT", sqlite_query(table, "NEW")),
                (update, f"{sqlite_query(table, 'NEW')} UNION ALL {sqlite_query(table, 'OLD')}"),
                ("DELETE", sqlite_query(table, "OLD")),
            ):
                tag = event.split()[0].lower()
                body = SQLITE_BODY.format(table=table, query=query)
                run(
                    f'CREATE TRIGGER "compliance_counted_{table}_{tag}" AFTER {event} ON "{table}"'
                    f" BEGIN {body} END"
                )
        else:
            raise NotImplementedError(f"no change counter for the {vendor} database")


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, _columns in tables(apps):
        for tag in ("insert", "update", "delete", "truncate"):
            if vendor == "postgresql":
                schema_editor.execute(f'DROP TRIGGER IF EXISTS compliance_counted_{tag} ON "{table}"')
            else:
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "compliance_counted_{table}_{tag}"')
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS compliance_counted()")


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_changes")]

    # 0001's triggers go first: SQLite remakes the table to add the column, which a trigger naming
    # it forbids.
    operations = [
        migrations.RunPython(first.remove, first.install),
        migrations.AddField(
            model_name="changes",
            name="areas",
            field=models.JSONField(default=dict),
        ),
        migrations.RunPython(install, remove),
    ]
