"""The published catalogue, cached per process against the catalogue revision.

Every read costs one small query (the revision); the listing itself is built
again only when the revision moved. No timer: a change is seen by the first
read after it commits, in every process, so a withdrawn or replaced version
is never served. Changes bump the revision in their own transaction
(`bump`, called by catalog.signals for admin edits and by publishing).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from loket.catalog.models import CatalogRevision

T = TypeVar("T")

_lock = threading.Lock()
_entries: dict[str, tuple[str, Any]] = {}


def revision() -> str:
    """The committed catalogue revision ("" before the first change)."""
    value = CatalogRevision.objects.filter(pk=1).values_list("revision", flat=True).first()
    return str(value or "")


def bump() -> None:
    """Move the revision on, inside the caller's transaction."""
    new = uuid.uuid4().hex
    if not CatalogRevision.objects.filter(pk=1).update(revision=new):
        CatalogRevision.objects.update_or_create(pk=1, defaults={"revision": new})


def cached(name: str, build: Callable[[], T]) -> T:
    """`build()` as of the current revision, built at most once per revision and process.

    A publish that commits while `build` runs may leave the newer listing under
    the older revision: harmless, the next read sees the new revision and rebuilds.
    """
    current = revision()
    if not current:  # no revision yet: nothing to compare a cached copy with
        return build()
    with _lock:
        entry = _entries.get(name)
    if entry is not None and entry[0] == current:
        value: T = entry[1]
        return value
    value = build()
    with _lock:
        _entries[name] = (current, value)
    return value
