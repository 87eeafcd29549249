"""Every schema in the OpenAPI document names one class: django-ninja files schemas under
their class name, so two classes called alike (a case's `EventOut` and a complaint's) were
documented as one, and clients generated from the document read the wrong fields."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema


def _schema_classes() -> list[type[Schema]]:
    from loket.api.api import api  # noqa: F401  (imports every router and its schemas)

    found, stack = [], list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("loket."):
            found.append(cls)
    return found


def test_no_two_api_schemas_share_a_name() -> None:
    names: dict[str, set[str]] = defaultdict(set)
    for cls in _schema_classes():
        names[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(where) for name, where in names.items() if len(where) > 1}
    assert not shared, f"schemas that the OpenAPI document would merge: {shared}"


def test_the_timeline_of_an_application_is_documented_with_its_own_fields() -> None:
    from loket.api.api import api

    components = api.get_openapi_schema()["components"]["schemas"]
    application_event = set(components["EventOut"]["properties"])
    assert {"step", "step_name", "capacity"} <= application_event
    assert "text" not in application_event  # the complaint event's own field
    assert "text" in components["ComplaintEventOut"]["properties"]
