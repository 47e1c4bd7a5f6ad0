"""annotate/ops/postgresql, Django's PostgreSQL backend with two changes:
- the per-request health check (CONN_HEALTH_CHECKS) without a round trip: a quiet idle
  connection is reused without `SELECT 1`; one whose server went away, or that has anything
  unread, gets Django's own check, which reconnects;
- the span save's statements are prepared on the server after a few runs (prepared_cursor),
  and the query log still shows their SQL."""
import select
import time

import psycopg
import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the connection idle outside a transaction, as between requests
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the backend is PostgreSQL's"),
]


def next_request():
    """What Django does between two requests on one thread (request_started / finished)."""
    connection.close_if_unusable_or_obsolete()


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def other_connection() -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"], autocommit=True
    )


def wait_until_readable(seconds: float = 10.0) -> None:
    """Until something arrives on our connection's socket (bounded)."""
    socket = connection.connection.pgconn.socket
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if select.select([socket], [], [], 0.05)[0]:
            return
    raise AssertionError(f"nothing arrived on the connection's socket in {seconds} s")


@pytest.fixture
def select_1_checks(monkeypatch):
    """How often Django's round-trip health check (is_usable: SELECT 1) runs."""
    calls = []
    original = type(connections["default"]).is_usable

    def counted(self):
        calls.append(1)
        return original(self)

    monkeypatch.setattr(type(connections["default"]), "is_usable", counted)
    return calls


def test_the_backend_is_ours_with_health_checks_on():
    assert type(connections["default"]).__module__ == "annotate.ops.postgresql.base"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_quiet_connection_is_reused_without_a_select_1(select_1_checks):
    pid = backend_pid()
    for _ in range(3):
        next_request()
        assert backend_pid() == pid
    assert select_1_checks == []


def test_a_connection_whose_server_ended_it_reconnects_before_the_request_query(select_1_checks):
    pid = backend_pid()
    with other_connection() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_until_readable()  # the server's FATAL message and the end of the stream
    next_request()
    assert backend_pid() != pid  # no error: the request's first query ran on a new connection
    assert select_1_checks == [1]


def test_anything_unread_on_the_socket_gets_the_real_check_and_keeps_a_live_connection(select_1_checks):
    pid = backend_pid()
    with connection.cursor() as cursor:
        cursor.execute("LISTEN health_check_probe")
    with other_connection() as other:
        other.execute("NOTIFY health_check_probe")
    wait_until_readable()
    next_request()
    assert backend_pid() == pid
    assert select_1_checks == [1]
    with connection.cursor() as cursor:
        cursor.execute("UNLISTEN *")


def test_a_span_saves_statements_are_prepared_and_logged_with_their_sql(team, django_assert_num_queries):
    client = team.clients["carol"]
    url = f"/api/v1/documents/{team.document.pk}/spans/"
    text = team.document.text
    starts = [i for i in range(1, len(text)) if text[i - 1] == " " and text[i] != " "][:7]
    for start in starts[:6]:  # psycopg prepares a statement on its 5th run (DB_PREPARE_THRESHOLD)
        assert client.post(url, {"start": start, "end": start + 1, "label": "assertion"}, format="json").status_code == 201
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [" ".join(row[0].split()) for row in cursor.fetchall()]
    # the token's user with the document window (permissions.token_user_and_document_window)
    assert any(p.startswith("SELECT u.") and "authtoken_token" in p and "substr(x.text" in p for p in prepared), prepared
    assert any(p.startswith("WITH d AS") and "INSERT INTO annotate_spanchange" in p for p in prepared), prepared
    with django_assert_num_queries(2) as queries:
        response = client.post(url, {"start": starts[6], "end": starts[6] + 1, "label": "disputed"}, format="json")
    assert response.status_code == 201
    sql = [q["sql"] for q in queries.captured_queries]
    assert all(sql), sql  # the SQL with its values, as for any other query
    assert "$1" not in sql[1] and f"x.id = {team.document.pk}" in sql[1], sql[1]
