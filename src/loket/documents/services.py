"""Operations of the documents app: store uploads, issue and revoke documents."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.core import prepared
from loket.core.errors import AuthorityError, ConflictError, ValidationError
from loket.core.formats import group_digits
from loket.core.storage import EncryptedFileSystemStorage
from loket.documents import codes, issuing
from loket.documents.models import IssuedDocument, StoredFile
from loket.documents.uploads import (
    KINDS,
    Inspected,
    display_name,
    has_active_content,
    inspect_to_spool,
)
from loket.ledger import commitments
from loket.ledger.canonical import canonical_text
from loket.ledger.services import append as ledger_append
from loket.org.models import Officer, Position, Unit
from loket.org.selectors import Holding, may_act, superior_of

logger = logging.getLogger(__name__)

# Issued PDFs are ours, but a page of letterhead, a table and a QR stays far
# below this; the cap only guards against a runaway template.
ISSUED_PDF_MAX_BYTES = 20 * 1024 * 1024


@transaction.atomic
def store_upload(
    *,
    fileobj: IO[bytes] | Any,
    original_name: str,
    allowed_types: Iterable[str],
    max_bytes: int,
    field: str = "file",
) -> StoredFile:
    """Check an upload (type from content, size while reading, structure) and store it.

    Raises `ValidationError(field=field)` with a message naming the file if it
    is refused; nothing is stored then. The bytes go to Django's default
    storage under a random name; the original name is kept only as a label.
    """
    return store_checked(
        check_upload(
            fileobj=fileobj,
            original_name=original_name,
            allowed_types=allowed_types,
            max_bytes=max_bytes,
            field=field,
        )
    )


@dataclass
class CheckedUpload:
    """An upload that passed every check, with its own rewound copy of the bytes."""

    label: str
    inspected: Inspected
    content: IO[bytes]

    def close(self) -> None:
        self.content.close()


def check_upload(
    *,
    fileobj: IO[bytes] | Any,
    original_name: str,
    allowed_types: Iterable[str],
    max_bytes: int,
    field: str = "file",
) -> CheckedUpload:
    """Check an upload completely (every pixel decoded) without touching the database.

    Callers that hold locks while storing (the case engine's numbering) call
    this first, outside their transaction, so a slow or hostile file never
    holds a lock. The caller stores it with `store_checked` (or `write_checked_all`,
    then `record_stored` under its locks) or closes it.
    """
    label = display_name(original_name)
    inspected, spool = inspect_to_spool(
        fileobj, allowed_types=allowed_types, max_bytes=max_bytes, field=field, name=label
    )
    return CheckedUpload(label, inspected, spool)


def write_checked_all(uploads: list[CheckedUpload]) -> list[StoredFile]:
    """Write uploads that `check_upload` accepted to storage, synced, and close their
    copies; the StoredFile rows that will record them, not saved (`record_stored`).

    Called before the step's transaction: the syncs (~0.5 ms a file, more on a busy
    disk) are not spent holding the tracking number's lock, or SQLite's write lock."""
    contents = []
    for checked in uploads:
        with checked.content:
            checked.content.seek(0)
            inspected = checked.inspected
            contents.append(
                (
                    checked.content.read(),
                    checked.label,
                    inspected.kind,
                    inspected.size,
                    inspected.sha256,
                )
            )
    return _unsaved_all(contents)


def record_stored(rows: list[StoredFile]) -> None:
    """Insert the rows `write_checked_all` made, in one INSERT (built once per process)."""
    prepared.insert_rows(rows)


def discard_written(rows: list[StoredFile]) -> None:
    """Remove the files of rows `write_checked_all` made that will not be recorded (the
    step failed, or the file was not needed); `loket purge-orphan-files` finds any left
    by a crash."""
    for row in rows:
        default_storage.delete(row.storage_name)


def store_checked(checked: CheckedUpload) -> StoredFile:
    """Store an upload that `check_upload` accepted; closes its copy."""
    with checked.content:
        checked.content.seek(0)
        inspected = checked.inspected
        return _store(
            checked.content, checked.label, inspected.kind, inspected.size, inspected.sha256
        )


def open_stored(stored_file: StoredFile) -> IO[bytes]:
    """Open a stored file's bytes for reading; the caller closes it (or streams it out).

    Views must check that the person may see the case before calling this.
    """
    handle: IO[bytes] = default_storage.open(stored_file.storage_name, "rb")
    return handle


def may_show_inline(stored_file: StoredFile) -> bool:
    """Whether a browser may render the file in place: images, and PDFs without scripts
    or actions. Uploads with active content are refused since they were checked for it;
    this also catches any stored before, which are then served only as attachments."""
    if stored_file.kind != "pdf":
        return True
    from pyhanko.pdf_utils.reader import PdfFileReader

    with open_stored(stored_file) as handle:
        try:
            return not has_active_content(PdfFileReader(handle, strict=False))
        except Exception:  # unreadable now: never inline
            logger.warning("stored PDF %s could not be checked", stored_file.pk)
            return False


def read_stored(stored_file: StoredFile) -> bytes:
    with open_stored(stored_file) as handle:
        return handle.read()


@transaction.atomic
def issue_certificate(
    *,
    case: Any,
    fields: Mapping[str, Any] | Iterable[tuple[str, Any]],
    officer: Officer,
    position: Position,
    capacity: str | None = None,
    decision: str | None = None,
    at: dt.datetime | None = None,
) -> IssuedDocument:
    """Number, render, sign and store the case's document, in one transaction.

    `fields` are the applicant's public data printed on the document and shown
    by the verification page, in order (label -> value). The officer must hold
    `position` at `at` (in `capacity`, if given). The number is drawn under the
    agency's sequence lock, which is held until the caller commits, so a
    rolled-back issue returns its number. The "document.issued" ledger entry
    (public facts only: type, SHA-256 of the signed PDF, time, agency,
    position, and a salted commitment to the number; no id, no tracking
    number) is appended here in the same transaction and its index kept in
    `ledger_index`; callers must not append it again. The document gets a
    fresh verification code, printed on it and carried by its QR code.
    Raises `AuthorityError`, `ConflictError` if the case already has a
    document in force, or `SigningUnavailable` if the agency's signer fails.
    """
    at = at or timezone.now()
    the_plan = issuing.plan(
        case=case,
        fields=fields,
        officer=officer,
        position=position,
        capacity=capacity,
        decision=decision,
        at=at,
    )
    if IssuedDocument.objects.filter(case=case, revoked_at__isnull=True).exists():
        raise ConflictError(_("This application already has an issued document in force."))
    reserved = issuing.Reserved(
        plan=the_plan,
        document_id=uuid.uuid4(),
        number=issuing.draw_number(the_plan),
        code=codes.new_code(),
        salt=commitments.new_salt(),
    )
    # Any signer failure parks the approved case (the number returns with the rollback).
    return issuing.record(reserved, issuing.sign(reserved))


@transaction.atomic
def revoke(
    *, document: IssuedDocument, officer: Officer, reason: str, at: dt.datetime | None = None
) -> IssuedDocument:
    """Revoke an issued document, with a reason, and record it in the public ledger.

    The entry names the document by the issuing entry's commitment (or its
    index, for documents issued before commitments) and the reason only as a
    salted commitment: the officer's reason is free text and may name people.

    Allowed to whoever may act, at that moment, for the position that issued
    the document or for its superior position. Raises `ValidationError` for a
    missing reason, `ConflictError` if already revoked, `AuthorityError` otherwise.
    """
    at = at or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for revoking the document."), field="reason")
    locked = IssuedDocument.objects.select_for_update().get(pk=document.pk)
    if locked.revoked_at is not None:
        raise ConflictError(_("This document was already revoked."))
    holding = _revoking_authority(officer, locked.issued_position, at)
    locked.revoked_at = at
    locked.revoked_by = officer
    locked.revoked_position = holding.position
    locked.revoked_capacity = str(holding.capacity)
    locked.revocation_reason = reason
    entry = ledger_append(
        kind="document.revoked",
        payload={
            "issued_entry": locked.ledger_index,
            "sha256": locked.sha256,
            "revoked_at": at.isoformat(),
            "reason_commitment": commitments.commit(revocation_salt(locked), reason),
            "position": holding.position.code,
            "capacity": str(holding.capacity),
        },
    )
    locked.revocation_ledger_index = entry.index
    _publish_revocation(locked, at)
    locked.save(
        update_fields=[
            "revoked_at",
            "revoked_by",
            "revoked_position",
            "revoked_capacity",
            "revocation_reason",
            "revocation_ledger_index",
        ]
    )
    document.refresh_from_db()
    return locked


def _publish_revocation(document: IssuedDocument, at: dt.datetime) -> None:
    """Integrations' `document.revoked` webhooks, in the revocation's transaction (sent
    after commit). No personal data and not the reason: the case and that it happened."""
    from loket.notify.webhooks import publish

    case = document.case
    publish(
        agency_id=case.agency_id,
        event_type="document.revoked",
        data={
            "tracking_number": case.tracking_number,
            "service_code": case.service.code,
            "document_number": document.number,
            "event": "revoked",
            "at": at.isoformat(),
        },
    )


def verification_url(code: str) -> str:
    """The verification page of the document with this code: what its QR code carries.

    The code goes in the query string, which the access log never records.
    """
    return f"{verification_base_url()}?code={codes.formatted(code)}"


def verification_base_url() -> str:
    """The verification form, where a code printed on a document can be typed."""
    return f"{settings.PUBLIC_BASE_URL}/verify/"


def document_commitment(salt: bytes, number: str) -> str:
    """The document.issued entry's commitment to the document number (docs/verification.md)."""
    return commitments.commit(salt, canonical_text({"number": number}))


