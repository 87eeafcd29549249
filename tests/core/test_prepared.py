"""`loket.core.prepared.insert_rows`: the ORM's bulk_create, in a statement built once."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from loket.cases.models import Case, CaseEvent, Task, TaskStatus
from loket.core import pii, prepared
from tests.cases.conftest import NIK, submit_iu

pytestmark = pytest.mark.django_db


def _events(case: Case, first: int, count: int) -> list[CaseEvent]:
    return [
        CaseEvent(
            case=case,
            sequence=first + n,
            kind="note",
            payload={"n": n, "text": f"catatan {n}"},
            is_public=n % 2 == 0,
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [1, 3, 7])
def test_rows_get_their_ids_in_order_and_read_back_as_the_orm_wrote_them(
    demo: Any, count: int
) -> None:
    case = submit_iu()
    first = case.events.count() + 100
    rows = _events(case, first, count)

    prepared.insert_rows(rows)

    assert all(row.pk and not row._state.adding for row in rows)
    for row in rows:  # each id is the row with that sequence: ids came back in order
        stored = CaseEvent.objects.get(pk=row.pk)
        assert stored.sequence == row.sequence
        assert stored.payload == row.payload
        assert stored.is_public == row.is_public
        assert stored.at == row.at  # the field's default, as the ORM would have set it


def test_encrypted_columns_are_encrypted_on_the_way_in(demo: Any) -> None:
    case = submit_iu()  # the submission inserts the case row through insert_rows
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT applicant_nik, applicant_name FROM {Case._meta.db_table} WHERE id = %s",
            [case.pk],
        )
        nik, name = cursor.fetchone()
    assert NIK not in nik and "Sri" not in name
    assert Case.objects.get(pk=case.pk).applicant_nik == NIK


def test_a_broken_constraint_fails_the_whole_statement(demo: Any) -> None:
    case = submit_iu()
    taken = case.events.order_by("sequence").first()
    assert taken is not None
    rows = _events(case, 500, 2) + _events(case, taken.sequence, 1)
    before = CaseEvent.objects.filter(case=case).count()

    with pytest.raises(IntegrityError), transaction.atomic():
        prepared.insert_rows(rows)

    assert CaseEvent.objects.filter(case=case).count() == before


def test_nothing_to_insert_runs_no_statement(demo: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        prepared.insert_rows([])


@pytest.mark.django_db
def test_ids_made_in_python_are_written_and_kept() -> None:
    """A model whose id is a UUID default (a stored file) keeps the ids it made; the
    rows read back as the ORM wrote them."""
    import uuid

    from loket.documents.models import StoredFile

    rows = [
        StoredFile(
            kind="png",
            content_type="image/png",
            size=size,
            sha256=f"{size:064x}",
            original_name=f"foto-{size}.png",
            storage_name=f"2026/12/{size}.png",
        )
        for size in (101, 202)
    ]
    made = [row.pk for row in rows]

    prepared.insert_rows(rows)

    assert [row.pk for row in rows] == made
    assert all(isinstance(row.pk, uuid.UUID) for row in rows)
    stored = {row.pk: row for row in StoredFile.objects.all()}
    assert set(stored) == set(made)
    assert stored[made[1]].size == 202
    assert stored[made[1]].created_at is not None  # auto_now_add's pre_save ran
    assert not rows[0]._state.adding


def _adapted(value: Any) -> Any:
    # PostgreSQL wraps JSON and integers in psycopg adapters that compare by identity.
    return (type(value).__name__, getattr(value, "obj", value))


@pytest.mark.parametrize("add", [True, False])
def test_savers_give_what_the_orm_would_save_for_every_column(demo: Any, add: bool) -> None:
    case = submit_iu()
    task = case.tasks.first()
    event = case.events.first()
    assert task is not None and event is not None
    for instance in (case, task, event):
        for field in type(instance)._meta.concrete_fields:
            if getattr(field, "auto_now", False):
                continue  # stamped with a new "now" by each save
            if isinstance(field, pii.EncryptedTextField | pii.EncryptedJSONField):
                continue  # a new nonce per encryption; the ORM's own chain is used for them
            expected = field.get_db_prep_save(field.pre_save(instance, add), connection)
            got = prepared.saver(connection, field, add=add)(instance, connection)
            assert _adapted(got) == _adapted(expected), field.name


def test_moments_in_any_zone_are_prepared_as_the_orm_prepares_them() -> None:
    field = CaseEvent._meta.get_field("at")
    prepare = prepared.preparer(connection, field)
    moment = dt.datetime(2026, 12, 3, 6, 30, 15, 123456, tzinfo=dt.UTC)
    for value in (
        moment,
        moment.replace(microsecond=0),
        moment.astimezone(zoneinfo.ZoneInfo("Asia/Jakarta")),
        moment.astimezone(dt.timezone(dt.timedelta(hours=9))),
        None,
    ):
        assert _adapted(prepare(value, connection)) == _adapted(
            field.get_db_prep_save(value, connection)
        ), value


def test_a_value_the_fast_path_does_not_know_takes_the_orm_chain(demo: Any) -> None:
    event = _events(submit_iu(), 900, 1)[0]
    event.kind = gettext_lazy("note")  # a lazy string: converted by the ORM's chain
    event.sequence = "901"  # a string for an integer column, converted as the ORM does
    fields = {f.name: f for f in CaseEvent._meta.concrete_fields}

    kind = prepared.saver(connection, fields["kind"], add=True)(event, connection)
    sequence = prepared.saver(connection, fields["sequence"], add=True)(event, connection)

    assert type(kind) is str and kind == "note"
    assert _adapted(sequence) == _adapted(
        fields["sequence"].get_db_prep_save(event.sequence, connection)
    )
    assert int(sequence) == 901


def test_a_str_subclass_is_saved_as_the_orm_saves_it(demo: Any) -> None:
    # A status is set as its TextChoices member; SafeString comes from templates. The
    # ORM's chain hands both to the driver unchanged, and so does the fast path.
    field = Task._meta.get_field("status")
    prepare = prepared.preparer(connection, field)
    for value in (TaskStatus.DONE, mark_safe("done"), "done"):
        got = prepare(value, connection)
        assert got is value
        assert got == field.get_db_prep_save(value, connection)


def test_a_str_subclass_takes_the_fast_path(demo: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # The ORM's chain is ~5 calls per column; a step sets several statuses.
    field = Task._meta.get_field("status")

    def chain(value: Any, connection: Any) -> Any:
        raise AssertionError("took the ORM's chain")

    monkeypatch.setattr(field, "get_db_prep_save", chain)
    prepare = prepared._build_preparer(field, connection.vendor)
    assert prepare(TaskStatus.DONE, connection) is TaskStatus.DONE
    with pytest.raises(AssertionError):
        prepare(gettext_lazy("done"), connection)


def _part_of(model: Any) -> prepared.Part:
    piece, _select = prepared.part(connection, model, frozenset(), path="", alias="t0")
    return piece


def _row_of(case: Case) -> list[Any]:
    fields = list(Case._meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {Case._meta.db_table} WHERE id = %s", [case.pk])
        return list(cursor.fetchone())


def test_instances_read_as_the_orm_reads_them(demo: Any) -> None:
    case = submit_iu()
    made = prepared.instances([_part_of(Case)], "default", _row_of(case), connection)[""]
    loaded = Case.objects.get(pk=case.pk)
    assert not made._state.adding and made._state.db == "default"
    for field in Case._meta.concrete_fields:
        assert getattr(made, field.attname) == getattr(loaded, field.attname), field.name
    assert made.applicant_nik == NIK  # decrypted when read


def test_instances_go_through_init_when_something_listens_to_it(demo: Any) -> None:
    from django.db.models.signals import post_init  # noqa: TID251 (a listener to respect)

    case = submit_iu()
    seen: list[Any] = []

    def listener(sender: Any, instance: Any, **kwargs: Any) -> None:
        seen.append(instance)

    post_init.connect(listener, sender=Case)
    try:
        made = prepared.instances([_part_of(Case)], "default", _row_of(case), connection)[""]
    finally:
        post_init.disconnect(listener, sender=Case)
    assert seen == [made]


def _event_sql() -> str:
    quote = connection.ops.quote_name
    return f"SELECT {quote('sequence')} FROM {quote(CaseEvent._meta.db_table)} WHERE case_id = %s"


def test_the_driver_cursor_reports_errors_as_django_does(demo: Any) -> None:
    case = submit_iu()
    taken = case.events.order_by("sequence").first()
    assert taken is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        assert isinstance(prepared.statement_cursor(connection), prepared.DriverCursor)
        prepared.insert_rows(_events(case, taken.sequence, 1))


def test_the_driver_cursor_refuses_a_broken_transaction(demo: Any) -> None:
    from django.db.transaction import TransactionManagementError

    case = submit_iu()
    with transaction.atomic():
        connection.needs_rollback = True  # as after an error caught inside the block
        with (
            pytest.raises(TransactionManagementError),
            prepared.statement_cursor(connection) as cursor,
        ):
            cursor.execute(_event_sql(), [case.pk])
        connection.needs_rollback = False


def test_statements_stay_visible_to_execute_wrappers(demo: Any) -> None:
    case = submit_iu()
    seen: list[str] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with (
        transaction.atomic(),
        connection.execute_wrapper(wrapper),
        prepared.statement_cursor(connection) as cursor,
    ):
        cursor.execute(_event_sql(), [case.pk])
        rows = cursor.fetchall()
    assert seen == [_event_sql()]
    assert sorted(r[0] for r in rows) == sorted(case.events.values_list("sequence", flat=True))


def test_the_driver_cursor_reads_what_django_reads(demo: Any) -> None:
    case = submit_iu()
    with transaction.atomic(), prepared.statement_cursor(connection) as cursor:
        cursor.execute(_event_sql() + " AND kind LIKE 'sub%%'", [case.pk])
        rows = cursor.fetchall()
    assert [r[0] for r in rows] == list(
        case.events.filter(kind__startswith="sub").values_list("sequence", flat=True)
    )


def test_rows_written_in_a_batch_have_their_ids_when_it_ends(demo: Any) -> None:
    case = submit_iu()
    rows = _events(case, 500, 3)
    with transaction.atomic():
        with prepared.batched(connection):
            # On PostgreSQL the statements are pipelined: no result has come back yet.
            if connection.vendor == "postgresql":
                assert connection.connection._pipeline is not None
            prepared.insert_rows(rows)
        assert all(row.pk is not None for row in rows)
    stored = CaseEvent.objects.filter(case=case, sequence__gte=500).order_by("sequence")
    assert [e.pk for e in stored] == [row.pk for row in rows]


def test_a_failed_statement_in_a_batch_raises_djangos_error_and_writes_nothing(
    demo: Any,
) -> None:
    case = submit_iu()
    with pytest.raises(IntegrityError), transaction.atomic(), prepared.batched(connection):
        prepared.insert_rows(_events(case, 600, 1))
        prepared.insert_rows(_events(case, 600, 1))  # the same (case, sequence) again
        prepared.insert_rows(_events(case, 700, 1))
    assert not CaseEvent.objects.filter(case=case, sequence__gte=600).exists()
    # The connection is usable afterwards, in a new transaction.
    with transaction.atomic():
        prepared.insert_rows(_events(case, 800, 1))
    assert CaseEvent.objects.filter(case=case, sequence=800).exists()


def test_an_update_of_no_row_in_a_batch_is_an_error_as_outside_one(demo: Any) -> None:
    from django.db import DatabaseError

    from loket.cases import store

    case = submit_iu()
    case.pk = case.pk + 1_000_000  # no such row
    refused = pytest.raises(DatabaseError, match="did not affect any rows")
    with refused, transaction.atomic(), prepared.batched(connection):
        store.update_columns(case, ["outcome_reason"])


def _same_instance(made: Any, expected: Any) -> None:
    assert type(made) is type(expected)
    ours = {k: v for k, v in made.__dict__.items() if k != "_state"}
    theirs = {k: v for k, v in expected.__dict__.items() if k != "_state"}
    assert ours == theirs
    assert list(ours) == list(theirs)  # the same columns, in the same order
    assert made._state.adding and made._state.db == expected._state.db
    assert made._state.fields_cache == expected._state.fields_cache


def test_a_new_instance_is_the_one_the_model_makes(demo: Any) -> None:
    from django.utils import timezone

    from loket.cases.models import Task
    from loket.documents.models import StoredFile

    case = submit_iu()
    task = Task.objects.filter(case=case).first()
    now = timezone.now()
    event = {
        "case": case,
        "sequence": 9,
        "at": now,
        "kind": "note",
        "task": task,
        "officer": None,
        "payload": {"a": 1},
    }
    _same_instance(prepared.new(CaseEvent, **event), CaseEvent(**event))
    assert prepared._blueprints[CaseEvent] is not None  # made without __init__
    by_id = {"case_id": case.pk, "sequence": 9, "kind": "note", "at": now}
    _same_instance(prepared.new(CaseEvent, **by_id), CaseEvent(**by_id))
    # A default made on each call (a UUID) is made for each instance.
    first, second = prepared.new(StoredFile, kind="pdf"), prepared.new(StoredFile, kind="pdf")
    assert first.pk and second.pk and first.pk != second.pk
    # Encrypted columns keep their plaintext until written, as the model's own.
    # A one-to-one relation not given is a plain column; given by name, __init__ sets it.
    from loket.documents.models import IssueRequest

    request = {"case": case, "step_id": "terbit", "approved_at": now, "document_id": first.pk}
    _same_instance(prepared.new(IssueRequest, **request), IssueRequest(**request))
    _same_instance(
        prepared.new(IssueRequest, **request, issued=None),
        IssueRequest(**request, issued=None),
    )
    applicant = {"applicant_name": "Sri", "applicant_nik": NIK, "data": {"x": 1}}
    stamps = {"submitted_at": now, "updated_at": now}
    _same_instance(prepared.new(Case, **applicant, **stamps), Case(**applicant, **stamps))


def test_a_new_instance_refuses_what_the_model_refuses(demo: Any) -> None:
    case = submit_iu()
    with pytest.raises(TypeError):
        prepared.new(CaseEvent, case=case, no_such_column=1)
    with pytest.raises(ValueError, match="must be a"):
        prepared.new(CaseEvent, case=case, task=case)  # a Case where a Task belongs


def test_a_new_instance_goes_through_init_when_something_listens_to_it(demo: Any) -> None:
    from django.db.models.signals import post_init  # noqa: TID251 (a listener to respect)

    seen: list[Any] = []

    def listener(sender: Any, instance: Any, **kwargs: Any) -> None:
        seen.append(instance)

    post_init.connect(listener, sender=CaseEvent)
    try:
        made = prepared.new(CaseEvent, sequence=1, kind="note")
    finally:
        post_init.disconnect(listener, sender=CaseEvent)
    assert seen == [made]
