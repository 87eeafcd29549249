"""An application in progress, kept in the applicant's session between form, review and submit.

The session (server-side) holds the typed values and references to uploads
already checked and stored by `documents.store_upload`, so a page that comes
back with an error never asks for a file again. Uploads that are never
submitted stay unattached and `loket purge-orphan-files` removes them later.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.files import File

from loket.documents.models import StoredFile
from loket.documents.services import open_stored

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

    def keep_upload(self, name: str, stored: StoredFile) -> None:
        self.documents[name] = {
            "id": str(stored.pk),
            "original_name": stored.original_name,
            "kind": stored.kind,
            "size": stored.size,
        }


def load(session: SessionBase, service_code: str) -> Draft | None:
    raw = session.get(DRAFTS, {}).get(service_code)
    if not isinstance(raw, dict):
        return None
    try:
        return Draft(**raw)
    except TypeError:  # a draft saved by an older version of this code
        return None


def save(session: SessionBase, draft: Draft) -> None:
    drafts = dict(session.get(DRAFTS, {}))
    drafts[draft.service_code] = asdict(draft)
    session[DRAFTS] = drafts


def discard(session: SessionBase, service_code: str) -> None:
    drafts = dict(session.get(DRAFTS, {}))
    if drafts.pop(service_code, None) is not None:
        session[DRAFTS] = drafts


def open_documents(draft: Draft) -> dict[str, File[Any]]:
    """The draft's stored uploads as files named like the applicant's originals.

    Only ids this session stored are ever in a draft, so nobody can submit
    somebody else's upload. The caller closes the files.
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
