"""Published service versions, read and decoded once per process.

A published version never changes (catalog refuses to save or delete one), so
its id and content hash name its content completely: every step of every case
under it can share one decoded copy instead of re-reading the row (with its
YAML source) and re-decoding the JSON. The hash is part of the key because the
id alone is not proof of content (a restored database, or SQLite reusing ids
after a rollback). New applications still ask the database which version is
current (`catalog.selectors.submission_target`), so a replaced or withdrawn
version is never used for one.

The cached `Definition` is shared: callers read it and never change it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from loket.cases.definition import Definition
from loket.catalog.models import ServiceVersion

# Enough for every version an agency runs at once; old ones fall out first.
MAX_VERSIONS = 512

_cache: OrderedDict[tuple[int, str], tuple[ServiceVersion, Definition]] = OrderedDict()
_lock = threading.Lock()


def version(version_id: int, content_hash: str) -> tuple[ServiceVersion, Definition]:
    """The version (without its YAML source) and its definition; one query on a miss."""
    key = (version_id, content_hash)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    row = ServiceVersion.objects.defer("source").get(pk=version_id)
    if row.content_hash != content_hash:
        # Not the version the caller read a moment ago: serve what the row holds now
        # under its own key, never the caller's stale idea of it.
        key = (version_id, row.content_hash)
    compiled = (row, Definition(row.definition))
    with _lock:
        _cache[key] = compiled
        while len(_cache) > MAX_VERSIONS:
            _cache.popitem(last=False)
    return compiled


def clear() -> None:
    with _lock:
        _cache.clear()
