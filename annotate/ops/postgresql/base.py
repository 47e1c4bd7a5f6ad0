"""Django's PostgreSQL backend with a health check that costs no round trip, and prepared
statements for the hot queries (prepared_cursor).

With CONN_HEALTH_CHECKS Django sends `SELECT 1` before the first query of every request that
reuses a persistent connection: a quarter of a span save's round trips. A connection whose
server went away (a restart, pg_terminate_backend, a failover) has something on its socket
at that moment: the server's FATAL message and the end of the stream. So an idle connection
whose socket has nothing to read is taken as healthy without asking; anything else (a
readable socket, a transaction left open, libpq already knowing it is broken) gets Django's
own check, which reconnects when it fails. A server that vanished without closing the
socket passed `SELECT 1` no better: that query would have hung like the request's own."""
import select

from django.db.backends.postgresql import base, operations
from django.utils.asyncio import async_unsafe
from psycopg import errors, pq


def idle_and_quiet(connection) -> bool:
    """True when the psycopg connection is open, idle outside a transaction and nothing has
    arrived on its socket since the last answer was read (a poll with no wait, no query)."""
    if connection.closed or connection.broken:
        return False
    pgconn = connection.pgconn
    if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return False
    poller = select.poll()
    poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
    return not poller.poll(0)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        """The query log's SQL for a prepared_cursor statement too (psycopg keeps no text of a
        prepared run): composed on the client, as a server-binding backend does. Only the
        query log (DEBUG, tests) asks."""
        if isinstance(cursor, base.ServerBindingCursor):
            try:
                return self.compose_sql(sql, params)
            except errors.DataError:
                return None
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    @async_unsafe
    def prepared_cursor(self):
        """A Django cursor (errors mapped, queries logged and counted) over a psycopg cursor that
        sends the parameters apart from the SQL (server-side binding), so psycopg prepares a
        statement once it has run it prepare_threshold (5) times on this connection and
        PostgreSQL no longer parses and plans it on every run: for the statements every span
        save runs (token authentication, the permission read, the write). Django's other
        queries keep client-side binding (some of its SQL needs it)."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor = base.ServerBindingCursor(self.connection)
            tzloader = self.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, pq.Format.TEXT)
            if self.timezone != tzloader.timezone:
                base.register_tzloader(self.timezone, cursor)
        return self._prepare_cursor(cursor)

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and idle_and_quiet(self.connection)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
