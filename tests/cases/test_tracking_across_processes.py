"""The tracking read across processes and connections (real commits): a lock-out made in
one process refuses the right code in another, and the tracking read is the persistent
connection's health check, prepared once per PostgreSQL session."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.cases.test_access_lockout import _guess, _receipt

pytestmark = pytest.mark.django_db(transaction=True)

# Another process: a fresh interpreter with Django's test client on the same database.
_OTHER_PROCESS = """
import sys
import django

django.setup()
from django.test import Client

number, code, address = sys.argv[1:4]
response = Client(REMOTE_ADDR=address).get(
    f"/api/v1/applications/{number}", headers={"X-Access-Code": code}
)
print(response.status_code)
"""


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _track_in_another_process(number: str, code: str, address: str) -> int:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "loket.settings",
        "DATABASE_URL": _database_url(),
        "LOKET_LOG_LEVEL": "ERROR",
    }
    done = subprocess.run(
        [sys.executable, "-c", _OTHER_PROCESS, number, code, address],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(done.stdout.strip().splitlines()[-1])


def test_a_lockout_from_wrong_codes_in_one_process_refuses_the_right_code_in_another(
    demo: Any, settings: Any
) -> None:
    number, code = _receipt(Client())
    _guess(
        Client(REMOTE_ADDR="10.20.30.40"), number, settings.LOKET_TRACK_FAILURES_PER_CLIENT_NUMBER
    )

    # The other process never saw a wrong code, and refuses the locked-out address ...
    assert _track_in_another_process(number, code, "10.20.30.40") == 429
    # ... while it serves the same case to anyone else.
    assert _track_in_another_process(number, code, "10.20.30.41") == 200


def _new_request() -> None:
    # What a server's request_started signal does (the test client leaves it out):
    # connections kept from the last request are to be health-checked again.
    connections["default"].close_if_unusable_or_obsolete()


def test_the_tracking_read_is_the_connections_health_check(demo: Any, monkeypatch: Any) -> None:
    """No `SELECT 1` round trip before the tracking read on a persistent connection."""
    client = Client()
    number, code = _receipt(client)
    url = f"/api/v1/applications/{number}"
    assert client.get(url, headers={"X-Access-Code": code}).status_code == 200
    wrapper = connections["default"]
    assert wrapper.settings_dict["CONN_HEALTH_CHECKS"]
    checks: list[bool] = []
    real = wrapper.is_usable
    monkeypatch.setattr(wrapper, "is_usable", lambda: checks.append(True) or real())

    _new_request()
    assert client.get(url, headers={"X-Access-Code": code}).status_code == 200
    assert wrapper.connection is not None  # kept between requests (CONN_MAX_AGE)
    assert checks == []
    # A request that starts with another statement still has its health check.
    _new_request()
    assert client.get("/api/v1/services").status_code == 200
    assert checks == [True]


def test_a_connection_the_server_dropped_is_replaced_for_the_tracking_read(demo: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a server that drops connections: PostgreSQL")
    client = Client()
    number, code = _receipt(client)
    url = f"/api/v1/applications/{number}"
    assert client.get(url, headers={"X-Access-Code": code}).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()

    _new_request()
    assert client.get(url, headers={"X-Access-Code": code}).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def _reads_sent(client: Client, url: str, code: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, headers={"X-Access-Code": code}).status_code == 200
    return [q["sql"].split(" ", 1)[0] for q in captured.captured_queries]


def test_the_tracking_read_is_planned_once_per_session_on_postgresql(demo: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("server-side prepared statements: PostgreSQL")
    client = Client()
    number, code = _receipt(client)
    url = f"/api/v1/applications/{number}"
    connection.close()  # a new session has nothing prepared
    assert _reads_sent(client, url, code) == ["PREPARE", "EXECUTE"]
    assert _reads_sent(client, url, code) == ["EXECUTE"]
    # A prepared statement is not undone with the transaction it was prepared in.
    connection.close()
    with pytest.raises(RuntimeError), transaction.atomic():
        assert _reads_sent(client, url, code) == ["PREPARE", "EXECUTE"]
        raise RuntimeError("roll back")
    assert _reads_sent(client, url, code) == ["EXECUTE"]


def test_the_tracking_read_is_not_prepared_without_persistent_connections(
    demo: Any, settings: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("server-side prepared statements: PostgreSQL")
    client = Client()
    number, code = _receipt(client)
    connection.settings_dict["CONN_MAX_AGE"], kept = 0, connection.settings_dict["CONN_MAX_AGE"]
    try:  # as behind PgBouncer in transaction mode (docs/operations.md)
        url = f"/api/v1/applications/{number}"
        assert _reads_sent(client, url, code) == ["SELECT"]
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = kept
