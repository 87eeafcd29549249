"""Who may do what with a case: one answer for the engine, API, workspace and portal.

Every authorization question about cases is asked here and nowhere else:

- may an officer see a case, and with which personal data (full or masked);
- may an applicant (signed in, or holding the access code) see it;
- may an officer claim, decide or reassign a task;
- does segregation of duties forbid this officer this step;
- must a decision carry a reason.

The rules of authority are the organisation's (positions held definitively,
as Plt or as Plh; heads of units over their units and the units below): an
officer's `Reach` is read once per request (two queries) and every question
below is answered from it and the case's tasks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

from django.db import transaction
from django.utils.translation import gettext as _

from loket.cases import ports
from loket.cases.models import Case, Task, TaskStatus
from loket.catalog.definitions import ServiceDefinition
from loket.core.errors import AuthorityError
from loket.core.pii import mask
from loket.org.models import Officer, Position, Unit
from loket.org.selectors import Holding

# A reason the applicant must act on: "x" or "no" tells them nothing.
MIN_REASON_LENGTH = 10
REASON_REQUIRED = frozenset({"reject", "return"})


class PersonalData(StrEnum):
    """How much of the applicant's personal data (NIK, phone, e-mail, ID fields) a reader sees."""

    FULL = "full"
    MASKED = "masked"


# -- an officer's reach ----------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """Where an officer's authority reaches at one moment: positions held and units headed."""

    officer: Officer | None
    holdings: list[Holding]
    headed_unit_ids: frozenset[int]
    # unit id -> the head holding through which the officer heads it (own unit or one above)
    heading: dict[int, Holding] = field(default_factory=dict)
    # task id -> the earlier step segregation of duties holds against the officer (None:
    # none), when it was read together with the holding; absent: not read yet.
    segregation: dict[int, str | None] = field(default_factory=dict)

    @property
    def position_ids(self) -> set[int]:
        return {holding.position.pk for holding in self.holdings}

    @property
    def is_head(self) -> bool:
        return bool(self.headed_unit_ids)

    def holding_for(self, position_id: int) -> Holding | None:
        """The strongest holding of the position (holdings_of() sorts definitive first)."""
        for holding in self.holdings:
            if holding.position.pk == position_id:
                return holding
        return None

    def capacity_for(self, position_id: int) -> str:
        """The strongest capacity in which the officer holds the position ("" if not held)."""
        holding = self.holding_for(position_id)
        return str(holding.capacity) if holding else ""


def reach_of(officer: Officer, at: dt.datetime) -> Reach:
    """The officer's holdings at `at` and the units (with sub-units) they head. Two queries."""
    holdings = ports.holdings_of(officer, at)
    heads = [h for h in holdings if h.position.is_head]
    heading: dict[int, Holding] = {}
    if heads:
        parents = dict(
            Unit.objects.filter(agency_id=officer.agency_id).values_list("id", "parent_id")
        )
        by_unit = {h.position.unit_id: h for h in heads}
        for unit_id in parents:
            head = _head_over(unit_id, parents, by_unit)
            if head is not None:
                heading[unit_id] = head
    return Reach(
        officer=officer,
        holdings=holdings,
        headed_unit_ids=frozenset(heading),
        heading=heading,
    )


def authority_read(officer: Officer, task_id: int) -> tuple[str, Sequence[Any]]:
    """The statement `reach_for_task` reads for the officer and the task (its row goes
    back as `read`): the organisation revision and the steps the officer decided on the
    task's case. Sent right after the task's locking read, in its round trip
    (`locks.lock_task_row`), so it runs once the locks are held: at the moment of the act,
    as when `reach_for_task` sends it itself."""
    return ports.authority_statement((_decided_steps_sql(), [officer.pk, task_id]))


