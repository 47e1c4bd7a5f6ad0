"""Span history that costs little: SpanEvent (one row per span change, each with a full JSON
copy) becomes SpanChange, written only for single changes; an import or an accept-all-agreed is
one SpanBatch naming its spans per document (SpanBatchDocument). `annotate_spanevent` is now a
view over both, so every reader still sees one create per span. The view reads only the history's
own tables (not annotate_span or annotate_document), so later migrations of those tables, which
SQLite makes by rebuilding them, never meet it. 0008 converts the rows already there."""
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

COLUMNS = "id, project_id, document_id, span_id_value, actor_id, action, before, after, at, batch_id"

VIEW = {
    "postgresql": f"""
CREATE VIEW annotate_spanevent ({COLUMNS}) AS
SELECT c.id, c.project_id, c.document_id, c.span_id_value, c.actor_id, c.action, c.before, c.after, c.at,
       NULL::bigint
FROM annotate_spanchange c
UNION ALL
SELECT -(m.value::bigint), b.project_id, p.document_id, m.value::bigint, b.actor_id, 'create', NULL::jsonb,
       NULL::jsonb, b.at, b.id
FROM annotate_spanbatch b
JOIN annotate_spanbatchdocument p ON p.batch_id = b.id
CROSS JOIN LATERAL jsonb_array_elements_text(p.span_ids) AS m(value)
""",
    "sqlite": f"""
CREATE VIEW annotate_spanevent ({COLUMNS}) AS
SELECT c.id, c.project_id, c.document_id, c.span_id_value, c.actor_id, c.action, c.before, c.after, c.at, NULL
FROM annotate_spanchange c
UNION ALL
SELECT -m.value, b.project_id, p.document_id, m.value, b.actor_id, 'create', NULL, NULL, b.at, b.id
FROM annotate_spanbatch b
JOIN annotate_spanbatchdocument p ON p.batch_id = b.id, json_each(p.span_ids) AS m
""",
}


def create_view(apps, schema_editor):
    schema_editor.execute(VIEW[schema_editor.connection.vendor])


def drop_view(apps, schema_editor):
    schema_editor.execute("DROP VIEW IF EXISTS annotate_spanevent")


class Migration(migrations.Migration):
    dependencies = [
        ("annotate", "0006_attribution_links_trigger"),
        # RenameModel renames the model's content type too, with contenttypes' model as of here
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("SpanEvent", "SpanChange"),
        migrations.AlterField(
            model_name="spanchange",
            name="document",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="span_changes", to="annotate.document"
            ),
        ),
        migrations.AlterField(
            model_name="spanchange", name="at", field=models.DateTimeField(db_index=True, default=django.utils.timezone.now)
        ),
        migrations.AddIndex("spanchange", models.Index(fields=["span_id_value"], name="spanchange_span")),
        migrations.CreateModel(
            name="SpanBatch",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.CharField(choices=[("import", "Import"), ("accept_agreed", "Accept all agreed")], max_length=16)),
                ("at", models.DateTimeField()),
                ("actor", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("project", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="annotate.project")),
            ],
            options={"ordering": ["id"]},
        ),
        migrations.CreateModel(
            name="SpanBatchDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("span_ids", models.JSONField(default=list)),
                ("batch", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="documents", to="annotate.spanbatch")),
                ("document", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="annotate.document")),
            ],
            options={"ordering": ["id"]},
        ),
        migrations.CreateModel(
            name="SpanEvent",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("span_id_value", models.BigIntegerField()),
                ("action", models.CharField(choices=[("create", "Create"), ("update", "Update"), ("delete", "Delete")], max_length=8)),
                ("before", models.JSONField(blank=True, null=True)),
                ("after", models.JSONField(blank=True, null=True)),
                ("at", models.DateTimeField()),
                ("actor", models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("batch", models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="annotate.spanbatch")),
                ("document", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="annotate.document")),
                ("project", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="annotate.project")),
            ],
            options={"managed": False, "db_table": "annotate_spanevent", "ordering": ["at", "span_id_value", "id"]},
        ),
        migrations.RunPython(create_view, drop_view),
    ]
