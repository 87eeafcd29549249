"""The compiled definition: typed objects, built once per published version."""

from __future__ import annotations

from typing import Any

import pytest

from loket.catalog.definitions import (
    Check,
    ServiceDefinition,
    Step,
    clear_cache,
    compiled,
)
from loket.catalog.fields import DataField, field_type
from loket.catalog.models import ServiceVersion
from loket.catalog.services import publish_text
from tests.catalog.conftest import demo_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(kota_contoh: Any) -> ServiceVersion:
    clear_cache()
    publish_text(demo_text("izin-usaha-mikro"))
    return ServiceVersion.objects.get(service__code="izin-usaha-mikro")


def test_a_published_version_compiles_to_typed_frozen_objects(version: ServiceVersion) -> None:
    definition = compiled(version)

    capital = definition.field("modal_usaha")
    assert isinstance(capital, DataField)
    assert capital.kind is field_type("money")
    assert capital.label_text("en") == "Business capital (IDR)"
    assert capital.display(25_000_000, "id") == "Rp25.000.000"
    assert definition.document("ktp") is not None
    assert definition.document("ktp").types == ("pdf", "jpeg", "png")  # type: ignore[union-attr]
    step = definition.first_step
    assert isinstance(step, Step) and step.kind == "auto"
    (check,) = step.checks
    assert isinstance(check, Check)
    assert check.label_text("id").startswith("Modal usaha dalam batas usaha mikro")
    with pytest.raises(AttributeError):
        capital.required = False  # type: ignore[misc]


def test_compiled_once_per_version_and_served_from_the_cache(version: ServiceVersion) -> None:
    first = compiled(version)
    again = compiled(ServiceVersion.objects.get(pk=version.pk))
    assert again is first


def test_a_row_under_the_same_id_with_other_content_is_never_served_stale(
    version: ServiceVersion,
) -> None:
    first = compiled(version)
    replaced = ServiceVersion(
        pk=version.pk,
        service=version.service,
        number=version.number,
        content_hash="0" * 64,
        source="",
        definition={**version.definition, "steps": version.definition["steps"][:1]},
    )
    second = compiled(replaced)
    assert second is not first
    assert len(second.steps) == 1


def test_a_new_version_gets_its_own_compiled_definition(version: ServiceVersion) -> None:
    first = compiled(version)
    text = demo_text("izin-usaha-mikro").replace(
        "label: {id: Modal usaha (Rp)", "label: {id: Modal usaha dalam rupiah", 1
    )
    publish_text(text)
    newest = ServiceVersion.objects.filter(service=version.service).latest("number")
    assert newest.pk != version.pk
    assert compiled(newest).field("modal_usaha").label_text("id") == (  # type: ignore[union-attr]
        "Modal usaha dalam rupiah"
    )
    assert compiled(version) is first


def test_unknown_step_is_a_definition_fault_and_steps_still_read_as_mappings() -> None:
    from loket.catalog.definitions import DefinitionFault

    definition = ServiceDefinition(
        {"steps": [{"id": "cek", "kind": "end", "name": {"id": "Cek"}, "outcome": "approved"}]}
    )
    assert definition.step("cek")["outcome"] == "approved"
    assert definition.step("cek").get("next") is None
    assert definition.step_name("cek", "en") == "Cek"
    with pytest.raises(DefinitionFault):
        definition.step("tidak-ada")


def test_the_engine_reads_the_catalogs_one_cache(
    version: ServiceVersion, django_assert_num_queries: Any
) -> None:
    from loket.cases import compiled as engine

    row, definition = engine.version(version.pk, version.content_hash)
    assert definition is compiled(version)  # one copy per version in the process
    assert row.pk == version.pk
    with django_assert_num_queries(0):
        assert engine.version(version.pk, version.content_hash)[1] is definition


def test_a_stale_hash_gets_what_the_row_holds_now(version: ServiceVersion) -> None:
    from loket.catalog.definitions import published

    row, definition = published(version.pk, "0" * 64)
    assert row.content_hash == version.content_hash
    assert definition is compiled(version)
