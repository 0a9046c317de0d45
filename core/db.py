"""Database expressions that Django lacks and that work alike on PostgreSQL and SQLite."""

import functools
import hashlib
import re

from django.db import DEFAULT_DB_ALIAS, connections
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


class OneRowQuery:
    """A query for one model instance by primary key, compiled to SQL once per process and
    database, then run with each key: what `build(pk).first()` gives, without building and
    compiling the queryset again on every call.

    For the queries that every request runs (the logged-in user with their second factor, roles
    and badge: accounts.backends). Measured on the national data set: building and compiling
    that queryset took 9.2 ms of the 11.8 ms `get_user` cost, executing it 2.1 ms (PostgreSQL,
    the machine under load). The SQL holds no value but the key, so it is the same for every
    user; the values are read from the database on every call.

    On PostgreSQL the statement is also prepared once per connection (`PREPARE`, then `EXECUTE`
    with the key): PostgreSQL then plans it once instead of on every request. Planning that query
    took 0.37 ms against 0.07 ms to run it (EXPLAIN ANALYZE, national data set); a request's
    round trip went from 575 to 298 us. A prepared statement belongs to the connection and
    survives a rollback; a new connection prepares it again. (A transaction-pooling proxy such
    as PgBouncer in `transaction` mode would break this; the portal connects to PostgreSQL
    directly, README, Deployment.)
    """

    _MARKER = -7_919_123_457  # a key no row has: its place in the parameters takes the real key

    def __init__(self, build, *, marker=_MARKER):
        """`build(key)` gives the queryset for one key; `marker` is a key of the same type that
        no row has (its place in the compiled parameters takes each real key)."""
        self._build = build
        self._marker = marker
        self._compiled: dict[str, tuple] = {}

    def _compile(self, using: str) -> tuple:
        queryset = self._build(self._marker).using(using)[:1]
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        slots = [i for i, p in enumerate(params) if p == self._marker]
        if len(slots) != 1:
            raise ValueError("the query must use its key exactly once")
        select = compiler.select
        fields = compiler.klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        converters = compiler.get_converters([column[0] for column in select])
        compiled = (
            sql,
            list(params),
            slots[0],
            compiler,
            converters,
            (start, end, init_list),
            dict(compiler.annotation_col_map),
            queryset.model,
        )
        self._compiled[using] = compiled
        return compiled

    def get(self, pk, using: str = DEFAULT_DB_ALIAS):
        """The instance with this key, with the query's annotations as attributes, or None."""
        compiled = self._compiled.get(using) or self._compile(using)
        sql, params, slot, compiler, converters, (start, end, init_list), annotations, model = (
            compiled
        )
        params = params.copy()
        params[slot] = pk
        connection = connections[using]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(self._prepared(connection, sql, len(params)), params)
            else:
                cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if converters:
            row = next(iter(compiler.apply_converters([row], converters)))
        instance = model.from_db(using, init_list, row[start:end])
        for name, position in annotations.items():
            setattr(instance, name, row[position])
        return instance

    @staticmethod
    def _prepared(connection, sql: str, arity: int) -> str:
        """`EXECUTE name (%s, ...)` for `sql`, prepared on this very connection first if needed
        (the set of prepared names is kept per psycopg connection object: a reconnection starts
        empty)."""
        name, execute = _statement(sql, arity)
        raw = connection.connection
        held = connection.__dict__.get(_PREPARED_ATTR)
        if held is None or held[0] is not raw:
            held = (raw, set())
            connection.__dict__[_PREPARED_ATTR] = held
        if name not in held[1]:
            with raw.cursor() as cursor:
                cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
            held[1].add(name)
            PREPARED_SQL[name] = sql
        return execute


@functools.lru_cache(maxsize=64)
def _statement(sql: str, arity: int) -> tuple[str, str]:
    """The prepared statement's name for `sql` and the `EXECUTE` that runs it: computed once,
    not hashed again on every request."""
    name = "elaas_" + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:16]
    execute = f"EXECUTE {name} ({', '.join(['%s'] * arity)})" if arity else f"EXECUTE {name}"
    return name, execute


_PREPARED_ATTR = "_elaas_prepared"
# name -> SQL of each statement prepared by this process (one per OneRowQuery): what an
# `EXECUTE name (...)` seen in a query log stands for (`statement_sql`).
PREPARED_SQL: dict[str, str] = {}
_EXECUTE = re.compile(r"EXECUTE (elaas_[0-9a-f]{16})\b")


def statement_sql(sql: str) -> str:
    """The SQL an executed statement stands for: `EXECUTE name (...)` of a statement prepared
    here gives its SQL, anything else is itself."""
    match = _EXECUTE.match(sql)
    return PREPARED_SQL.get(match.group(1), sql) if match else sql


_PLACEHOLDER = re.compile(r"%[s%]")


def _numbered(sql: str) -> str:
    """Django's `%s` placeholders as PostgreSQL's `$1, $2, ...` (and `%%` as `%`)."""
    count = 0

    def number(match):
        nonlocal count
        if match.group(0) == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)
