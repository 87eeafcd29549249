"""The indexes of the tables every step writes, pinned: each index costs every INSERT
(and every UPDATE of its columns) B-tree pages written at commit, so a new one on these
tables is a conscious choice (docs/decisions/0032-indexes-a-step-writes.md)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import connection

from loket.cases.models import Case, CaseEvent, Task
from loket.notify.models import OutboxMessage

EXPECTED: dict[str, list[tuple[str, ...]]] = {
    Case._meta.db_table: [
        ("tracking_number",),  # unique
        ("service_id", "status"),
        ("service_id", "due_at"),  # open cases only
        ("service_id", "submitted_at"),
        ("service_id", "closed_at"),
        ("service_version_id",),
        ("agency_id",),
        ("applicant_user_id",),
        ("applicant_nik_hash",),
        ("applicant_phone_hash",),
        ("status",),
        ("due_at",),
    ],
    CaseEvent._meta.db_table: [
        ("case_id", "sequence"),  # unique; none on task, officer, position or user
    ],
    Task._meta.db_table: [
        ("case_id",),
        ("position_id",),
        ("claimed_by_id",),
        ("decided_by_id",),
        ("status", "position_id"),
        ("status", "due_at"),
        ("position_id", "created_at"),  # open tasks only
        ("decided_at",),
    ],
    OutboxMessage._meta.db_table: [
        ("dedupe_key", "channel"),  # unique
        ("status", "next_attempt_at"),
        ("status", "claimed_at"),
        ("recipient_user_id", "channel", "read_at"),
    ],
}


def _indexes(table: str) -> Counter[tuple[str, ...]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return Counter(
        tuple(c["columns"])
        for name, c in constraints.items()
        # PostgreSQL's varchar_pattern_ops twin of a unique text column is Django's own.
        if (c["index"] or c["unique"]) and not c["primary_key"] and not name.endswith("_like")
    )


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_a_table_each_step_writes_has_exactly_its_pinned_indexes(db: Any, table: str) -> None:
    assert _indexes(table) == Counter(EXPECTED[table])
