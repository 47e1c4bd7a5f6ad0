"""Compress document text with lz4 on PostgreSQL (14+): bulk imports of 4 KB texts spend less
time in pglz. Other databases: nothing to do."""
from django.db import migrations


def set_lz4(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql" and schema_editor.connection.pg_version >= 140000:
        schema_editor.execute("ALTER TABLE annotate_document ALTER COLUMN text SET COMPRESSION lz4")


def set_pglz(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql" and schema_editor.connection.pg_version >= 140000:
        schema_editor.execute("ALTER TABLE annotate_document ALTER COLUMN text SET COMPRESSION pglz")


class Migration(migrations.Migration):
    dependencies = [("annotate", "0001_initial")]
    operations = [migrations.RunPython(set_lz4, set_pglz)]
