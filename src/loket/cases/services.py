"""Operations on cases: one function per thing that happens.

Each operation runs in one database transaction that checks authority,
validates, writes the events, moves the case, opens the next tasks, appends to
the ledger and puts notifications in the outbox; if any part fails nothing is
kept. The case row is locked first (then its tasks), so concurrent acts on one
case queue up and the loser sees the winner's result as a ConflictError.
A refused act (AuthorityError) leaves only an audit line, written after the
rollback.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.cases import issuing, numbers, policy, ports
from loket.cases.definition import Definition
from loket.cases.flow import STALLED, Actor, Run
from loket.cases.intake import (
    Applicant,
    check_documents,
    clean_applicant,
    clean_data,
    document_limits,
    file_digest,
    request_fingerprint,
)
from loket.cases.models import (
    AuditLog,
    Case,
    CaseDocument,
    CaseEvent,
    CaseStatus,
    Decision,
    IdempotencyKey,
    Outcome,
    Task,
    TaskStatus,
)
from loket.core.errors import AuthorityError, ConflictError, NotFound, ValidationError
from loket.core.pii import lookup_hash
from loket.org.models import Officer

audit_log = logging.getLogger("loket.audit")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    case: Case
    access_code: str  # shown once on the receipt
    created: bool  # False when an Idempotency-Key replay returned an earlier case


# -- refusals and the audit trail --------------------------------------------------


@contextmanager
def _audited(
    action: str,
    target: str,
    *,
    officer: Officer | None = None,
    user: User | None = None,
) -> Iterator[None]:
    try:
        yield
    except AuthorityError as exc:
        # The act's transaction is already rolled back; the refusal is recorded apart.
        AuditLog.objects.create(
            user=user if user is not None and user.pk else (officer.user if officer else None),
            officer=officer,
            action=action,
            target=target[:120],
            message=exc.message,
        )
        audit_log.warning(
            "refused %s on %s by %s: %s",
            action,
            target,
            officer.nip if officer else (getattr(user, "pk", None) or "anonymous"),
            exc.code,
        )
        raise


def _lock_case(case_id: int) -> Case:
    # Lock only the case row (of=self) and as FOR NO KEY UPDATE: locking the joined
    # service/agency rows, or a plain FOR UPDATE, would block every transaction that
    # inserts a row pointing at them (PostgreSQL takes KEY SHARE locks for foreign keys)
    # and deadlock against the ledger's lock.
    return (
        Case.objects.select_for_update(of=("self",), no_key=True)
        .select_related("service", "service_version", "agency")
        .get(pk=case_id)
    )


def _lock_task(task_id: int) -> tuple[Case, Task]:
    """Lock the task's case, then the task: always in that order, so no deadlock."""
    case_id = Task.objects.filter(pk=task_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound(_("There is no task %(id)s.") % {"id": task_id}, field="id")
    case = _lock_case(case_id)
    task = (
        Task.objects.select_for_update(of=("self",), no_key=True)
        .select_related("position")
        .get(pk=task_id)
    )
    task.case = case
    return case, task


def _already_done(task: Task) -> ConflictError:
    if task.status == TaskStatus.DONE and task.decided_at is not None:
        return ConflictError(
            _("This task was already decided by %(position)s at %(time)s.")
            % {
                "position": task.position.title,
                "time": timezone.localtime(task.decided_at).strftime("%d-%m-%Y %H:%M"),
            },
            code="task_already_decided",
        )
    return ConflictError(
        _("This task is no longer open: the application moved on."), code="task_closed"
    )


# -- submit ------------------------------------------------------------------------


def submit(
    *,
    service_code: str,
    applicant: Applicant,
    data: dict[str, Any],
    documents: dict[str, Any] | None = None,
    user: User | None = None,
    idempotency_key: str = "",
    client: str = "",
    now: dt.datetime | None = None,
) -> Submission:
    """Receive an application: validate, number it, run the automatic steps, notify.

    With an `idempotency_key`, repeating the same request returns the first case
    (and its access code); the same key with a different request is refused. Keys
    belong to the client that sent them: the signed-in `user`, else `client` (e.g.
    "machine:7" for an integration's key), else the anonymous callers' shared space,
    never to what the request says (a NIK), so changing the body cannot mint a new case.
    """
    key = check_idempotency_key(idempotency_key)
    documents = documents or {}
    service = ports.service_by_code(service_code)
    version = ports.current_version(service) if service is not None else None
    if service is None or version is None or not service.is_active:
        raise NotFound(
            _("There is no service %(code)s accepting applications.") % {"code": service_code[:80]},
            field="service",
        )
    definition = Definition(version.definition)
    clean = clean_applicant(applicant)
    cleaned_data = clean_data(definition, data, language=clean.language)
    check_documents(definition, documents, language=clean.language)

    fingerprint, scope = "", ""
    if key:
        digests = {name: file_digest(f) for name, f in documents.items()}
        fingerprint = request_fingerprint(service.code, applicant, data, digests)
        scope = idempotency_scope(user=user, client=client)
        replay = _replay(scope, key, fingerprint)
        if replay is not None:
            return replay
    checked = _check_uploads(definition, documents)
    try:
        return _submit(
            service=service,
            version=version,
            definition=definition,
            clean=clean,
            data=cleaned_data,
            documents=checked,
            user=user,
            idempotency=(scope, key, fingerprint) if key else None,
            now=now or timezone.now(),
        )
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its case.
        if key:
            replay = _replay(scope, key, fingerprint)
            if replay is not None:
                return replay
        raise
    finally:
        _close(checked)


IDEMPOTENCY_KEY_MAX = 200


def check_idempotency_key(raw: str) -> str:
    """The key as given (outer spaces dropped), or a 422 naming the header: at most 200
    printable ASCII characters, as docs/api.md promises."""
    key = (raw or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError(
            _("The Idempotency-Key header is longer than %(max)d characters.")
            % {"max": IDEMPOTENCY_KEY_MAX},
            field="Idempotency-Key",
        )
    if any(not (" " <= char <= "~") for char in key):
        raise ValidationError(
            _("The Idempotency-Key header may hold only printable ASCII characters."),
            field="Idempotency-Key",
        )
    return key


def idempotency_scope(*, user: User | None, client: str) -> str:
    """Whose key space a submission's Idempotency-Key lives in."""
    if user is not None and user.pk:
        return f"user:{user.pk}"
    return client or "anonymous"


def _replay(scope: str, key: str, fingerprint: str) -> Submission | None:
    earlier = IdempotencyKey.objects.select_related("case").filter(scope=scope, key=key).first()
    if earlier is None:
        return None
    if earlier.request_hash != fingerprint:
        raise ValidationError(
            _(
                "This Idempotency-Key was already used for a different application. Use a new "
                "key for a new application."
            ),
            field="Idempotency-Key",
            code="idempotency_key_reused",
        )
    return Submission(case=earlier.case, access_code=earlier.access_code, created=False)


@transaction.atomic
def _submit(
    *,
    service: Any,
    version: Any,
    definition: Definition,
    clean: Any,
    data: dict[str, Any],
    documents: dict[str, ports.CheckedUpload],
    user: User | None,
    idempotency: tuple[str, str, str] | None,
    now: dt.datetime,
) -> Submission:
    year = timezone.localtime(now).year
    prefix = definition.tracking_prefix(service.code)
    tracking = numbers.tracking_number(prefix, year, numbers.next_sequence(prefix, year))
    access_code = numbers.new_access_code()
    case = Case.objects.create(
        tracking_number=tracking,
        access_code_hash=numbers.hash_access_code(tracking, access_code),
        service=service,
        service_version=version,
        agency=service.agency,
        applicant_user=user if user is not None and user.pk else None,
        applicant_name=clean.name,
        applicant_nik=clean.nik.nik,
        applicant_nik_hash=lookup_hash(clean.nik.nik),
        applicant_email=clean.email,
        applicant_phone=clean.phone,
        applicant_phone_hash=lookup_hash(clean.phone) if clean.phone else "",
        language=clean.language,
        data=data,
        submitted_at=now,
        archive_code=(definition.raw.get("archive") or {}).get("classification") or "",
        access_class=(definition.raw.get("archive") or {}).get("case_file_access") or "terbatas",
    )
    _store_documents(case, documents, revision=0, now=now)
    run = Run(case=case, now=now, actor=Actor(user=case.applicant_user))
    if definition.completeness_step is None:
        # Nothing checks completeness: the application is complete as received.
        case.complete_at = now
        case.due_at = run.deadline_from(now, definition.service_deadline)
    payload: dict[str, Any] = {
        "service_version": version.number,
        "fee": ports.fee_for(definition.raw, data),
    }
    event = run.record("submitted", payload=payload)
    context: dict[str, Any] = {"due_date": case.due_at} if case.due_at else {}
    run.notify_applicant("received", event, **context)
    if idempotency is not None:
        scope, key, fingerprint = idempotency
        IdempotencyKey.objects.create(
            scope=scope, key=key, request_hash=fingerprint, case=case, access_code=access_code
        )
    run.advance(definition.first_step["id"])
    return Submission(case=case, access_code=access_code, created=True)


def _check_uploads(
    definition: Definition, documents: dict[str, Any]
) -> dict[str, ports.CheckedUpload]:
    """Check and decode every upload before any lock is taken (a 10 MB PNG can take
    seconds to decode; under the numbering lock it would hold up every submission)."""
    checked: dict[str, ports.CheckedUpload] = {}
    try:
        for name, upload in documents.items():
            allowed, max_bytes = document_limits(definition, name)
            original = str(getattr(upload, "name", "") or name)
            try:
                checked[name] = ports.check_upload(
                    fileobj=upload,
                    original_name=original,
                    allowed_types=allowed,
                    max_bytes=max_bytes,
                )
            except ValidationError as exc:
                raise ValidationError(
                    exc.message, field=f"documents.{name}", code=exc.code
                ) from None
    except BaseException:
        _close(checked)
        raise
    return checked


def _close(checked: dict[str, Any]) -> None:
    for upload in checked.values():
        upload.close()


def _store_documents(
    case: Case,
    documents: dict[str, ports.CheckedUpload],
    *,
    revision: int,
    now: dt.datetime,
) -> None:
    for name, upload in documents.items():
        stored = ports.store_checked(upload)
        CaseDocument.objects.create(
            case=case,
            name=name,
            revision=revision,
            original_name=stored.original_name,
            kind=stored.kind,
            size=stored.size,
            sha256=stored.sha256,
            storage_name=stored.storage_name,
            uploaded_at=now,
        )


# -- automatic steps -----------------------------------------------------------------


@transaction.atomic
def run_auto_step(*, case_id: int, step_id: str, now: dt.datetime | None = None) -> Case:
    """Re-run an automatic step where a case was parked (a rule could not be evaluated)."""
    case = _lock_case(case_id)
    branch = case.join_state.get(STALLED, {}).get(step_id)
    if case.is_closed or branch is None:
        raise ConflictError(
            _("The application is not waiting at the automatic step %(step)s.") % {"step": step_id}
        )
    Run(case=case, now=now or timezone.now()).advance(step_id, branch)
    return case


# -- officers' acts ----------------------------------------------------------------


def claim_task(*, task_id: int, officer: Officer, now: dt.datetime | None = None) -> Task:
    """Take an open task so no other officer works on it; only a holder of its position may."""
    with _audited("claim", f"task:{task_id}", officer=officer):
        return _claim(task_id, officer, now or timezone.now())


def _claim_of(task: Task) -> dict[str, str]:
    """Who holds a claimed task, as a 409 tells it: the position and since when, not the
    person (the API's callers include integrations, which need no colleague's name)."""
    since = (
        timezone.localtime(task.claimed_at).strftime("%Y-%m-%d %H:%M") if task.claimed_at else "-"
    )
    return {"position": task.position.title, "since": since}


@transaction.atomic
def _claim(task_id: int, officer: Officer, now: dt.datetime) -> Task:
    case, task = _lock_task(task_id)
    if task.status != TaskStatus.OPEN:
        raise _already_done(task)
    holding = policy.require_holding(policy.reach_of(officer, now), task)
    if task.claimed_by_id == officer.pk:
        return task
    if task.claimed_by_id is not None:
        raise ConflictError(
            _("Another holder of %(position)s is already working on this task (since %(since)s).")
            % _claim_of(task),
            code="task_claimed",
        )
    run = Run(case=case, now=now)
    policy.require_capacity(run.definition, task, holding)
    policy.require_segregation(run.definition, task, officer)
    task.claimed_by = officer
    task.claimed_at = now
    task.save(update_fields=["claimed_by", "claimed_at"])
    run.record(
        "claimed",
        step_id=task.step_id,
        task=task,
        is_public=False,
        actor=Actor(
            officer=officer, position=task.position, capacity=holding.capacity, user=officer.user
        ),
    )
    return task


def decide(
    *,
    task_id: int,
    officer: Officer,
    decision: str,
    reason: str = "",
    now: dt.datetime | None = None,
) -> CaseEvent:
    """Approve, reject or return a task, and move the case on.

    Only an officer holding the task's position at that moment (definitive, Plt or
    Plh) may decide; the event records the capacity. Of two officers deciding at
    once exactly one succeeds; the other gets a ConflictError naming the winner.
    """
    with _audited("decide", f"task:{task_id}", officer=officer):
        return _decide(task_id, officer, decision, reason, now or timezone.now())


@transaction.atomic
def _decide(
    task_id: int, officer: Officer, decision: str, reason: str, now: dt.datetime
) -> CaseEvent:
    if decision not in Decision.values:
        raise ValidationError(
            _("The decision must be approve, reject or return."), field="decision"
        )
    reason = (reason or "").strip()
    case, task = _lock_task(task_id)
    if task.status != TaskStatus.OPEN or case.is_closed:
        raise _already_done(task)
    holding = policy.require_holding(policy.reach_of(officer, now), task)
    if task.claimed_by_id not in (None, officer.pk):
        raise ConflictError(
            _(
                "Another holder of %(position)s is working on this task (since %(since)s); "
                "only they can decide it."
            )
            % _claim_of(task),
            code="task_claimed",
        )
    run = Run(case=case, now=now)
    policy.require_capacity(run.definition, task, holding)
    policy.require_segregation(run.definition, task, officer)
    reason_problem = policy.reason_problem(decision, reason)
    if reason_problem:
        raise ValidationError(reason_problem, field="reason")
    step = run.definition.step(task.step_id)
    target = (step.get("actions") or {}).get(decision)
    if not target:
        raise ValidationError(
            _("The decision “%(decision)s” is not possible at this step.")
            % {"decision": Decision(decision).label},
            field="decision",
        )
    task.status = TaskStatus.DONE
    task.decision = decision
    task.reason = reason
    task.decided_by = officer
    task.decided_capacity = holding.capacity
    task.decided_at = now
    task.claimed_by = task.claimed_by or officer
    task.claimed_at = task.claimed_at or now
    task.save()
    actor = Actor(
        officer=officer, position=task.position, capacity=holding.capacity, user=officer.user
    )
    run.actor = actor
    event = run.record(
        "decided",
        step_id=task.step_id,
        task=task,
        action=decision,
        reason=reason,
        payload={"target": target},
    )
    if decision == Decision.APPROVE:
        if task.step_id == run.definition.completeness_step:
            run.declare_complete(task.step_id)
        run.advance(target, task.branch)
    else:
        # Rejecting ends the case; returning sends it back to the applicant. Either
        # way the other parallel branches stop: their work would be moot.
        run.cancel_open_tasks()
        case.join_state = {}
        run.advance(target, "", reason=reason)
    return event


# -- the applicant's acts --------------------------------------------------------


def resubmit(
    *,
    case_id: int,
    data: dict[str, Any] | None = None,
    documents: dict[str, Any] | None = None,
    user: User | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The applicant sends the revised application; the deadline clock runs again."""
    documents = documents or {}
    checked: dict[str, ports.CheckedUpload] = {}
    if documents:
        # The version a case runs under never changes, so its limits can be read unlocked.
        case = Case.objects.select_related("service_version").get(pk=case_id)
        definition = Definition(case.service_version.definition)
        check_documents(definition, documents, language=case.language, partial=True)
        checked = _check_uploads(definition, documents)
    try:
        return _resubmit(case_id, data or {}, checked, user, now or timezone.now())
    finally:
        _close(checked)


@transaction.atomic
def _resubmit(
    case_id: int,
    data: dict[str, Any],
    documents: dict[str, ports.CheckedUpload],
    user: User | None,
    now: dt.datetime,
) -> Case:
    case = _lock_case(case_id)
    if case.status != CaseStatus.AWAITING_APPLICANT:
        raise ConflictError(
            _("This application is not waiting for a revision from you."),
            code="not_awaiting_applicant",
        )
    run = Run(case=case, now=now, actor=Actor(user=user if user is not None and user.pk else None))
    definition = run.definition
    changes = clean_data(definition, data, language=case.language, partial=True)
    check_documents(definition, documents, language=case.language, partial=True)
    before = dict(case.data)
    case.data = clean_data(definition, {**before, **changes}, language=case.language)
    # Compared on cleaned values, whichever way they came (a form's "2.5", the API's 2.5).
    changed_fields = sorted(k for k, v in case.data.items() if before.get(k) != v)
    case.revision += 1
    _store_documents(case, documents, revision=case.revision, now=now)
    step = definition.step(case.waiting_step)
    run.resume_clock()
    run.record(
        "resubmitted",
        step_id=step["id"],
        payload={
            "changed_fields": changed_fields,
            "documents": sorted(documents),
            "revision": case.revision,
        },
    )
    run.advance(run.resolve_next(step.get("next"), run.rule_context()))
    return case


def cancel(
    *,
    case_id: int,
    reason: str = "",
    user: User | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The applicant withdraws the application; open tasks are cancelled."""
    return _cancel(case_id, reason, user, now or timezone.now())


@transaction.atomic
def _cancel(case_id: int, reason: str, user: User | None, now: dt.datetime) -> Case:
    case = _lock_case(case_id)
    if case.is_closed:
        raise ConflictError(
            _("This application is already closed (%(status)s).")
            % {"status": case.get_status_display()},
            code="case_closed",
        )
    run = Run(case=case, now=now, actor=Actor(user=user if user is not None and user.pk else None))
    run.close(Outcome.CANCELLED, reason=(reason or "").strip()[:2000])
    run.refresh_current_steps()
    return case


# -- deadlines -----------------------------------------------------------------------


def escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Escalate every open task past its due moment to its position's superior.

    Each task is escalated once, in its own transaction, so one broken case does
    not hold up the others. Returns how many tasks were escalated.
    """
    now = now or timezone.now()
    overdue = Task.objects.filter(
        status=TaskStatus.OPEN, due_at__lt=now, escalated_at__isnull=True
    ).values_list("pk", flat=True)
    escalated = 0
    for task_id in list(overdue):
        try:
            escalated += _escalate(task_id, now)
        except Exception:
            log.exception("escalating task %s failed", task_id)
    return escalated


@transaction.atomic
def _escalate(task_id: int, now: dt.datetime) -> int:
    case, task = _lock_task(task_id)
    if task.status != TaskStatus.OPEN or task.escalated_at is not None:
        return 0
    run = Run(case=case, now=now)
    superior = ports.superior_of(task.position)
    holders = ports.holders_at(superior, now) if superior is not None else []
    task.escalated_at = now
    task.save(update_fields=["escalated_at"])
    event = run.record(
        "escalated",
        step_id=task.step_id,
        task=task,
        is_public=False,
        payload={
            "position": task.position.code,
            "superior_position": superior.code if superior else "",
            "notified": [h.officer.nip for h in holders],
            "due_at": task.due_at.isoformat() if task.due_at else None,
        },
    )
    step_name = run.definition.step_name(task.step_id)
    for holding in holders:
        officer = holding.officer
        ports.enqueue_notification(
            event="task_overdue_escalated",
            language="id",
            email=officer.user.email or None,
            user=officer.user,
            context={
                "officer_name": officer.name,
                "tracking_number": case.tracking_number,
                "service_name": case.service.name,
                "step_name": step_name,
                "position_name": task.position.title,
                "due_date": task.due_at,
                "task_url": _task_url(task),
            },
            dedupe_key=f"case-event:{event.pk}:escalated:{officer.pk}",
        )
    # Judged at the operation's `now`, not the wall clock (the periodic task passes it).
    service_overdue = (
        not case.is_closed
        and case.paused_at is None
        and case.due_at is not None
        and case.due_at < now
    )
    if service_overdue and case.apologised_at is None:
        case.apologised_at = now
        run.notify_applicant("overdue_apology", event, due_date=case.due_at)
    case.save()
    return 1


def _task_url(task: Task) -> str:
    from django.conf import settings
    from django.urls import NoReverseMatch, reverse

    try:
        path = reverse("workspace:task", args=[task.pk])
    except NoReverseMatch:
        path = f"/workspace/tasks/{task.pk}"
    return f"{settings.PUBLIC_BASE_URL}{path}"


# -- issuing ----------------------------------------------------------------------


def issue(*, case_id: int, now: dt.datetime | None = None) -> Case:
    """Issue now the document an approval of this case asked for (what the worker does).

    Not one transaction: the number is reserved, the PDF signed outside any
    transaction, then recorded (loket.cases.issuing). Raises `ConflictError`
    if the case is not waiting for a document.
    """
    request = ports.document_issuing.open_request(case_id)
    if request is None:
        raise ConflictError(_("This application is not waiting for its document to be issued."))
    issuing.issue_requested(request_id=request.pk, now=now)
    return Case.objects.get(pk=case_id)


def issue_parked(*, now: dt.datetime | None = None) -> int:
    """Issue every requested document no live worker is issuing; returns how many.

    Run by the worker's schedule: it retries documents whose signer failed and
    takes over those of a worker that died mid-issue (loket.cases.issuing.sweep).
    """
    return issuing.sweep(now=now)


# -- reassigning within a unit (used by the officer workspace) ------------------------


def reassign_task(
    *,
    task_id: int,
    head: Officer,
    assignee: Officer | None = None,
    now: dt.datetime | None = None,
) -> Task:
    """A head of unit gives an open task to another holder of its position, or releases it.

    `head` must hold, now, the head position of the unit of the task's position or
    of a unit above it. `assignee` must hold the task's position now (the task
    stays with its position); None releases the claim so any holder may take it.
    Records an internal `reassigned` event; one transaction.
    """
    with _audited("reassign", f"task:{task_id}", officer=head):
        return _reassign(task_id, head, assignee, now or timezone.now())


@transaction.atomic
def _reassign(task_id: int, head: Officer, assignee: Officer | None, now: dt.datetime) -> Task:
    case, task = _lock_task(task_id)
    if task.status != TaskStatus.OPEN or case.is_closed:
        raise _already_done(task)
    heading = policy.require_reassign_authority(policy.reach_of(head, now), task)
    run = Run(case=case, now=now)
    if assignee is not None:
        if policy.holding_for_task(policy.reach_of(assignee, now), task) is None:
            raise ValidationError(
                _("%(name)s does not hold the position %(position)s today.")
                % {"name": assignee.name, "position": task.position.title},
                field="assignee",
            )
        earlier = policy.segregation_conflict(run.definition, task, assignee)
        if earlier is not None:
            raise ValidationError(
                _("%(name)s decided the step “%(earlier)s”; the service requires a "
                  "different officer for this step.")
                % {"name": assignee.name, "earlier": run.definition.step_name(earlier)},
                field="assignee",
            )  # fmt: skip
    previous = task.claimed_by
    task.claimed_by = assignee
    task.claimed_at = now if assignee is not None else None
    task.save(update_fields=["claimed_by", "claimed_at"])
    run.record(
        "reassigned" if assignee is not None else "released",
        step_id=task.step_id,
        task=task,
        is_public=False,
        actor=Actor(officer=head, position=heading.position, capacity=heading.capacity,
                    user=head.user),
        payload={"from": previous.nip if previous else "", "to": assignee.nip if assignee else ""},
    )  # fmt: skip
    return task


# -- payments (called by the payments app, which owns bills and providers) ------------


def lock_case(*, case_id: int) -> Case:
    """Lock a case row for another app's operation on it (a payment callback, a bill's
    expiry). Call inside that operation's transaction, before locking its own rows:
    every operation locks the case first, so none can deadlock with another."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_case must be called inside a transaction")
    return _lock_case(case_id)


@transaction.atomic
def settle_payment(
    *,
    case: Case,
    step_id: str,
    amount: int,
    billing_code: str,
    provider: str,
    reference: str,
    now: dt.datetime,
) -> CaseEvent:
    """Record that the bill of the payment step `step_id` is paid and move the case on.

    `case` must come from `lock_case` in the caller's transaction. Raises
    ConflictError when the case is not waiting for that payment.
    """
    return Run(case=case, now=now).payment_received(
        step_id=step_id,
        amount=amount,
        billing_code=billing_code,
        provider=provider,
        reference=reference,
    )


@transaction.atomic
def expire_payment(*, case: Case, step_id: str, billing_code: str, now: dt.datetime) -> CaseEvent:
    """Close a case whose bill lapsed unpaid, as its payment step's `on_expire` says.

    `case` must come from `lock_case` in the caller's transaction.
    """
    return Run(case=case, now=now).payment_expired(step_id=step_id, billing_code=billing_code)
