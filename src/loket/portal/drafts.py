"""An application in progress, kept in the database between form pages, review and submit.

The session holds only which draft (a row of `ApplicationDraft`) each service's
form is at; the draft itself holds the typed values and references to uploads
already checked and stored by `documents.store_upload`, so a page that comes back
with an error never asks for a file again, and a lost cookie or an expired
session loses nothing: the applicant gets the draft back with a one-time code
(`loket.portal.resume`). Drafts expire LOKET_DRAFT_DAYS after their last change;
`loket purge-expired-drafts` deletes them, after which their uploads are orphans
that `loket purge-orphan-files` removes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from loket.core.pii import lookup_hash
from loket.documents.models import StoredFile
from loket.documents.services import open_stored
from loket.portal.models import ApplicationDraft, DraftUpload

DRAFTS = "portal.drafts"
RECEIPTS = "portal.receipts"
# How many finished submissions (idempotency key -> tracking number) a session remembers.
MAX_REMEMBERED = 20


@dataclass
class Draft:
    service_code: str
    version: int
    idempotency_key: str = field(default_factory=lambda: uuid.uuid4().hex)
    applicant: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    # name -> {"id", "original_name", "kind", "size"} of a stored upload
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    # True once the whole form passed validation: the review page may be shown.
    is_complete: bool = False
    # Pages of the step-by-step form answered and accepted (`loket.portal.wizard`).
    completed_steps: list[str] = field(default_factory=list)
    # The database row; "" until the draft is first saved.
    draft_id: str = ""

    def keep_upload(self, name: str, stored: StoredFile) -> None:
        self.documents[name] = {
            "id": str(stored.pk),
            "original_name": stored.original_name,
            "kind": stored.kind,
            "size": stored.size,
        }


def _from_row(row: ApplicationDraft) -> Draft | None:
    stored: Any = row.content
    if not isinstance(stored, dict):
        return None
    content: dict[str, Any] = {**stored, "draft_id": str(row.pk)}
    try:
        return Draft(**content)
    except TypeError:  # a draft saved by an older version of this code
        return None


def load(session: SessionBase, service_code: str) -> Draft | None:
    """The draft this session is filling in for the service, if it has one that lives."""
    draft_id = session.get(DRAFTS, {}).get(service_code)
    if not isinstance(draft_id, str):
        return None
    try:
        row = ApplicationDraft.objects.get(
            pk=uuid.UUID(draft_id), service_code=service_code, expires_at__gt=timezone.now()
        )
    except (ValueError, ApplicationDraft.DoesNotExist):
        return None
    return _from_row(row)


def lifetime() -> dt.timedelta:
    return dt.timedelta(days=int(settings.LOKET_DRAFT_DAYS))


@transaction.atomic
def save(session: SessionBase, draft: Draft) -> None:
    """Write the draft to its row (creating it the first time) and point the session at it."""
    now = timezone.now()
    content = asdict(draft)
    content.pop("draft_id")
    email = str(draft.applicant.get("email") or "")
    phone = str(draft.applicant.get("phone") or "")
    values = {
        "service_code": draft.service_code,
        "content": content,
        "email_hash": lookup_hash(email) if email else "",
        "phone_hash": lookup_hash(phone) if phone else "",
        "updated_at": now,
        "expires_at": now + lifetime(),
    }
    row = None
    if draft.draft_id:
        row = ApplicationDraft.objects.filter(pk=draft.draft_id).first()
    if row is None:
        row = ApplicationDraft.objects.create(created_at=now, **values)
        draft.draft_id = str(row.pk)
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.save(update_fields=list(values))
    _keep_uploads_alive(row, draft)
    attach(session, row)


def _keep_uploads_alive(row: ApplicationDraft, draft: Draft) -> None:
    wanted = {name: ref["id"] for name, ref in draft.documents.items()}
    current = {upload.name: str(upload.stored_id) for upload in row.uploads.all()}
    stale = [name for name, stored_id in current.items() if wanted.get(name) != stored_id]
    if stale:
        row.uploads.filter(name__in=stale).delete()
    present = set(
        StoredFile.objects.filter(pk__in=list(wanted.values())).values_list("pk", flat=True)
    )
    DraftUpload.objects.bulk_create(
        [
            DraftUpload(draft=row, name=name, stored_id=uuid.UUID(stored_id))
            for name, stored_id in wanted.items()
            if current.get(name) != stored_id and uuid.UUID(stored_id) in present
        ]
    )


def attach(session: SessionBase, row: ApplicationDraft) -> None:
    """Let this session continue the draft (after it was saved here or given back by a code)."""
    drafts = {k: v for k, v in session.get(DRAFTS, {}).items() if isinstance(v, str)}
    drafts[row.service_code] = str(row.pk)
    session[DRAFTS] = drafts


def discard(session: SessionBase, service_code: str) -> None:
    """Forget the service's draft in this session and delete it (it became a case)."""
    drafts = dict(session.get(DRAFTS, {}))
    draft_id = drafts.pop(service_code, None)
    if draft_id is not None:
        session[DRAFTS] = drafts
    if isinstance(draft_id, str):
        delete(draft_id)


