"""Drop the single-column foreign-key indexes that a composite index already leads with: every
lookup by that column is served by the composite, and each span, document or history row
written kept one index more up to date (an import's 101,000 spans, every save).

Only the indexes go: the models say db_index=False (the state), and the database drops the
index by name, on PostgreSQL and SQLite alike. An AlterField would have rebuilt the tables on
SQLite, which the span history view (0007) and the links trigger (0006) do not survive. The
history's project index has kept the name it was given when the table was annotate_spanevent
on PostgreSQL.
"""

import django.db.models.deletion
from django.db import migrations, models


INDEXES = [  # (index, table, column, the one database it has this name on, or None)
    ("annotate_assignment_document_id_1e821f3c", "annotate_assignment", "document_id", None),
    ("annotate_document_project_id_cfb6c93e", "annotate_document", "project_id", None),
    ("annotate_membership_project_id_bbece2ea", "annotate_membership", "project_id", None),
    ("annotate_span_document_id_22a1160e", "annotate_span", "document_id", None),
    ("annotate_spanevent_project_id_96b34953", "annotate_spanchange", "project_id", "postgresql"),
    ("annotate_spanchange_project_id_cf93df09", "annotate_spanchange", "project_id", "sqlite"),
    ("annotate_spanlink_attribution_id_cc56daa6", "annotate_spanlink", "attribution_id", None),
]


def drop(apps, schema_editor):
    for name, _, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def restore(apps, schema_editor):
    q = schema_editor.quote_name
    for name, table, column, vendor in INDEXES:
        if vendor in (None, schema_editor.connection.vendor):
            schema_editor.execute(f"CREATE INDEX {q(name)} ON {q(table)} ({q(column)})")


class Migration(migrations.Migration):

    dependencies = [
        ("annotate", "0009_span_history_order_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='assignment',
                    name='document',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='annotate.document'),
                ),
                migrations.AlterField(
                    model_name='document',
                    name='project',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='documents', to='annotate.project'),
                ),
                migrations.AlterField(
                    model_name='membership',
                    name='project',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='annotate.project'),
                ),
                migrations.AlterField(
                    model_name='span',
                    name='document',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='spans', to='annotate.document'),
                ),
                migrations.AlterField(
                    model_name='spanchange',
                    name='project',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='annotate.project'),
                ),
                migrations.AlterField(
                    model_name='spanlink',
                    name='attribution',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='links_out', to='annotate.span'),
                ),
            ],
            database_operations=[migrations.RunPython(drop, restore)],
        ),
    ]
