"""Whatever text a loader is given, it answers with a definition or DefinitionErrors."""

from __future__ import annotations

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loket.catalog.errors import DefinitionErrors
from loket.catalog.loader import load

from .conftest import DEMO_FILES

DEMO_TEXTS = [path.read_text(encoding="utf-8") for path in DEMO_FILES]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def load_or_errors(source: str | bytes) -> None:
    try:
        definition = load(source, "fuzz.yaml")
    except DefinitionErrors as exc:
        assert len(exc) > 0
        assert all(error.path == "fuzz.yaml" and error.line >= 0 for error in exc)
    else:
        # What is stored in ServiceVersion.definition must be plain JSON.
        json.dumps(definition, allow_nan=False)


@FAST
@given(st.text())
def test_arbitrary_text_never_crashes_the_loader(text: str) -> None:
    load_or_errors(text)


@FAST
@given(st.binary())
def test_arbitrary_bytes_never_crash_the_loader(data: bytes) -> None:
    load_or_errors(data)


@FAST
@given(
    st.sampled_from(DEMO_TEXTS),
    st.lists(
        st.tuples(st.integers(min_value=0), st.integers(0, 40), st.text(max_size=12)), max_size=4
    ),
)
def test_demo_files_with_text_spliced_in_never_crash_the_loader(
    text: str, edits: list[tuple[int, int, str]]
) -> None:
    for position, length, insert in edits:
        at = position % (len(text) + 1)
        text = text[:at] + insert + text[at + length :]
    load_or_errors(text)


# Values a careless author might put anywhere in a definition.
odd_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["selesai", "ditolak", "data.x", "true", "{seq}", "pdf", "task", "join"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


@FAST
@given(st.sampled_from(DEMO_TEXTS), st.data())
def test_demo_files_with_a_value_replaced_never_crash_the_loader(
    text: str, data: st.DataObject
) -> None:
    document = yaml.load(text, Loader=yaml.CSafeLoader)
    path = data.draw(st.sampled_from(_paths(document)[1:]))
    replacement = data.draw(odd_values)
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = replacement
    load_or_errors(yaml.dump(document, Dumper=yaml.CSafeDumper, allow_unicode=True))
