"""What the case operations share: the refusal audit, conflict messages, uploads."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.cases import ports, tracking
from loket.cases.intake import (
    document_limits,
)
from loket.cases.models import (
    AuditLog,
    Case,
    CaseDocument,
    Task,
    TaskStatus,
)
from loket.catalog.definitions import ServiceDefinition
from loket.core import prepared
from loket.core.errors import AuthorityError, ConflictError, ValidationError
from loket.org.models import Officer

audit_log = logging.getLogger("loket.audit")


@contextmanager
def audited(
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


def already_done(task: Task) -> ConflictError:
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


def claim_of(task: Task) -> dict[str, str]:
    """Who holds a claimed task, as a 409 tells it: the position and since when, not the
    person (the API's callers include integrations, which need no colleague's name)."""
    since = (
        timezone.localtime(task.claimed_at).strftime("%Y-%m-%d %H:%M") if task.claimed_at else "-"
    )
    return {"position": task.position.title, "since": since}


def check_uploads(
    definition: ServiceDefinition, documents: dict[str, Any]
) -> dict[str, ports.CheckedUpload]:
    """Check and decode every upload before any lock is taken (a 10 MB PNG can take
    seconds to decode; under the numbering lock it would hold up every submission)."""
    checked: dict[str, ports.CheckedUpload] = {}
    problems: list[ValidationError] = []
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
                # Every file is checked, so all the bad ones are named in one answer.
                problems.append(
                    ValidationError(exc.message, field=f"documents.{name}", code=exc.code)
                )
        if problems:
            raise ValidationError.of_all(problems)
    except BaseException:
        close_uploads(checked)
        raise
    return checked


def close_uploads(checked: dict[str, Any]) -> None:
    for upload in checked.values():
        upload.close()


def write_uploads(checked: dict[str, ports.CheckedUpload]) -> dict[str, Any]:
    """The checked uploads written to storage and synced, by name, before the step's
    transaction takes its locks (their rows are written in it, `store_documents`); the
    copies are closed. The caller discards them if the transaction fails."""
    return dict(zip(checked, ports.write_checked(list(checked.values())), strict=True))


def discard_uploads(written: dict[str, Any]) -> None:
    """Remove files `write_uploads` wrote that no committed row will name."""
    ports.discard_written(list(written.values()))


def store_documents(
    case: Case,
    written: dict[str, Any],
    *,
    revision: int,
    now: dt.datetime,
) -> list[CaseDocument]:
    """Record the files `write_uploads` wrote, and on the case (one INSERT each); the
    case's document rows."""
    ports.record_stored(list(written.values()))
    rows = []
    for name, stored in written.items():
        rows.append(
            prepared.new(
                CaseDocument,
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
        )
    prepared.insert_rows(rows)  # built once per process, not per submission
    tracking.on_uploads(case, rows)  # the tracking read model (ADR 0023)
    return rows


def task_url(task: Task) -> str:
    from django.conf import settings
    from django.urls import NoReverseMatch, reverse

    try:
        path = reverse("workspace:task", args=[task.pk])
    except NoReverseMatch:
        path = f"/workspace/tasks/{task.pk}"
    return f"{settings.PUBLIC_BASE_URL}{path}"
