"""The history's pages without sorting the view (annotate.workflow.history_pages): SpanChange
rows in the history's order from an index per project; and every
SpanBatchDocument row's span ids sorted (batch_add sorts them from now on), so a row's first and
last id are its range. Reversible: the index goes; sorted lists are left sorted (the order of a
row's ids never meant anything)."""
from django.db import migrations, models


def sort_span_ids(apps, schema_editor):
    SpanBatchDocument = apps.get_model("annotate", "SpanBatchDocument")
    unsorted = []
    for row in SpanBatchDocument.objects.only("pk", "span_ids").iterator(chunk_size=2000):
        if row.span_ids != sorted(row.span_ids):
            row.span_ids = sorted(row.span_ids)
            unsorted.append(row)
    SpanBatchDocument.objects.bulk_update(unsorted, ["span_ids"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("annotate", "0008_span_history_compact_rows")]

    operations = [
        migrations.AddIndex(
            "spanchange", models.Index(fields=["project", "at", "span_id_value", "id"], name="spanchange_project_order")
        ),
        migrations.RunPython(sort_span_ids, migrations.RunPython.noop),
    ]
