"""The database backs "only attribution spans carry links" (annotate/models.py SpanLink): the link
services check it under a lock on the span; these PostgreSQL triggers refuse any other write that
breaks it (a direct ORM write, a script, a race the lock missed) with a check violation
(IntegrityError). A link locks its attribution span FOR SHARE while it checks the label, so a
relabel running at the same moment waits and then sees the link. SQLite (a first run, one
writer at a time) has no triggers here: the services' check is all it has."""
from django.db import migrations

CREATE = r"""
CREATE FUNCTION annotate_spanlink_needs_attribution() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM annotate_span WHERE id = NEW.attribution_id AND label = 'attribution' FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Only attribution spans carry links (span %).', NEW.attribution_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER annotate_spanlink_needs_attribution
    BEFORE INSERT OR UPDATE OF attribution_id ON annotate_spanlink
    FOR EACH ROW EXECUTE FUNCTION annotate_spanlink_needs_attribution();

CREATE FUNCTION annotate_span_relabel_keeps_links() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM annotate_spanlink WHERE attribution_id = NEW.id) THEN
        RAISE EXCEPTION 'Span % carries links: remove them before it stops being an attribution.', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER annotate_span_relabel_keeps_links
    BEFORE UPDATE OF label ON annotate_span
    FOR EACH ROW WHEN (OLD.label = 'attribution' AND NEW.label IS DISTINCT FROM 'attribution')
    EXECUTE FUNCTION annotate_span_relabel_keeps_links();
"""

DROP = r"""
DROP TRIGGER IF EXISTS annotate_span_relabel_keeps_links ON annotate_span;
DROP FUNCTION IF EXISTS annotate_span_relabel_keeps_links();
DROP TRIGGER IF EXISTS annotate_spanlink_needs_attribution ON annotate_spanlink;
DROP FUNCTION IF EXISTS annotate_spanlink_needs_attribution();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # None: the % of RAISE are not placeholders

    return run


class Migration(migrations.Migration):
    dependencies = [("annotate", "0005_span_unique_identical")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
