"""Field types of service definitions: the registry and the built-in types.

Public face: `register`, `FieldType`, `FieldValueError`, `DataField`,
`field_type(name)` and `field_type_names()`. See docs/service-definition.md
("Adding a field type").
"""

from loket.catalog.fields import builtin as _builtin  # noqa: F401  (registers the types)
from loket.catalog.fields import business as _business  # noqa: F401  (NIB, KBLI)
from loket.catalog.fields.base import (
    Choice,
    DataField,
    EngineFormField,
    FieldType,
    FieldValueError,
    field_type,
    field_type_names,
    localized,
    message_label,
    register,
    unregister,
)

__all__ = [
    "Choice",
    "DataField",
    "EngineFormField",
    "FieldType",
    "FieldValueError",
    "field_type",
    "field_type_names",
    "localized",
    "message_label",
    "register",
    "unregister",
]
