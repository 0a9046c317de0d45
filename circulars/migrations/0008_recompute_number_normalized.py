"""Recompute Circular.number_normalized and number_compact with today's normalize_number.

normalize_number now folds the spellings people write to one form ("กค405.4/ว.395" and
"กค 405.4/ว 395"; "ว.617" and "ว 617"), so rows saved before hold a form that a search or a
reference by the new form no longer finds. Two rows that now normalise alike on the same date are
one letter stored twice: the first keeps the new form, the later ones keep theirs (the unique
constraint forbids two alike), and the migration names them so an officer can merge them.
History rows (HistoricalCircular) are left as they were: they record what was stored then.
"""

from django.db import migrations

from core.thai import normalize_number


def recompute(apps, schema_editor):
    Circular = apps.get_model("circulars", "Circular")
    groups: dict[tuple, list] = {}
    rows = Circular.objects.order_by("id").only("id", "number", "number_normalized", "issued_on")
    for row in rows:
        groups.setdefault((normalize_number(row.number), row.issued_on), []).append(row)
    for (normalized, issued_on), alike in groups.items():
        # The row that already holds the new form keeps it; else the first stored.
        winner = next((r for r in alike if r.number_normalized == normalized), alike[0])
        for other in alike:
            if normalized and other is not winner:
                print(f"  circular {other.pk} ({other.number!r}) repeats {winner.pk}, {issued_on}")
        if winner.number_normalized != normalized:
            Circular.objects.filter(pk=winner.pk).update(
                number_normalized=normalized, number_compact=normalized.replace(" ", "")
            )


class Migration(migrations.Migration):
    dependencies = [("circulars", "0007_letter_kind")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
