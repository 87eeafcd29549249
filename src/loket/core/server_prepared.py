"""Server-side prepared statements for the hottest reads, on persistent PostgreSQL
connections.

PostgreSQL plans every statement it is sent. The tracking read (the case row joined
with its service and version, and the lock-out subquery) takes ~50 µs of server CPU to
execute and ~250 µs to plan, on every request; Django's psycopg cursors bind parameters
on the client and never prepare. Such a statement is therefore PREPAREd by name once
per database session, and each read sends `EXECUTE name(...)` instead: planned once,
and a few bytes to send instead of a few kilobytes. The engine's locking reads (a task
with its case, service, agency, position and version, and the authority read sent
with it; `cases.locks`) go the same way: 0.67 ms of planning per step before.

Only on PostgreSQL with persistent connections (CONN_MAX_AGE ≠ 0): behind PgBouncer in
transaction mode (docs/operations.md, CONN_MAX_AGE=0) consecutive statements may reach
different server sessions, and a PREPARE per request would cost what it saves. The
statements prepared are remembered per driver connection, so a replaced connection
(health check, reconnect) prepares them again; a session ends with its statements.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Any

_PLACEHOLDER = re.compile(r"%s")
# The driver connection the names were prepared on, and the names.
_STATE = "_loket_prepared"


def applies(connection: Any) -> bool:
    """Whether reads on this connection go through prepared statements."""
    return bool(
        connection.vendor == "postgresql" and connection.settings_dict.get("CONN_MAX_AGE") != 0
    )


def statement(connection: Any, cursor: Any, sql: str, param_count: int) -> str:
    """What to send for `sql` (with `param_count` %s placeholders) on this open connection:
    `EXECUTE` of its prepared copy, PREPAREd through `cursor` on first use in the session."""
    name, body = _named(sql, param_count)
    raw = connection.connection
    state = getattr(connection, _STATE, None)
    if state is None or state[0] is not raw:
        state = (raw, set())
        setattr(connection, _STATE, state)
    names: set[str] = state[1]
    if name not in names:
        cursor.execute(f"PREPARE {name} AS {body}")
        names.add(name)
    marks = ", ".join(["%s"] * param_count)
    return f"EXECUTE {name}({marks})" if param_count else f"EXECUTE {name}"


@lru_cache(maxsize=64)
def _named(sql: str, param_count: int) -> tuple[str, str]:
    """The statement's name (from its text) and its text with $1 … placeholders."""
    numbers = iter(range(1, param_count + 1))
    # Identifiers come from model metadata; values stay parameters ($1 …).
    body = _PLACEHOLDER.sub(lambda _match: f"${next(numbers)}", sql)
    name = "loket_" + hashlib.sha256(sql.encode()).hexdigest()[:16]
    _texts[name] = sql
    return name, body


# The text of each name made, for readers of a trace or of captured queries (`text`).
_texts: dict[str, str] = {}
_EXECUTE = re.compile(r"EXECUTE (loket_[0-9a-f]{16})\b")


def text(sent: str) -> str:
    """`sent` with an `EXECUTE name(...)` of this module shown as the statement it runs
    (the prepared text), for tests and tools that look for a table in what was sent."""
    return _EXECUTE.sub(lambda found: _texts.get(found.group(1), found.group(0)), sent)
