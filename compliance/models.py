"""The data version of the compliance pages (compliance/version.py).

Each row is one shard of the write counts: `counts` maps a table the pages show to how many
statements have written it, and `areas` the same per province, for the provinces of the rows
written ("*": a write that concerns every province). The triggers in the database
(compliance/migrations/0002_changes_per_province.py) add one in the shard of the writing
transaction (its id modulo SHARDS), so a change made by any path (a view, the admin, a queryset
`update()`, `bulk_create`, a loader, raw SQL in a shell) is counted in the same transaction and
seen by the next request that reads the counts. A transaction locks one counter row whatever it
writes, and two transactions share a row only one time in SHARDS: writers neither queue behind one
row per table nor lock two counter rows in opposite orders (a deadlock).
"""

from django.db import models

SHARDS = 64


class Changes(models.Model):
    shard = models.PositiveSmallIntegerField(primary_key=True)
    counts = models.JSONField(default=dict)  # {table: statements written}
    # {province code: {table: statements that wrote rows of the province}}; "*": of every province
    areas = models.JSONField(default=dict)

    class Meta:
        db_table = "compliance_changes"

    def __str__(self):
        return f"shard {self.shard}: {self.counts}"