def delete(draft_id: str) -> None:
    try:
        ApplicationDraft.objects.filter(pk=uuid.UUID(draft_id)).delete()
    except ValueError:  # not an id this code wrote
        return


def purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete drafts past their expiry (their codes and upload links go with them)."""
    deleted, _by_model = ApplicationDraft.objects.filter(
        expires_at__lte=now or timezone.now()
    ).delete()
    return int(_by_model.get(ApplicationDraft._meta.label, 0)) if deleted else 0


def open_documents(draft: Draft) -> dict[str, File[Any]]:
    """The draft's stored uploads as files named like the applicant's originals.

    Only ids stored by this draft's own posts are ever in a draft (it lives on the
    server), so nobody can submit somebody else's upload. The caller closes the files.
    """
    stored = StoredFile.objects.in_bulk([d["id"] for d in draft.documents.values()])
    files: dict[str, File[Any]] = {}
    for name, ref in draft.documents.items():
        record = stored.get(uuid.UUID(ref["id"]))
        if record is not None:
            files[name] = File(open_stored(record), name=record.original_name)
    return files


def missing_documents(draft: Draft) -> list[str]:
    """Names of the draft's uploads whose stored file is gone (purged in the meantime)."""
    ids = [d["id"] for d in draft.documents.values()]
    present = {str(pk) for pk in StoredFile.objects.filter(pk__in=ids).values_list("pk", flat=True)}
    return [name for name, ref in draft.documents.items() if ref["id"] not in present]


# -- receipts: the access code is shown once ------------------------------------------


def remember_receipt(session: SessionBase, idempotency_key: str, tracking: str, code: str) -> None:
    receipts = dict(session.get(RECEIPTS, {}))
    receipts[idempotency_key] = {"tracking": tracking, "code": code}
    while len(receipts) > MAX_REMEMBERED:
        receipts.pop(next(iter(receipts)))
    session[RECEIPTS] = receipts


def submitted_as(session: SessionBase, idempotency_key: str) -> str | None:
    """The tracking number a form with this key already became in this session, if any."""
    entry = session.get(RECEIPTS, {}).get(idempotency_key)
    return entry["tracking"] if isinstance(entry, dict) else None


def take_access_code(session: SessionBase, tracking: str) -> str:
    """The access code of a just-submitted case, once; later calls give ''."""
    receipts = dict(session.get(RECEIPTS, {}))
    code = ""
    for entry in receipts.values():
        if entry.get("tracking") == tracking and entry.get("code"):
            code, entry["code"] = entry["code"], ""
    session[RECEIPTS] = receipts
    return str(code)
