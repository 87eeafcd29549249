"""Moving a locked case through its service definition.

A `Run` is the unit of work of one operation on one case: it is created after
the case row is locked and everything it does happens in the operation's
transaction. `advance` follows the definition from a step until every branch
rests (an open task, the applicant, or the end), running automatic and issue
steps on the way, so the applicant sees automatic results at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from loket.cases import compiled, ports, store, tracking
from loket.cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseStatus,
    Outcome,
    Task,
    TaskStatus,
)
from loket.catalog.definitions import DefinitionFault, Step
from loket.catalog.fields import localized
from loket.core import prepared, taskqueue
from loket.core.errors import ConflictError, LoketError
from loket.core.formats import group_digits
from loket.core.locale import link_in
from loket.core.pii import Sealed
from loket.org.models import Officer, Position

# A definition whose automatic steps loop forever is a definition bug; stop it.
MAX_STEPS_PER_RUN = 200
STALLED = "_stalled"
# What the public needs to hold the agency to its word: that an application came
# in, each decision and by which position, each resubmission, the issue and the
# outcome. Internal work (claims, reassignments, escalations, automatic steps)
# stays in the case's own history and is not published (docs/ledger.md).
PUBLIC_LEDGER_KINDS = frozenset({"submitted", "decided", "resubmitted", "issued", "closed"})
# Event kinds integrations may subscribe to (loket.notify.webhooks.EVENT_TYPES).
WEBHOOK_TYPES = {
    "submitted": "case.submitted",
    "decided": "case.decided",
    "awaiting_applicant": "case.returned",
    "resubmitted": "case.resubmitted",
    "issued": "document.issued",
    "closed": "case.closed",
}


@dataclass
class Actor:
    """Who causes the events of a run (nobody for the system's own steps)."""

    officer: Officer | None = None
    position: Position | None = None
    capacity: str = ""
    user: User | None = None


@dataclass
class Run:
    case: Case
    now: dt.datetime
    actor: Actor = field(default_factory=Actor)
    events: list[CaseEvent] = field(default_factory=list)
    # The case's documents when the operation already holds them (None: read them).
    documents: list[CaseDocument] | None = None
    # Ids taken for the tasks this run may open (PostgreSQL, in a round trip the operation
    # made anyway): such a task's INSERT waits for the closing batch (`open_task`).
    task_ids: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        version = self.case.service_version
        self.definition = compiled.version(version.pk, version.content_hash)[1]
        # Events wait here and are written in one multi-row INSERT by `flush`.
        self._unsaved: list[CaseEvent] = []
        # Their public facts, queued for the ledger in one INSERT by `flush`.
        self._unsaved_ledger: list[tuple[str, dict[str, Any]]] = []
        self._saved_columns = _columns(self.case)
        # The steps of the case's open tasks, kept in memory so that `finish` need not
        # query them. Outside parallel branches current_steps names each open task's
        # step exactly once; inside them two tasks may share a step, so ask the database.
        self._open_steps: set[str] | None = None
        if not any(key != STALLED for key in self.case.join_state):
            resting = {*self.case.join_state.get(STALLED, {}), self.case.waiting_step}
            self._open_steps = set(self.case.current_steps) - resting
        # Rows' changed columns (instance, names) written with the closing writes.
        self._deferred: list[tuple[Any, list[str]]] = []
        # New tasks with their id and guessed position, inserted with the closing writes.
        self._new_tasks: list[tuple[Task, str]] = []
        # Whether the read model went out with a task's guessed position that was wrong.
        self._tracking_misplaced = False
        # Queued jobs' rows (core.taskqueue), written with the events (`flush`), and
        # those written but not announced yet (the signal waits for the batch's end).
        self._jobs: list[Any] = []
        self._unannounced: list[Any] = []
        # Set when the case closes because the applicant let their deadline pass:
        # the closing notice says so instead of the ordinary one.
        self.lapsed = False

    # -- history ---------------------------------------------------------------

    def record(
        self,
        kind: str,
        *,
        step_id: str = "",
        task: Task | None = None,
        action: str = "",
        reason: str = "",
        payload: dict[str, Any] | None = None,
        is_public: bool = True,
        actor: Actor | None = None,
    ) -> CaseEvent:
        """Append an event to the case's history; public kinds also to the public ledger."""
        actor = actor or self.actor
        # The case row is locked, so its counter numbers the events without a race.
        self.case.last_event_sequence += 1
        event: CaseEvent = prepared.new(
            CaseEvent,
            case=self.case,
            sequence=self.case.last_event_sequence,
            at=self.now,
            kind=kind,
            step_id=step_id,
            task=task,
            officer=actor.officer,
            position=actor.position,
            capacity=actor.capacity,
            actor_user=actor.user,
            action=action,
            reason=reason,
            is_public=is_public,
            payload=payload or {},
        )
        self._unsaved.append(event)
        self.events.append(event)
        tracking.on_event(self.case, event)  # the tracking read model (ADR 0023)
        if kind in PUBLIC_LEDGER_KINDS:
            # Queued with the events, folded into the log by the worker (ADR 0022).
            self._unsaved_ledger.append(("case.event", self._ledger_payload(event)))
        # The locking read said whether anyone subscribed (None: not read, so look).
        if kind in WEBHOOK_TYPES and self.case.webhooks_subscribed is not False:
            ports.publish_webhook(
                agency_id=self.case.agency_id,
                event_type=WEBHOOK_TYPES[kind],
                data={  # what the case is and where it stands; no personal data
                    "tracking_number": self.case.tracking_number,
                    "service_code": self.case.service.code,
                    "status": self.case.status,
                    "event": kind,
                    "step": step_id,
                    "action": action,
                    "at": self.now.isoformat(),
                },
            )
        return event

    def _ledger_payload(self, event: CaseEvent) -> dict[str, Any]:
        """The public facts of an event: no NIP, no name, no tracking number, no bare hash.

        The case appears only as a keyed pseudonym (links its events, opens
        nothing); the event's content (payload and reason) only as a salted
        commitment whose salt the server can disclose to an auditor.
        """
        content = json.dumps(
            {"payload": event.payload, "reason": event.reason},
            sort_keys=True,
            ensure_ascii=True,
            default=str,
        )
        number = self.case.tracking_number
        salt = ports.ledger_derived_salt("case-event", f"{number}#{event.sequence}")
        return {
            "case": ports.ledger_pseudonym("case", number),
            "service": self.case.service.code,
            "service_version": self.case.service_version.number,
            "sequence": event.sequence,
            "kind": event.kind,
            "step": event.step_id,
            "action": event.action,
            "position": event.position.code if event.position else "",
            "capacity": event.capacity,
            "at": event.at.isoformat(),
            "data_commitment": ports.ledger_commit(salt, content),
        }

    # -- notifications -----------------------------------------------------------

    def applicant_context(self) -> dict[str, Any]:
        case = self.case
        service_name = case.service.name_en if case.language == "en" else case.service.name
        return {
            "applicant_name": case.applicant_name,
            "tracking_number": case.tracking_number,
            "service_name": service_name or case.service.name,
            "track_url": track_url(case),
            # Messages are signed by the agency that runs the service, not by "Loket".
            "agency_name": case.agency.name,
        }

    def notify_applicant(self, name: str, event: CaseEvent, **context: Any) -> None:
        case = self.case
        ports.enqueue_notification(
            event=name,
            language=case.language,
            email=case.applicant_email or None,
            phone=case.applicant_phone or None,
            user=case.applicant_user,
            context={**self.applicant_context(), **context},
            dedupe_key=f"{event_key(event)}:{name}",
            jobs=self._jobs,  # its delivery request goes with the closing writes
        )

    # -- moving on ---------------------------------------------------------------

    def advance(self, step_id: str, branch: str = "", reason: str = "") -> None:
        """Follow the definition from `step_id` until every branch rests."""
        pending: list[tuple[str, str]] = [(step_id, branch)]
        steps_run = 0
        while pending and not self.case.is_closed:
            current, current_branch = pending.pop(0)
            steps_run += 1
            if steps_run > MAX_STEPS_PER_RUN:
                raise DefinitionFault(
                    f"the definition loops through automatic steps (stopped at {current!r})"
                )
            step = self.definition.step(current)
            pending.extend(self._enter(step, current_branch, reason))
        self.finish()

    def _enter(self, step: Step, branch: str, reason: str) -> list[tuple[str, str]]:
        # The step's kind (a registered class, loket.catalog.stepkinds) decides which
        # of this run's primitives it is made of.
        return step.step_kind.enter(self, step, branch, reason)

    def resolve_next(
        self, target: Any, context: dict[str, Any] | Callable[[], dict[str, Any]]
    ) -> str:
        """`next` is a step id or a list of `{when, to}`; the first true `when` wins.

        `context` may be given as a function: the rule context (documents, decision
        tables) is then built only when `next` has conditions to evaluate."""
        if isinstance(target, str):
            return target
        if isinstance(target, list):
            if callable(context):
                context = context()
            for choice in target:
                when = choice.get("when")
                if when in (None, "", True) or bool(ports.evaluate(str(when), context)) is True:
                    return str(choice["to"])
            raise DefinitionFault("no `next` condition matched and there is no default")
        raise DefinitionFault("a step has no `next`")

    # -- automatic steps --------------------------------------------------------

    def rule_context(self) -> dict[str, Any]:
        """The CEL context: typed data, documents, applicant facts, decision tables."""
        documents = {
            doc.name: {"present": True, "kind": doc.kind, "size": doc.size}
            for doc in (self.case.documents.all() if self.documents is None else self.documents)
        }
        return ports.build_context(
            self.definition.raw,
            data=dict(self.case.data),
            documents=documents,
            applicant=applicant_facts(self.case, self.now),
        )

    def run_checks(self, step: Step, branch: str) -> list[tuple[str, str]]:
        checks: list[dict[str, Any]] = []
        context: dict[str, Any] = {}
        try:
            context = self.rule_context()
            for check in step.get("checks") or []:
                passed = ports.evaluate_condition(str(check["rule"]), context)
                checks.append(
                    {
                        "rule": check["rule"],
                        "passed": passed,
                        "on_fail": check.get("on_fail", "reject"),
                    }
                )
            failed = [
                c for c, r in zip(step.get("checks") or [], checks, strict=True) if not r["passed"]
            ]
            target = "" if failed else self.resolve_next(step.get("next"), context)
        except ports.rule_errors() as exc:
            # A rule that cannot be evaluated for this data: park the case at the
            # step for an administrator instead of refusing the submission.
            self.record(
                "auto_step_failed",
                step_id=step["id"],
                is_public=False,
                actor=Actor(),
                payload={"error": str(exc)[:500], "inputs": self._inputs(context)},
            )
            self.case.join_state.setdefault(STALLED, {})[step["id"]] = branch
            return []
        self.case.join_state.get(STALLED, {}).pop(step["id"], None)
        rejecting = [c for c in failed if c.get("on_fail", "reject") == "reject"]
        returning = [c for c in failed if c.get("on_fail") == "return"]
        result = "rejected" if rejecting else "returned" if returning else "passed"
        self.record(
            "auto_step",
            step_id=step["id"],
            action=result,
            actor=Actor(),
            payload={
                "inputs": self._inputs(context),
                "checks": checks,
                "result": result,
                "next": target,
            },
        )
        if result == "passed" and step["id"] == self.definition.completeness_step:
            self.declare_complete(step["id"], actor=Actor())
        language = self.case.language
        if rejecting:
            # Name every failed check, not only the rejecting ones: an applicant who
            # applies again should not discover the next problem only then.
            reason = " ".join(
                localized(c.get("message"), language) for c in [*rejecting, *returning]
            )
            end = self.definition.first_of_kind("end", outcome="rejected")
            if end is None:
                self.close(Outcome.REJECTED, reason=reason, step_id=step["id"])
                return []
            return self._go_with_reason(end["id"], "", reason)
        if returning:
            reason = " ".join(localized(c.get("message"), language) for c in returning)
            target_id = returning[0].get("return_to") or step.get("return_to")
            applicant_step = (
                self.definition.step(target_id)
                if target_id
                else self.definition.first_of_kind("applicant")
            )
            if applicant_step is None:
                raise DefinitionFault(f"step {step['id']!r} returns but there is no applicant step")
            self.cancel_open_tasks()
            self.wait_for_applicant(applicant_step, reason=reason)
            return []
        return [(target, branch)]

    def _inputs(self, context: dict[str, Any]) -> dict[str, Any]:
        # The stored data (JSON as submitted) rather than the typed CEL values; NIK and
        # phone numbers masked, since events are read far more widely than the case.
        return {
            "data": self.definition.masked_data(self.case.data),
            "documents": context.get("documents", {}),
            "tables": context.get("tables", {}),
        }

    def _go_with_reason(self, step_id: str, branch: str, reason: str) -> list[tuple[str, str]]:
        step = self.definition.step(step_id)
        if step.step_kind.closes_case:
            self.close(step.get("outcome") or Outcome.APPROVED, reason=reason, step_id=step_id)
            return []
        return [(step_id, branch)]

    # -- the service clock ------------------------------------------------------

    def declare_complete(self, step_id: str, *, actor: Actor | None = None) -> None:
        """Record that the application is complete and start the service deadline there.

        UU 30/2014 Pasal 53 (as amended) counts the deadline from when the application
        is received complete; only the first declaration counts: a later return for
        revision pauses the clock, it does not restart it.
        """
        case = self.case
        if case.complete_at is not None:
            return
        case.complete_at = self.now
        case.due_at = self.deadline_from(self.now, self.definition.service_deadline)
        case.paused_at = None
        case.remaining_seconds = None
        self.record(
            "declared_complete",
            step_id=step_id,
            actor=actor,
            payload={"due_at": case.due_at.isoformat() if case.due_at else None},
        )

    # -- tasks -------------------------------------------------------------------

    def deadline_from(self, start: dt.datetime, deadline: Any) -> dt.datetime | None:
        if not isinstance(deadline, dict):
            return None
        if deadline.get("working_days") is not None:
            return ports.add_working_days(self.case.agency, start, int(deadline["working_days"]))
        if deadline.get("working_hours") is not None:
            return ports.add_working_hours(
                self.case.agency, start, float(deadline["working_hours"])
            )
        return None

    def open_task(self, step: Step, branch: str) -> Task:
        code = str(step.get("position", ""))
        task: Task = prepared.new(
            Task,
            case=self.case,
            step_id=step["id"],
            name=localized(step.get("name"), "id")[:200] or step["id"],
            branch=branch,
            created_at=self.now,
            due_at=self.deadline_from(self.now, step.get("deadline")),
        )
        guess = store.known_position(self.case.agency_id, code) if self.task_ids else None
        if guess is not None:
            # Its id is known and its position guessed: the INSERT (which finds the position
            # by its code, and so checks the guess) waits for the closing writes.
            task.pk, task.position_id = self.task_ids.pop(0), guess
            self._new_tasks.append((task, code))
        # One statement finds the position by its code and inserts the task.
        elif not store.insert_task(task, agency_id=self.case.agency_id, position_code=code):
            raise self._no_position(step, code)
        if self._open_steps is not None:
            self._open_steps.add(task.step_id)
        self.record(
            "task_opened",
            step_id=step["id"],
            task=task,
            actor=Actor(),
            payload={
                "position": code,
                "due_at": task.due_at.isoformat() if task.due_at else None,
            },
        )
        return task

    def _no_position(self, step: Step, code: str) -> DefinitionFault:
        return DefinitionFault(
            f"step {step['id']!r} names position {code!r}, "
            f"which agency {self.case.agency.code!r} does not have"
        )

    def _send_new_tasks(self) -> None:
        """INSERT the tasks `open_task` left for later; on PostgreSQL within the closing
        batch. The statement finds each position by its code, as `store.insert_task` does:
        none, and the step is refused (the operation's transaction rolls back); another
        than guessed, and the task and the read model take the one found."""
        new_tasks, self._new_tasks = self._new_tasks, []
        for task, code in new_tasks:
            placed = functools.partial(self._placed, task, task.position_id, code)
            store.send_task(task, agency_id=self.case.agency_id, position_code=code, placed=placed)

    def _placed(self, task: Task, guess: int, code: str, found: int | None) -> None:
        if found is None:
            raise self._no_position(self.definition.step(task.step_id), code)
        if found != guess:
            sequences = {e.sequence for e in self.events if e.task is task}
            tracking.on_task_moved(self.case, sequences, found)
            self._tracking_misplaced = True

    def update_at_finish(self, row: Task, names: list[str]) -> None:
        """Write `row`'s columns `names` with the run's closing writes (`finish`): on
        PostgreSQL in their round trip, since nothing reads the UPDATE's result before.
        The run writes it earlier when it reads tasks from the database itself."""
        self._deferred.append((row, names))

    def _write_deferred(self) -> None:
        self._send_new_tasks()  # first: the events and updates may refer to them
        deferred, self._deferred = self._deferred, []
        for row, names in deferred:
            store.update_columns(row, names)

    def cancel_open_tasks(self) -> None:
        self._write_deferred()  # a decided task must not be among the open ones
        Task.objects.filter(case=self.case, status=TaskStatus.OPEN).update(
            status=TaskStatus.CANCELLED
        )
        self._open_steps = set()

    def task_done(self, task: Task) -> None:
        """`task` (of this case) was decided: its step no longer waits on it."""
        if self._open_steps is not None:
            self._open_steps.discard(task.step_id)

    # -- the applicant's turn ----------------------------------------------------

    def wait_for_applicant(self, step: Step, *, reason: str = "") -> None:
        case = self.case
        case.status = CaseStatus.AWAITING_APPLICANT
        case.waiting_step = step["id"]
        case.join_state = {k: v for k, v in case.join_state.items() if k == STALLED}
        self.pause_clock()
        respond_by = self.deadline_from(self.now, step.get("deadline"))
        case.respond_by = respond_by
        event = self.record(
            "awaiting_applicant",
            step_id=step["id"],
            reason=reason,
            actor=Actor(),
            payload={"respond_by": respond_by.isoformat() if respond_by else None},
        )
        context: dict[str, Any] = {"reason": reason or _("Please check your application.")}
        if respond_by is not None:
            context["due_date"] = respond_by
        self.notify_applicant("returned", event, **context)

    def pause_clock(self) -> None:
        """Stop the service clock, remembering the working time left (none if overdue).

        Before the application is complete no service clock runs, so none pauses."""
        case = self.case
        if case.paused_at is None and case.complete_at is not None:
            left = dt.timedelta(0)
            if case.due_at is not None and case.due_at > self.now:
                left = ports.working_time_between(case.agency, self.now, case.due_at)
            case.remaining_seconds = int(left.total_seconds())
            case.paused_at = self.now

    def resume_clock(self) -> None:
        case = self.case
        if case.paused_at is not None:
            remaining = dt.timedelta(seconds=case.remaining_seconds or 0)
            case.due_at = ports.add_working_time(case.agency, self.now, remaining)
            case.paused_at = None
            case.remaining_seconds = None
        case.status = CaseStatus.IN_PROGRESS
        case.waiting_step = ""
        case.respond_by = None

    # -- paying a bill ----------------------------------------------------------------

    def await_payment(self, step: Step, branch: str) -> list[tuple[str, str]]:
        """Issue the step's bill and wait for it to be paid, the service clock stopped."""
        case = self.case
        try:
            amount = payment_amount(self.definition.raw, step, case.data)
        except ports.rule_errors() as exc:
            # As for an automatic step: park the case for an administrator.
            self.record(
                "payment_step_failed",
                step_id=step["id"],
                is_public=False,
                actor=Actor(),
                payload={"error": str(exc)[:500]},
            )
            case.join_state.setdefault(STALLED, {})[step["id"]] = branch
            return []
        if amount == 0:
            # Nothing is owed for this application (e.g. a tax exemption in the rules).
            self.record("payment_not_required", step_id=step["id"], actor=Actor())
            return [(self.resolve_next(step.get("next"), self.rule_context), branch)]
        due_at = self.deadline_from(self.now, step.get("deadline"))
        if due_at is None:
            raise DefinitionFault(f"payment step {step['id']!r} has no deadline")
        bill = ports.open_bill(case=case, step=step, amount=amount, due_at=due_at, now=self.now)
        case.status = CaseStatus.AWAITING_PAYMENT
        case.waiting_step = step["id"]
        case.join_state = {k: v for k, v in case.join_state.items() if k == STALLED}
        self.pause_clock()
        event = self.record(
            "awaiting_payment",
            step_id=step["id"],
            actor=Actor(),
            payload={
                "payment_kind": bill.kind,
                "amount": bill.amount,
                "billing_code": bill.billing_code,
                "assessment_number": bill.assessment_number,
                "assessed_position": bill.assessed_position,
                "due_at": due_at.isoformat(),
            },
        )
        self.notify_applicant(
            "bill_issued",
            event,
            amount=group_digits(bill.amount),
            billing_code=bill.billing_code,
            due_date=due_at,
        )
        return []

    def payment_received(
        self, *, step_id: str, amount: int, billing_code: str, provider: str, reference: str
    ) -> CaseEvent:
        """The bill of the payment step the case waits at is paid: the clock runs again."""
        self._require_waiting_for_payment(step_id)
        step = self.definition.step(step_id)
        self.resume_clock()
        event = self.record(
            "paid",
            step_id=step_id,
            actor=Actor(),
            payload={
                "amount": amount,
                "billing_code": billing_code,
                "provider": provider,
                "reference": reference,
            },
        )
        self.notify_applicant(
            "payment_received", event, amount=group_digits(amount), billing_code=billing_code
        )
        self.advance(self.resolve_next(step.get("next"), self.rule_context))
        return event

    def payment_expired(self, *, step_id: str, billing_code: str) -> CaseEvent:
        """The bill was not paid by its due date: the case ends as the definition says."""
        self._require_waiting_for_payment(step_id)
        end = self.definition.step(str(self.definition.step(step_id).get("on_expire")))
        reason = _("The bill %(code)s was not paid by its due date.") % {"code": billing_code}
        event = self.record(
            "payment_expired",
            step_id=step_id,
            actor=Actor(),
            payload={"billing_code": billing_code},
        )
        self.notify_applicant("bill_expired", event, billing_code=billing_code)
        self.close(
            end.get("outcome") or Outcome.CANCELLED,
            reason=reason,
            step_id=end["id"],
            notify=False,
        )
        self.finish()
        return event

    def _require_waiting_for_payment(self, step_id: str) -> None:
        case = self.case
        if case.status != CaseStatus.AWAITING_PAYMENT or case.waiting_step != step_id:
            raise ConflictError(
                _("This application is not waiting for this payment."),
                code="not_awaiting_payment",
            )

    # -- parallel branches -------------------------------------------------------

    def fork(self, step: Step, branch: str) -> list[tuple[str, str]]:
        branches = [str(b) for b in step.get("branches") or []]
        if not branches:
            raise DefinitionFault(f"parallel step {step['id']!r} has no branches")
        key = f"{branch}/{step['id']}" if branch else step["id"]
        self._open_steps = None  # branches may open two tasks at one step
        self.case.join_state[key] = {"expected": len(branches), "arrived": [], "parent": branch}
        self.record(
            "branches_started", step_id=step["id"], actor=Actor(), payload={"branches": branches}
        )
        return [(target, f"{key}:{index}") for index, target in enumerate(branches)]

    def join(self, step: Step, branch: str) -> list[tuple[str, str]]:
        if not branch:
            return [(self.resolve_next(step.get("next"), self.rule_context), "")]
        key, _sep, index = branch.rpartition(":")
        state = self.case.join_state.get(key)
        if state is None:
            raise DefinitionFault(f"join {step['id']!r} reached from an unknown branch")
        if index not in state["arrived"]:
            state["arrived"].append(index)
        if len(state["arrived"]) < state["expected"]:
            self.record(
                "branch_completed",
                step_id=step["id"],
                actor=Actor(),
                payload={"arrived": len(state["arrived"]), "expected": state["expected"]},
            )
            return []
        del self.case.join_state[key]
        self.record("branches_joined", step_id=step["id"], actor=Actor())
        return [(self.resolve_next(step.get("next"), self.rule_context), state["parent"])]

    # -- issuing and closing -------------------------------------------------------

    def request_issue(self, step: Step, branch: str) -> list[tuple[str, str]]:
        """Ask the worker for the document and park here; `cases.issuing` resumes the run.

        The request and its queued task are written in this transaction, so the
        approval and the promise of its document commit together.
        """
        from loket.cases import tasks

        self.case.join_state.setdefault(STALLED, {})[step["id"]] = branch
        if self.actor.officer is None or self.actor.position is None:
            self._write_deferred()  # issuer_of reads the last approved task
        try:
            officer, position, capacity = issuer_of(self.case, self.actor)
        except LoketError as exc:  # nobody approved: parked for an administrator
            self.record(
                "issue_failed",
                step_id=step["id"],
                actor=Actor(),
                is_public=False,
                payload={"error": str(exc)[:500]},
            )
            return []
        request = ports.request_issue(
            case=self.case,
            step_id=step["id"],
            branch=branch,
            officer=officer,
            position=position,
            capacity=capacity,
            at=self.now,
        )
        # Nothing reads the job back: written with the closing writes (`flush`).
        taskqueue.enqueue_into(self._jobs, tasks.issue_document, request.pk)
        return []

    def issued(self, step_id: str, document: Any) -> None:
        """The worker recorded the step's document: note it, tell the applicant, go on."""
        branch = self.case.join_state.get(STALLED, {}).pop(step_id, "")
        event = self.record(
            "issued",
            step_id=step_id,
            actor=Actor(),
            payload={
                "document_number": str(document.number),
                "document_id": str(document.pk),
                "document_sha256": str(document.sha256),
            },
        )
        url = ports.verification_url(document.verification_code)
        self.notify_applicant("issued", event, document_url=url)
        step = self.definition.step(step_id)
        self.advance(self.resolve_next(step.get("next"), self.rule_context), branch)

    def close(
        self, outcome: str, *, reason: str = "", step_id: str = "", notify: bool = True
    ) -> None:
        case = self.case
        self.cancel_open_tasks()
        ports.cancel_open_bills(case=case, now=self.now)
        case.status = {
            Outcome.APPROVED: CaseStatus.APPROVED,
            Outcome.REJECTED: CaseStatus.REJECTED,
            Outcome.CANCELLED: CaseStatus.CANCELLED,
        }[Outcome(outcome)]
        case.outcome = outcome
        case.outcome_reason = reason
        case.closed_at = self.now
        case.waiting_step = ""
        case.join_state = {}
        case.paused_at = None
        case.respond_by = None
        event = self.record(
            "closed",
            step_id=step_id,
            action=outcome,
            reason=reason,
            actor=self.actor if outcome == Outcome.CANCELLED else Actor(),
            payload={"outcome": outcome},
        )
        if not notify:
            return
        # The closing message carries the satisfaction survey link when one is due (it
        # reads this case's events, so they are written first).
        self.flush()
        survey_url = ports.survey_link(case=case, now=self.now)
        survey = {"survey_url": survey_url} if survey_url else {}
        if self.lapsed:
            self.notify_applicant("withdrawn_lapsed", event, reason=reason)
        elif outcome == Outcome.REJECTED:
            self.notify_applicant(
                "rejected", event, reason=reason or _("See the timeline."), **survey
            )
        elif outcome == Outcome.CANCELLED:
            self.notify_applicant("cancelled", event, reason=reason, **survey)
        elif not any(e.kind == "issued" for e in self.events):
            # When a document was issued the applicant already got it; one message is enough.
            self.notify_applicant("approved", event, **survey)
        elif survey_url:
            self.notify_applicant("survey_invitation", event, survey_url=survey_url)

    def flush(self) -> None:
        """Write the events recorded so far, in one multi-row INSERT (ids are set), queue
        their public facts for the ledger in another, and write the queued jobs."""
        self._send_new_tasks()  # the events may name them
        if self._unsaved:
            prepared.insert_rows(self._unsaved)
            self._unsaved = []
        if self._unsaved_ledger:
            ports.ledger_enqueue(self._unsaved_ledger)
            self._unsaved_ledger = []
        if self._jobs:
            jobs, self._jobs = self._jobs, []
            taskqueue.write(jobs)
            self._unannounced.extend(jobs)
        connection = transaction.get_connection()
        if self._unannounced and not prepared.in_batch(connection):
            jobs, self._unannounced = self._unannounced, []
            taskqueue.announce(jobs)

    def finish(self) -> None:
        """Write the new tasks, the decided one, the events, the case's changed columns in
        one UPDATE and the queued jobs.

        Every operation that records events ends with this (`advance` calls it). On
        PostgreSQL they go in one round trip (`prepared.batched`): nothing here needs a
        result before the next is sent (ADR 0027, 0029, 0031)."""
        case = self.case
        open_steps = self._open_steps
        if open_steps is None:
            # Read before the batch: the ORM needs its result at once; a decided task's
            # status written first.
            self._write_deferred()
            open_steps = set(
                Task.objects.filter(case=case, status=TaskStatus.OPEN).values_list(
                    "step_id", flat=True
                )
            )
        stalled = list(case.join_state.get(STALLED, {}))
        waiting = [case.waiting_step] if case.waiting_step else []
        case.current_steps = [] if case.is_closed else sorted({*open_steps, *stalled, *waiting})
        columns = _columns(case)
        changed = [name for name, value in columns.items() if self._saved_columns[name] != value]
        if tracking.take_changed(case) and "tracking" not in changed:
            changed.append("tracking")  # changed before this run began (stored uploads)
        self._tracking_misplaced = False
        with prepared.batched(transaction.get_connection()):
            self._write_deferred()
            self.flush()
            store.update_columns(case, [*changed, "updated_at"])
        jobs, self._unannounced = self._unannounced, []
        taskqueue.announce(jobs)
        if self._tracking_misplaced:
            # A task's position was not the one guessed (recoded since this process last
            # saw it): the read model went out with the guess, so once more with the one found.
            store.update_columns(case, ["tracking"])
        self._saved_columns = columns


def _columns(case: Case) -> dict[str, Any]:
    """The case's column values by field name, to compare at `finish`.

    JSON columns change in place, so their values are kept as pickles: a snapshot
    several times cheaper than `copy.deepcopy` of the growing read model and data.
    Equal values pickle equal except after a reordering of keys, which only costs a
    column written that need not have been; any real change is always seen. The read
    model, the largest, is not pickled: only `tracking` changes it in place, and that
    marks the case (tracking.take_changed); a new object put there is seen by identity."""
    values = case.__dict__
    return {
        name: _Same(value)
        if name == "tracking"
        else value.snapshot()
        if type(value) is Sealed
        else pickle.dumps(value, _PICKLE)
        if isinstance(value, dict | list)
        else value
        for name, attname in _CASE_COLUMNS
        # A column still sealed (core.pii.Sealed) is compared without decrypting it.
        for value in (values[attname] if attname in values else getattr(case, attname),)
    }


class _Same:
    """Equal to another only when both hold the very same object."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.value is self.value

    def __hash__(self) -> int:
        return id(self.value)


_PICKLE = pickle.HIGHEST_PROTOCOL
_CASE_COLUMNS = tuple(
    (field.name, field.attname) for field in Case._meta.concrete_fields if not field.primary_key
)


def event_key(event: CaseEvent) -> str:
    """A stable name for an event before it has an id: its case and sequence number."""
    return f"case-event:{event.case_id}.{event.sequence}"


def payment_amount(definition: dict[str, Any], step: Step, data: dict[str, Any]) -> int:
    """What a payment step bills for this application's data, in whole rupiah."""
    amount = step.get("amount") or {}
    if amount.get("rupiah") is not None:
        return int(amount["rupiah"])
    return ports.rupiah_of(definition, str(amount.get("expression")), data)


def applicant_facts(case: Case, now: dt.datetime) -> dict[str, Any]:
    """What rules may know about the applicant: derived facts, never the NIK itself."""
    from loket.core.identity import validate_nik

    facts: dict[str, Any] = {"has_email": bool(case.applicant_email)}
    try:
        info = validate_nik(case.applicant_nik)
    except LoketError:
        return facts
    today, born = now.date(), info.birth_date
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    facts.update({"sex": info.sex, "age": age, "region": info.region})
    return facts


def track_url(case: Case) -> str:
    try:
        path = reverse("portal:track", args=[case.tracking_number])
    except NoReverseMatch:
        path = f"/track/{case.tracking_number}"
    return link_in(f"{settings.PUBLIC_BASE_URL}{path}", case.language)


def issuer_of(case: Case, actor: Actor) -> tuple[Officer, Position, str]:
    """Who signs: the officer whose approval led here, or the last approver on a re-run."""
    if actor.officer is not None and actor.position is not None:
        return actor.officer, actor.position, actor.capacity
    last = (
        Task.objects.filter(case=case, decision="approve", status=TaskStatus.DONE)
        .select_related("decided_by", "position")
        .order_by("-decided_at")
        .first()
    )
    if last is None or last.decided_by is None:
        raise ConflictError(_("No officer approved this application, so nothing can be issued."))
    return last.decided_by, last.position, last.decided_capacity


def public_fields(case: Case) -> list[tuple[str, str]]:
    """What the document prints: no NIK, no phone (the verification page shows none of it);
    each value as its field type shows it in Indonesian ("Rp25.000.000")."""
    definition = compiled.version(case.service_version_id, case.service_version.content_hash)[1]
    fields: list[tuple[str, str]] = [
        ("Nomor permohonan", case.tracking_number),
        ("Nama pemohon", case.applicant_name),
    ]
    for spec in definition.data_fields:
        if spec.name not in case.data or spec.kind.is_personal:
            continue
        fields.append((spec.label_text("id"), spec.display(case.data[spec.name], "id")))
    return fields
