"""The data version of the compliance pages (compliance/version.py).

One row per table the pages show: its `n` goes up with every statement that writes the table,
counted by a trigger in the database (compliance/migrations/0001_changes.py), so a change made by
any path (a view, the admin, a queryset `update()`, `bulk_create`, a loader, raw SQL in a shell)
is counted in the same transaction, and seen by the next request that reads the counters.
"""

from django.db import models


class Changes(models.Model):
    source = models.CharField(primary_key=True, max_length=63)  # the table written
    n = models.BigIntegerField(default=0)

    class Meta:
        db_table = "compliance_changes"

    def __str__(self):
        return f"{self.source}: {self.n}"