def revocation_salt(document: IssuedDocument) -> bytes:
    """The salt of a revocation reason's commitment; only the server can derive it."""
    return commitments.derived_salt("document-revocation", str(document.id))


def place_of(agency: Any) -> str:
    """Where the agency signs: its name without "Pemerintah" ("Kota Contoh")."""
    name = str(agency.name).strip()
    for prefix in ("Pemerintah Provinsi ", "Pemerintah "):
        if name.lower().startswith(prefix.lower()):
            return name[len(prefix) :].strip() or name
    return name


# -- internals --------------------------------------------------------------


def _unsaved(content: IO[bytes], label: str, kind: str, size: int, sha256: str) -> StoredFile:
    """Write the bytes to storage; the StoredFile row that will record them (not saved)."""
    content.seek(0)  # as the storage's save reads the file from its start
    return _unsaved_all([(content.read(), label, kind, size, sha256)])[0]


def _unsaved_all(files: list[tuple[bytes, str, str, int, str]]) -> list[StoredFile]:
    """Write each (bytes, label, kind, size, sha256) to storage, durably, in one batch;
    the StoredFile rows that will record them (not saved)."""
    now = timezone.now()
    # A random name: nothing about the applicant or the file leaks into paths,
    # and names never collide. The date prefix keeps directories small.
    names = [
        f"{now:%Y/%m}/{uuid.uuid4().hex}.{KINDS[kind].extension}" for _d, _l, kind, *_ in files
    ]
    if isinstance(default_storage, EncryptedFileSystemStorage):
        saved = default_storage.write_new_all(
            [(name, data) for name, (data, *_rest) in zip(names, files, strict=True)]
        )
    else:  # a storage configured otherwise keeps its own save
        saved = []
        try:
            for name, (data, *_rest) in zip(names, files, strict=True):
                saved.append(default_storage.save(name, ContentFile(data, name=name)))
        except BaseException:
            for written in saved:
                default_storage.delete(written)
            raise
    rows = []
    for storage_name, (_data, label, kind, size, sha256) in zip(saved, files, strict=True):
        stored: StoredFile = prepared.new(
            StoredFile,
            kind=kind,
            content_type=KINDS[kind].content_type,
            size=size,
            sha256=sha256,
            original_name=label,
            storage_name=storage_name,
        )
        rows.append(stored)
    return rows


