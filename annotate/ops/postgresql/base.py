"""Django's PostgreSQL backend with a health check that costs no round trip.

With CONN_HEALTH_CHECKS Django sends `SELECT 1` before the first query of every request that
reuses a persistent connection: a quarter of a span save's round trips. A connection whose
server went away (a restart, pg_terminate_backend, a failover) has something on its socket
at that moment: the server's FATAL message and the end of the stream. So an idle connection
whose socket has nothing to read is taken as healthy without asking; anything else (a
readable socket, a transaction left open, libpq already knowing it is broken) gets Django's
own check, which reconnects when it fails. A server that vanished without closing the
socket passed `SELECT 1` no better: that query would have hung like the request's own."""
import select

from django.db.backends.postgresql import base
from psycopg import pq


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


class DatabaseWrapper(base.DatabaseWrapper):
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
