"""Database expressions that Django lacks and that work alike on PostgreSQL and SQLite."""

from django.db.models import Aggregate, JSONField
from django.db.models.functions import Collate


class JSONRows(Aggregate):
    """The values of a group as one JSON array: `JSONRows(JSONArray("a", "b"))` gives
    `[[a, b], ...]` (PostgreSQL `JSONB_AGG`, SQLite `JSON_GROUP_ARRAY`). Lets one query bring a
    row with its few related rows, where a second query would cost a round trip."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


# PostgreSQL's ICU collation for Thai dictionary order (โคก… before หนอง…: leading vowels are read
# after the consonant, tone marks only break ties). initdb imports it from ICU into every database.
THAI_COLLATION = "th-TH-x-icu"


class ThaiCollate(Collate):
    """An expression sorted in Thai dictionary order: `order_by(ThaiCollate("name_th"))`.

    On PostgreSQL `… COLLATE "th-TH-x-icu"`; SQLite has no ICU, so there the expression keeps its
    code-point order (development and tests; production runs on PostgreSQL)."""

    def __init__(self, expression):
        super().__init__(expression, THAI_COLLATION)

    def as_sqlite(self, compiler, connection, **extra_context):
        return compiler.compile(self.get_source_expressions()[0])
