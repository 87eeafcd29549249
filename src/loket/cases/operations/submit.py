"""Receiving an application: validation, idempotency, numbering, the first steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.cases import applicant_card, compiled, numbers, ports, store
from loket.cases.flow import Actor, Run
from loket.cases.intake import (
    Applicant,
    check_application,
    file_digest,
    request_fingerprint,
)
from loket.cases.models import (
    Case,
    IdempotencyKey,
)
from loket.cases.operations.common import (
    check_uploads,
    close_uploads,
    discard_uploads,
    store_documents,
    write_uploads,
)
from loket.catalog.definitions import ServiceDefinition
from loket.core import prepared
from loket.core.errors import NotFound, ValidationError
from loket.core.pii import lookup_hash


@dataclass(frozen=True)
class Submission:
    case: Case
    access_code: str  # shown once on the receipt
    created: bool  # False when an Idempotency-Key replay returned an earlier case


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
    target = ports.submission_target(service_code)
    if target is None or not target[0].is_active:
        raise NotFound(
            _("There is no service %(code)s accepting applications.") % {"code": service_code[:80]},
            field="service",
        )
    service, version_id, version_hash = target
    version, definition = compiled.version(version_id, version_hash)
    clean, cleaned_data = check_application(definition, applicant, data, documents)

    fingerprint, scope = "", ""
    if key:
        digests = {name: file_digest(f) for name, f in documents.items()}
        fingerprint = request_fingerprint(service.code, applicant, data, digests)
        scope = idempotency_scope(user=user, client=client)
        replay = _replay(scope, key, fingerprint)
        if replay is not None:
            return replay
    checked = check_uploads(definition, documents)
    try:
        # On disk before the transaction: not synced while holding the number's lock.
        written = write_uploads(checked)
    finally:
        close_uploads(checked)
    try:
        return _submit(
            service=service,
            version=version,
            definition=definition,
            clean=clean,
            data=cleaned_data,
            documents=written,
            user=user,
            idempotency=(scope, key, fingerprint) if key else None,
            now=now or timezone.now(),
        )
    except BaseException as failure:
        discard_uploads(written)  # rolled back: no row names them
        if key and isinstance(failure, IntegrityError):
            # A concurrent request with the same key won the race: answer with its case.
            replay = _replay(scope, key, fingerprint)
            if replay is not None:
                return replay
        raise


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
    definition: ServiceDefinition,
    clean: Any,
    data: dict[str, Any],
    documents: dict[str, Any],
    user: User | None,
    idempotency: tuple[str, str, str] | None,
    now: dt.datetime,
) -> Submission:
    year = timezone.localtime(now).year
    prefix = definition.tracking_prefix(service.code)
    # In the number's round trip (ADR 0031): whether the agency has webhook subscribers
    # (none: its events need no look-up) and an id for the task the case will wait at.
    # One statement, so that a submission's statements stay within issue 11's 12.
    subscribed = ports.any_webhook_subscription_sql(transaction.get_connection(), "%s")
    ids = store.task_ids_expression(1)
    also = f"SELECT {subscribed}" + (f", {ids[0]}" if ids else "")
    found: list[Any] = []
    sequence = numbers.next_sequence(
        prefix,
        year,
        also=[(also, [service.agency_id, *(ids[1] if ids else [])])],
        found_also=found,
    )
    tracking = numbers.tracking_number(prefix, year, sequence)
    access_code = numbers.new_access_code()
    case: Case = prepared.new(
        Case,
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
        archive_code=definition.archive.classification,
        access_class=definition.archive.case_file_access,
    )
    case.webhooks_subscribed = bool(found[0][0])
    applicant_card.keep(case, definition)
    prepared.insert_rows([case])  # one statement built once per process (issue 11)
    stored = store_documents(case, documents, revision=0, now=now)
    # The case's documents are exactly those just stored: rules need not read them back.
    run = Run(
        case=case,
        now=now,
        actor=Actor(user=case.applicant_user),
        documents=stored,
        task_ids=list(found[0][1]) if ids else [],
    )
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
    # The code goes to the contacts given too, so it outlives the one-time receipt page.
    run.notify_applicant("received", event, access_code=access_code, **context)
    if idempotency is not None:
        scope, key, fingerprint = idempotency
        IdempotencyKey.objects.create(
            scope=scope, key=key, request_hash=fingerprint, case=case, access_code=access_code
        )
    run.advance(definition.first_step["id"])
    return Submission(case=case, access_code=access_code, created=True)
