"""Published service versions as the engine reads them: through the catalog's cache.

The catalog owns the one cache of compiled definitions
(`loket.catalog.definitions.published`, keyed by version id and content hash);
the engine asks it by the id and hash a case row carries, so every step of every
case under a version shares one decoded copy. New applications still ask the
database which version is current (`catalog.selectors.submission_target`), so a
replaced or withdrawn version is never used for one.
"""

from __future__ import annotations

from loket.catalog.definitions import ServiceDefinition, clear_cache, published
from loket.catalog.models import ServiceVersion


def version(version_id: int, content_hash: str) -> tuple[ServiceVersion, ServiceDefinition]:
    """The version (without its YAML source) and its definition; one query on a miss."""
    return published(version_id, content_hash)


def clear() -> None:
    clear_cache()
