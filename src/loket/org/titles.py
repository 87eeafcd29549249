"""Position titles per agency, kept per process for a few minutes.

Pages that every visitor opens (tracking, a service's procedure) name positions, never
people; the titles change rarely (a reorganisation), so each process reads an agency's
positions once and again only after `TTL_SECONDS` or when asked for one it does not
know. A retitled position shows its new title within that time. Each read gets a new
`revision` number, so a reader that keeps something made from the titles (the tracking
GET's bodies, ADR 0030) can key it on the titles it was made from.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from loket.org.models import Position

TTL_SECONDS = 300.0


@dataclass(frozen=True)
class Title:
    code: str
    title: str
    title_en: str

    def text(self, language: str) -> str:
        return (self.title_en if language == "en" else "") or self.title


@dataclass(frozen=True)
class _Agency:
    loaded_at: float
    by_id: dict[int, Title]
    by_code: dict[str, Title]
    # Unique per read in this process (never reused, unlike id()): what was made from
    # these titles is made from exactly these.
    revision: int


_cache: dict[int, _Agency] = {}
_lock = threading.Lock()
_revisions = itertools.count(1)


def _load(agency_id: int) -> _Agency:
    rows = Position.objects.filter(agency_id=agency_id).values_list(
        "pk", "code", "title", "title_en"
    )
    by_id = {int(pk): Title(code, title, title_en) for pk, code, title, title_en in rows}
    entry = _Agency(time.monotonic(), by_id, {t.code: t for t in by_id.values()}, next(_revisions))
    with _lock:
        _cache[agency_id] = entry
    return entry


def _entry(agency_id: int, *, ids: Iterable[int] = (), codes: Iterable[str] = ()) -> _Agency:
    with _lock:
        entry = _cache.get(agency_id)
    fresh = entry is not None and time.monotonic() - entry.loaded_at < TTL_SECONDS
    if (
        entry is None
        or not fresh
        or any(i not in entry.by_id for i in ids)
        or any(c not in entry.by_code for c in codes)
    ):
        entry = _load(agency_id)
    return entry


def by_id(agency_id: int, ids: Iterable[int]) -> dict[int, Title]:
    """Titles of the agency's positions with these ids (no query while cached)."""
    return by_id_at(agency_id, ids)[1]


def by_id_at(agency_id: int, ids: Iterable[int]) -> tuple[int, dict[int, Title]]:
    """`by_id` and the revision of the titles it gave."""
    wanted = set(ids)
    entry = _entry(agency_id, ids=wanted)
    return entry.revision, {i: entry.by_id[i] for i in wanted if i in entry.by_id}


def revision(agency_id: int) -> int:
    """The revision of the agency's titles `by_id` would serve now (read again first if
    older than TTL_SECONDS): a new number after every read, so also after `clear`."""
    return _entry(agency_id).revision


def by_code(agency_id: int, codes: Iterable[str]) -> dict[str, Title]:
    """Titles of the agency's positions with these codes (no query while cached)."""
    wanted = set(codes)
    entry = _entry(agency_id, codes=wanted)
    return {c: entry.by_code[c] for c in wanted if c in entry.by_code}


def clear(agency_id: int | None = None) -> None:
    """Forget one agency's titles (or all): this process sees its own changes at once,
    the others within TTL_SECONDS."""
    with _lock:
        if agency_id is None:
            _cache.clear()
        else:
            _cache.pop(agency_id, None)