def reach_for_task(
    officer: Officer,
    task: Task,
    at: dt.datetime,
    definition: ServiceDefinition | None = None,
    *,
    read: Any,
) -> Reach:
    """The officer's reach as far as acting on `task` goes: only the holding of the task's
    position, read at `at`, and (given the definition) whether segregation of duties
    forbids the officer this step, from the row of `authority_read` given as `read`
    (sent in the locking read's round trip). Enough for claiming and deciding, which ask
    nothing else; not for questions about heads of units."""
    earlier = _segregated_from(definition, task) if definition is not None else []
    also = (_decided_steps_sql(), [officer.pk, task.pk])
    holding, decided = ports.may_act_with(officer, task.position, at, also, read=read)
    # Step ids are slugs (catalog.checker), so a space never splits one.
    decided_steps = set(str(decided or "").split(" "))
    segregated = next((step for step in earlier if step in decided_steps), None)
    return Reach(
        officer=officer,
        holdings=[holding] if holding is not None else [],
        headed_unit_ids=frozenset(),
        segregation={task.pk: segregated} if holding is not None else {},
    )


def _head_over(
    unit_id: int, parents: Mapping[int, int | None], heads: Mapping[int, Holding]
) -> Holding | None:
    """The nearest head holding at `unit_id` or above it, walking up the tree."""
    seen: set[int] = set()
    current: int | None = unit_id
    while current is not None and current not in seen:  # guards against a cycle
        seen.add(current)
        if current in heads:
            return heads[current]
        current = parents.get(current)
    return None


def queue_position_ids(officer: Officer, at: dt.datetime) -> set[int]:
    """The positions whose open tasks fill the officer's queue: every one held at `at`,
    definitively or as Plt/Plh (the same set as `Reach.position_ids`). One query."""
    return {holding.position.pk for holding in ports.holdings_of(officer, at)}


def may_supervise(reach: Reach) -> bool:
    """Heads of units (definitive, Plt or Plh) see their units' overdue work and lapses."""
    return reach.is_head


# -- seeing a case ---------------------------------------------------------------------


def officer_case_access(reach: Reach, case: Case) -> PersonalData | None:
    """What the officer may see of the case: None (not in reach), masked or full personal data.

    An officer who holds the position of one of its tasks (open or past: the officer
    who verified the documents may follow the case on) works the case and sees the
    applicant's data in full. A head of the unit of such a position, or of a unit
    above it, supervises it (overdue lists, reassigning) and sees it masked. Officers
    of other units and other agencies do not see it at all. One query.
    """
    officer = reach.officer
    if officer is None or not officer.is_active or officer.agency_id != case.agency_id:
        return None
    positions = Position.objects.filter(tasks__case=case).values_list("pk", "unit_id").distinct()
    access: PersonalData | None = None
    for position_id, unit_id in positions:
        if position_id in reach.position_ids:
            return PersonalData.FULL
        if unit_id in reach.headed_unit_ids:
            access = PersonalData.MASKED
    return access


def may_view_case(reach: Reach, case: Case) -> bool:
    return officer_case_access(reach, case) is not None


def machine_case_access(account: Any, case: Case) -> PersonalData | None:
    """What an integration's machine account (already checked for the `cases:read` scope)
    sees of a case: cases of its own agency, personal data masked; nothing else. A scope
    for full personal data would need its own legal basis (decision 0004)."""
    if account is None or case.agency_id != getattr(account, "agency_id", None):
        return None
    return PersonalData.MASKED


def applicant_may_view(case: Case, *, user: Any = None, proven: Iterable[str] = ()) -> bool:
    """The applicant's side: the signed-in account that submitted it, or a visitor who
    proved the access code (the portal remembers proven numbers in the session).
    They see their own personal data masked, like anyone holding the access code."""
    if submitted_by(case.applicant_user_id, user=user):
        return True
    return case.tracking_number in set(proven)


def submitted_by(applicant_user_id: int | None, *, user: Any) -> bool:
    """Whether `user` is signed in as the account that submitted the case."""
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    return bool(signed_in and applicant_user_id == user.pk)


def applicant_fields(case: Case, access: PersonalData) -> dict[str, str]:
    """The applicant's identity and contact as `access` allows."""
    if access == PersonalData.FULL:
        return {
            "name": case.applicant_name,
            "nik": case.applicant_nik,
            "email": case.applicant_email,
            "phone": case.applicant_phone,
        }
    return masked_applicant(
        name=case.applicant_name,
        nik=case.applicant_nik,
        email=case.applicant_email,
        phone=case.applicant_phone,
    )


