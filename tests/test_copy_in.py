"""An import's span COPY checks the spans' foreign keys once per key, not once per span
(annotate.copy_in.copy_rows_keys_checked_per_table), and leaves nothing a trigger would catch
unchecked: the referenced rows are locked before the COMMIT, a missing one is refused before
any row is written, and a table with a trigger of its own keeps it."""
import io
import uuid

import psycopg
import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from annotate.copy_in import copy_rows_keys_checked_per_table
from annotate.datasets.import_writes import SPAN_COLUMNS
from annotate.datasets.services import dataset_import
from annotate.models import Span
from annotate.permissions import access_for
from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory, SpanFactory, UserFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and its triggers are PostgreSQL's")


def span_row(pk: int, document, annotator_id: int, label: str = "assertion") -> tuple:
    now = timezone.now()
    return (pk, document.pk, annotator_id, "individual", label, 0, 3, document.text[:3], "", "", "", [], 1, now, now)


def next_span_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('annotate_span', 'id'))")
        return cursor.fetchone()[0]


def row_is_locked(table: str, pk: int) -> bool:
    """Whether another connection is refused a FOR UPDATE lock on the row, as a delete would be."""
    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
                         dbname=settings["NAME"], password=settings["PASSWORD"] or None) as other:  # fmt: skip
        try:
            found = other.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk]).fetchall()
        except psycopg.errors.LockNotAvailable:
            return True
        assert found, f"{table} {pk} is not visible to another connection"
        return False


@pytest.mark.django_db(transaction=True)
def test_an_import_locks_the_spans_annotator_before_its_commit_as_the_per_span_check_would_at_it():
    user = UserFactory(username="importer")
    project = ProjectFactory()
    MembershipFactory(project=project, user=user, role="manager")
    line = b'{"title": "One", "text": "The ministry said so.", "spans": [{"start": 0, "end": 12, "label": "assertion"}]}\n'
    with transaction.atomic():
        result = dataset_import(project=project, access=access_for(user, project.pk), actor=user,
                                stream=io.BytesIO(line), file_name="one.jsonl", size=len(line), format="jsonl")  # fmt: skip
        assert result["spans"] == 1
        assert row_is_locked("auth_user", user.pk)  # deferred triggers would lock it only at the COMMIT
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone() == ("origin",)  # what follows in the transaction fires its triggers
    assert not row_is_locked("auth_user", user.pk)
    assert Span.objects.filter(document__project=project, annotator=user).count() == 1


@pytest.mark.django_db
def test_a_span_whose_document_is_missing_is_refused_before_any_row_is_written():
    document, user = DocumentFactory(text="abcdef"), UserFactory()
    missing = document.pk + 1000
    row = span_row(next_span_id(), document, user.pk)
    rows = [row, (row[0] + 1, missing, *row[2:])]
    with pytest.raises(IntegrityError, match=rf"annotate_span_document_id\w*.*\(document_id\)=\({missing}\)"):
        copy_rows_keys_checked_per_table(connection.cursor(), "annotate_span", SPAN_COLUMNS, rows)
    assert Span.objects.count() == 0  # and the transaction is still usable


@pytest.mark.django_db
def test_a_span_whose_annotator_is_missing_is_refused_too():
    document = DocumentFactory(text="abcdef")
    with pytest.raises(IntegrityError, match=r"\(annotator_id\)=\(987654\).*auth_user"):
        copy_rows_keys_checked_per_table(connection.cursor(), "annotate_span", SPAN_COLUMNS,
                                         [span_row(next_span_id(), document, 987654)])  # fmt: skip


@pytest.mark.django_db
def test_a_table_with_an_insert_trigger_of_its_own_keeps_it():
    """annotate_spanlink's trigger refuses a link from a span that is not an attribution."""
    assertion = SpanFactory(document=DocumentFactory(text="abcdef"), label="assertion")
    target = SpanFactory(document=assertion.document, annotator=assertion.annotator, start=3, end=6)
    with pytest.raises(DatabaseError, match="Only attribution spans carry links"):
        with transaction.atomic():
            copy_rows_keys_checked_per_table(connection.cursor(), "annotate_spanlink", ("attribution_id", "target_id", "created_at"),
                                             [(assertion.pk, target.pk, timezone.now())])  # fmt: skip


def act_as_a_new_role(cursor, *, may_set_the_replication_role: bool) -> None:
    """For the rest of the transaction, a role that is no superuser (created in it, so undone
    with it), as a production deployment's (docs/deploy.md)."""
    role = f"annotate_test_{uuid.uuid4().hex[:8]}"
    cursor.execute(f"CREATE ROLE {role} NOLOGIN NOSUPERUSER")
    cursor.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
    if may_set_the_replication_role:
        cursor.execute(f"GRANT SET ON PARAMETER session_replication_role TO {role}")
    cursor.execute(f"SET LOCAL ROLE {role}")


@pytest.mark.django_db
def test_a_role_that_may_not_skip_triggers_gets_them_and_the_commit_still_checks():
    """Without the right to set session_replication_role the COPY runs with the per-row
    triggers: a missing document passes the COPY and is refused at the COMMIT's checks."""
    document, user = DocumentFactory(text="abcdef"), UserFactory()
    row = span_row(next_span_id(), document, user.pk)
    with connection.cursor() as cursor, pytest.raises(IntegrityError, match="annotate_span_document_id"):
        with transaction.atomic():  # its rollback drops the queued checks too
            act_as_a_new_role(cursor, may_set_the_replication_role=False)
            copy_rows_keys_checked_per_table(cursor, "annotate_span", SPAN_COLUMNS,
                                             [row, (row[0] + 1, document.pk + 1000, *row[2:])])  # fmt: skip
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone() == ("origin",)
            assert Span.objects.count() == 2  # written: the check is the trigger's, at the COMMIT
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what the COMMIT does


@pytest.mark.django_db
def test_a_role_granted_set_on_the_replication_role_checks_once_per_key():
    """What docs/deploy.md grants the app's role (PostgreSQL 15+)."""
    document, user = DocumentFactory(text="abcdef"), UserFactory()
    row = span_row(next_span_id(), document, user.pk)
    with connection.cursor() as cursor, transaction.atomic():
        act_as_a_new_role(cursor, may_set_the_replication_role=True)
        with pytest.raises(IntegrityError, match=rf"^insert on table .*\(document_id\)=\({document.pk + 1000}\)"):
            copy_rows_keys_checked_per_table(cursor, "annotate_span", SPAN_COLUMNS,
                                             [row, (row[0] + 1, document.pk + 1000, *row[2:])])  # fmt: skip
        assert Span.objects.count() == 0
