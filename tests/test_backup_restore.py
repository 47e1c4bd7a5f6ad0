"""The backup recipe in docs/deploy.md works: a dump restores with every table's rows."""
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import DocumentFactory, SpanFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_scratch_database_with_the_same_row_counts(team, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the recipe is pg_dump and pg_restore")
    document = DocumentFactory(project=team.project, text="The ministry said that inflation fell.")
    SpanFactory(document=document, annotator=team.carol, start=4, end=12)
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    backup = tmp_path / "annotate.dump"
    result = subprocess.run(
        [str(ROOT / "deploy" / "backup-restore-check.sh"), str(backup)],
        env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "SCRATCH_DB": f"{db['NAME']}_restore"},
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "same row counts" in result.stdout
    tables = int(result.stdout.split("restore check: ")[1].split(" tables")[0])
    assert tables >= 10  # every table of the schema was counted, not none
    assert backup.stat().st_size > 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [f"{db['NAME']}_restore"])
        assert cursor.fetchone()[0] == 0  # the scratch database is gone