def masked_applicant(*, name: str, nik: str, email: str, phone: str) -> dict[str, str]:
    """The applicant's identity and contact as the masked view shows them."""
    return {
        "name": name,
        "nik": mask(nik or ""),
        "email": mask_email(email),
        "phone": mask(phone or "", visible=3),
    }


def case_data(case: Case, definition: ServiceDefinition, access: PersonalData) -> dict[str, Any]:
    """The submitted data as `access` allows (NIK and phone fields masked unless full)."""
    data: dict[str, Any] = case.data
    return dict(data) if access == PersonalData.FULL else definition.masked_data(data)


def mask_email(email: str) -> str:
    """`s**@example.id`: the domain and first letter, enough to recognise."""
    if not email or "@" not in email:
        return mask(email or "")
    local, _sep, domain = email.rpartition("@")
    return f"{local[:1]}{'*' * max(len(local) - 1, 2)}@{domain}"


# -- acting on a task ------------------------------------------------------------------


def holding_for_task(reach: Reach, task: Task) -> Holding | None:
    """The holding by which the officer may act for the task's position, if any."""
    return reach.holding_for(task.position_id)


def may_claim(reach: Reach, task: Task) -> bool:
    """An open, unclaimed task of a position the officer holds now."""
    return (
        task.status == TaskStatus.OPEN
        and not task.case.is_closed
        and task.claimed_by_id is None
        and holding_for_task(reach, task) is not None
    )


def may_decide(reach: Reach, task: Task) -> bool:
    """An open task of a position the officer holds, claimed by them (or by nobody)."""
    officer_id = reach.officer.pk if reach.officer else None
    return (
        task.status == TaskStatus.OPEN
        and not task.case.is_closed
        and task.claimed_by_id in (None, officer_id)
        and holding_for_task(reach, task) is not None
    )


def may_reassign(reach: Reach, task: Task) -> bool:
    """An open task whose position is in a unit the officer heads (or below one)."""
    return (
        task.status == TaskStatus.OPEN
        and not task.case.is_closed
        and reassign_authority(reach, task) is not None
    )


def reassign_authority(reach: Reach, task: Task) -> Holding | None:
    """The head holding by which the officer may reassign the task, if any."""
    return reach.heading.get(task.position.unit_id)


def require_holding(reach: Reach, task: Task) -> Holding:
    """The holding to act on the task with, or AuthorityError saying why not."""
    if reach.officer is None or not reach.officer.is_active:
        raise AuthorityError(_("Your officer account is not active."), code="officer_inactive")
    holding = holding_for_task(reach, task)
    if holding is None:
        raise AuthorityError(
            _(
                "You do not hold the position %(position)s today (definitively, as Plt or as "
                "Plh), so you cannot act on this task. Ask a holder of the position or your "
                "superior."
            )
            % {"position": task.position.title},
            code="not_position_holder",
        )
    return holding


def require_reassign_authority(reach: Reach, task: Task) -> Holding:
    holding = reassign_authority(reach, task)
    if holding is None:
        raise AuthorityError(
            _("Only the head of the unit responsible for this task can reassign it."),
            code="not_unit_head",
        )
    return holding


# -- acting officials' limits ------------------------------------------------------------


def capacity_problem(definition: ServiceDefinition, task: Task, holding: Holding) -> str | None:
    """Why this holding may not decide the task's step (None if it may): a step the
    definition reserves for the definitive holder (`capacities`, `strategic`) refuses a
    Plt/Plh (UU 30/2014 Pasal 14(7); SE Kepala BKN 1/SE/I/2021)."""
    allowed = definition.step(task.step_id).get("capacities") or ["definitive", "plt", "plh"]
    if str(holding.capacity) in allowed:
        return None
    return _(
        "Only the definitive holder of %(position)s may decide “%(step)s”: a Plt or Plh "
        "may not take strategic decisions that change a legal status in organisation, "
        "staffing or budget (UU 30/2014 Pasal 14 ayat (7); SE Kepala BKN Nomor "
        "1/SE/I/2021)."
    ) % {"position": task.position.title, "step": definition.step_name(task.step_id)}


