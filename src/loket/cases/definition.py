"""The engine's name for the compiled service definition (kept while callers move).

The definition is owned by the catalog: `loket.catalog.definitions.compiled(version)`
builds the typed `ServiceDefinition` once per published version. `Definition(raw)`
still compiles a normalized dict directly, uncached, for code that has only the dict.
"""

from __future__ import annotations

from loket.catalog.definitions import DefinitionFault, ServiceDefinition, compiled
from loket.catalog.fields import localized

Definition = ServiceDefinition

__all__ = ["Definition", "DefinitionFault", "compiled", "localized"]
