#!/usr/bin/env bash
# Back up the database and prove the backup restores: pg_dump (custom format) of DATABASE_URL,
# restore into a scratch database, compare the row count of every table, drop the scratch.
#
#   DATABASE_URL=postgres://user@host:5432/annotate deploy/backup-restore-check.sh [BACKUP_FILE]
#
# Exit 0 when every table has the same number of rows in the backup as in the database.
# Run it against a quiet database (or a replica): rows written during the dump differ.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
BACKUP="${1:-annotate-$(date -u +%Y%m%dT%H%M%SZ).dump}"
SCRATCH="${SCRATCH_DB:-annotate_restore_check_$$}"
SCRATCH_URL="${DATABASE_URL%/*}/$SCRATCH"

counts() {  # one "table rows" line per table of the public schema, sorted
  "$PG_BIN/psql" "$1" -X -At -v ON_ERROR_STOP=1 <<'SQL' | sort
SELECT format('SELECT %L || '' '' || count(*) FROM %I.%I;', tablename, schemaname, tablename)
FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename
\gexec
SQL
}

"$PG_BIN/pg_dump" --format=custom --no-owner --file="$BACKUP" "$DATABASE_URL"
echo "backup: $BACKUP ($(du -h "$BACKUP" | cut -f1))"
trap '"$PG_BIN/psql" "$DATABASE_URL" -X -qc "DROP DATABASE IF EXISTS $SCRATCH" >/dev/null' EXIT
"$PG_BIN/psql" "$DATABASE_URL" -X -qc "CREATE DATABASE $SCRATCH" >/dev/null
"$PG_BIN/pg_restore" --no-owner --exit-on-error --dbname="$SCRATCH_URL" "$BACKUP"
if diff <(counts "$DATABASE_URL") <(counts "$SCRATCH_URL"); then
  echo "restore check: $(counts "$SCRATCH_URL" | wc -l) tables, same row counts"
else
  echo "restore check FAILED: row counts differ (above: < database, > restored)" >&2
  exit 1
fi