def require_capacity(definition: ServiceDefinition, task: Task, holding: Holding) -> None:
    problem = capacity_problem(definition, task, holding)
    if problem is not None:
        raise AuthorityError(problem, code="definitive_holder_required")


# -- segregation of duties ---------------------------------------------------------------


def _decided_steps_sql() -> str:
    """A scalar SQL expression: the step ids of the task's case the officer decided,
    joined by spaces, or NULL (parameters: officer id, task id). Built once per process.

    The officer is matched inside the aggregate, not in the WHERE clause, so the only
    way in is the case's index: with both in the WHERE, SQLite (no statistics) took the
    index on `decided_by` and read every task the officer ever decided, a cost that grew
    with each decision (~0.4 ms per decision after 2,000)."""
    connection = transaction.get_connection()
    sql = _decided_steps.get(connection.alias)
    if sql is None:
        quote = connection.ops.quote_name
        meta = Task._meta
        table = quote(meta.db_table)
        column = {
            name: quote(cast(str, cast(Any, meta.get_field(name)).column))
            for name in ("case", "step_id", "decided_by")
        }
        joined = "string_agg" if connection.vendor == "postgresql" else "group_concat"
        key = quote(cast(str, cast(Any, meta.pk).column))
        # Identifiers come from model metadata, values are parameters; both aggregates
        # skip the NULLs of the tasks others decided.
        sql = (
            f"SELECT {joined}(CASE WHEN {column['decided_by']} = %s "  # noqa: S608
            f"THEN {column['step_id']} END, ' ') FROM {table} "
            f"WHERE {column['case']} = (SELECT {column['case']} FROM {table} WHERE {key} = %s)"
        )
        _decided_steps[connection.alias] = sql
    return sql


_decided_steps: dict[str, str] = {}


def _segregated_from(definition: ServiceDefinition, task: Task) -> list[str]:
    return [e for e, later in definition.segregation_pairs if later == task.step_id]


def segregation_conflict(
    definition: ServiceDefinition, task: Task, officer: Officer, reach: Reach | None = None
) -> str | None:
    """The earlier step of this case the officer decided that the service says must be
    decided by someone else than `task`'s step; None when there is none. One query at
    most, none when `reach` was read for this task (reach_for_task)."""
    if reach is not None and reach.officer == officer and task.pk in reach.segregation:
        return reach.segregation[task.pk]
    earlier_steps = _segregated_from(definition, task)
    if not earlier_steps:
        return None
    # The officer is matched here, not in the query: with `decided_by` in the WHERE
    # clause SQLite (no statistics) takes that index and reads every task the officer
    # ever decided; the case's own tasks are a handful.
    decided = Task.objects.filter(case_id=task.case_id, step_id__in=earlier_steps).order_by("pk")
    return next(
        (step for step, by in decided.values_list("step_id", "decided_by_id") if by == officer.pk),
        None,
    )


def require_segregation(
    definition: ServiceDefinition, task: Task, officer: Officer, reach: Reach | None = None
) -> None:
    earlier = segregation_conflict(definition, task, officer, reach)
    if earlier is not None:
        raise AuthorityError(
            _(
                "You decided the step “%(earlier)s” on this application; the service "
                "requires a different officer for “%(later)s”."
            )
            % {
                "earlier": definition.step_name(earlier),
                "later": definition.step_name(task.step_id),
            },
            code="segregation_of_duties",
        )


# -- decisions ---------------------------------------------------------------------------


def reason_problem(decision: str, reason: str) -> str | None:
    """Why the reason is not enough for this decision (None if it is): the applicant reads it."""
    if decision in REASON_REQUIRED and len((reason or "").strip()) < MIN_REASON_LENGTH:
        return _(
            "Give a reason of at least %(min)d characters: the applicant reads it to "
            "know what to fix or why the application was rejected."
        ) % {"min": MIN_REASON_LENGTH}
    return None
