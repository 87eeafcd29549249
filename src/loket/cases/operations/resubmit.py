"""The applicant sends a revised application."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.cases import applicant_card, locks
from loket.cases import revision as revisions
from loket.cases.flow import Actor, Run
from loket.cases.intake import (
    check_documents,
    clean_data,
)
from loket.cases.models import (
    Case,
    CaseStatus,
)
from loket.cases.operations.common import (
    check_uploads,
    close_uploads,
    discard_uploads,
    store_documents,
    write_uploads,
)
from loket.catalog.definitions import compiled
from loket.core.errors import ConflictError


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
    written: dict[str, Any] = {}
    if documents:
        # The version a case runs under never changes, so its limits can be read unlocked.
        case = Case.objects.select_related("service_version").get(pk=case_id)
        definition = compiled(case.service_version)
        check_documents(definition, documents, language=case.language, partial=True)
        checked = check_uploads(definition, documents)
        try:
            written = write_uploads(checked)  # synced before the case's lock is taken
        finally:
            close_uploads(checked)
    try:
        return _resubmit(case_id, data or {}, written, user, now or timezone.now())
    except BaseException:
        discard_uploads(written)  # rolled back: no row names them
        raise


@transaction.atomic
def _resubmit(
    case_id: int,
    data: dict[str, Any],
    documents: dict[str, Any],
    user: User | None,
    now: dt.datetime,
) -> Case:
    case = locks.lock_case_row(case_id)
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
    applicant_card.keep(case, definition)
    # Compared on cleaned values, whichever way they came (a form's "2.5", the API's 2.5).
    changed_fields = sorted(k for k, v in case.data.items() if before.get(k) != v)
    replaced = revisions.require_changes(
        case,
        definition,
        changed_fields=changed_fields,
        document_hashes={name: stored.sha256 for name, stored in documents.items()},
    )
    # A file identical to the one held is no new revision of it: its copy is not kept.
    discard_uploads({name: f for name, f in documents.items() if name not in replaced})
    documents = {name: f for name, f in documents.items() if name in replaced}
    case.revision += 1
    store_documents(case, documents, revision=case.revision, now=now)
    revisions.record_revision(case, before=before, changed_fields=changed_fields, at=now)
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