def _store(content: IO[bytes], label: str, kind: str, size: int, sha256: str) -> StoredFile:
    row = _unsaved(content, label, kind, size, sha256)
    try:
        row.save(force_insert=True)
    except BaseException:
        default_storage.delete(row.storage_name)
        raise
    return row


def store_bytes(data: bytes, original_name: str) -> StoredFile:
    import io

    label = display_name(original_name.replace("/", "-"))
    inspected, spool = inspect_to_spool(
        io.BytesIO(data), allowed_types=["pdf"], max_bytes=ISSUED_PDF_MAX_BYTES, name=label
    )
    with spool:
        return _store(spool, label, inspected.kind, inspected.size, inspected.sha256)


def require_holding(
    officer: Officer, position: Position, at: dt.datetime, capacity: str | None
) -> Holding:
    holding = may_act(officer, position, at)
    if holding is None or (capacity and str(holding.capacity) != str(capacity)):
        raise AuthorityError(
            _("%(officer)s does not hold the position %(position)s.")
            % {"officer": officer.name, "position": position.title}
        )
    return holding


def _revoking_authority(officer: Officer, issuer: Position, at: dt.datetime) -> Holding:
    holding = may_act(officer, issuer, at)
    if holding is not None:
        return holding
    superior = superior_of(issuer)
    if superior is not None:
        holding = may_act(officer, superior, at)
        if holding is not None:
            return holding
    raise AuthorityError(
        _(
            "Only the position that issued the document (%(position)s) or its superior "
            "may revoke it."
        )
        % {"position": issuer.title}
    )


def issuing_unit(agency: Any, definition: Mapping[str, Any], position: Position) -> Unit:
    code = definition.get("unit")
    if code:
        unit = Unit.objects.filter(agency=agency, code=code).first()
        if unit is not None:
            return unit
    return position.unit


def pairs(fields: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    if isinstance(fields, Mapping):
        return list(fields.items())
    return [(label, value) for label, value in fields]


def text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, int):
        return group_digits(value)
    if isinstance(value, list | tuple):
        return ", ".join(text(item) for item in value)
    return str(value)


def indonesian(value: Any) -> str:
    """The Indonesian text of a definition's {id, en} value (documents are in Indonesian)."""
    if isinstance(value, Mapping):
        return str(value.get("id") or value.get("en") or "")
    return str(value or "")


def contact_line(agency: Any) -> str:
    parts = [
        f"Telp. {agency.phone}" if agency.phone else "",
        agency.email,
        agency.website,
    ]
    return " · ".join(part for part in parts if part)


def default_decision(document_type: str) -> str:
    return (
        f"Memberikan {document_type} kepada pemohon sebagaimana tersebut di atas, "
        "untuk dipergunakan sesuai dengan ketentuan peraturan perundang-undangan."
    )
