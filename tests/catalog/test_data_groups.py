"""Data groups: one topic per page of the application form, checked with file:line."""

from __future__ import annotations

from loket.catalog.definitions import ServiceDefinition
from loket.catalog.loader import load, validate

from .conftest import demo_text


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def problems(text: str) -> list[tuple[int, str]]:
    return [(e.line, e.problem) for e in validate(text, "x.yaml")]


def _with_groups(groups: str, *, group_of: dict[str, str]) -> str:
    """izin-usaha-mikro with `groups` declared and fields put in groups."""
    text = demo_text("izin-usaha-mikro").replace(
        "requirements:\n  data:\n", f"requirements:\n  groups:\n{groups}  data:\n", 1
    )
    for field, group in group_of.items():
        marker = f"    - name: {field}\n"
        assert marker in text, field
        start = text.index(marker) + len(marker)
        type_line_end = text.index("\n", start) + 1  # after "type: ..."
        text = text[:type_line_end] + f"      group: {group}\n" + text[type_line_end:]
    return text


GROUPS = (
    "    - name: usaha\n"
    "      title: {id: Tentang usaha, en: About the business}\n"
    "      hint: {id: Seperti di papan nama usaha., en: As on the shop sign.}\n"
    "    - name: modal\n"
    "      title: {id: Modal dan penjualan, en: Capital and sales}\n"
)


def test_groups_and_each_fields_group_are_in_the_normalized_definition() -> None:
    text = _with_groups(GROUPS, group_of={"nama_usaha": "usaha", "modal_usaha": "modal"})
    definition = load(text)
    assert definition["requirements"]["groups"] == [
        {
            "name": "usaha",
            "title": {"id": "Tentang usaha", "en": "About the business"},
            "hint": {"id": "Seperti di papan nama usaha.", "en": "As on the shop sign."},
        },
        {
            "name": "modal",
            "title": {"id": "Modal dan penjualan", "en": "Capital and sales"},
            "hint": None,
        },
    ]
    fields = {f["name"]: f for f in definition["requirements"]["data"]}
    assert fields["nama_usaha"]["group"] == "usaha"
    assert fields["modal_usaha"]["group"] == "modal"
    assert fields["alamat_usaha"]["group"] is None


def test_compiled_definition_lists_the_fields_of_each_page() -> None:
    text = _with_groups(GROUPS, group_of={"nama_usaha": "usaha", "modal_usaha": "modal"})
    definition = ServiceDefinition(load(text))
    assert [g.name for g in definition.data_groups] == ["usaha", "modal"]
    assert definition.data_groups[0].hint_text("en") == "As on the shop sign."
    assert definition.data_groups[1].hint_text("id") == ""
    assert [f.name for f in definition.fields_of_group("modal")] == ["modal_usaha"]
    assert "nama_usaha" not in [f.name for f in definition.fields_of_group(None)]
    assert "alamat_usaha" in [f.name for f in definition.fields_of_group(None)]


def test_a_definition_without_groups_keeps_one_data_page() -> None:
    definition = ServiceDefinition(load(demo_text("izin-usaha-mikro")))
    assert definition.data_groups == ()
    assert definition.fields_of_group(None) == definition.data_fields


def test_a_field_in_an_undeclared_group_is_an_error_at_its_line() -> None:
    text = _with_groups(GROUPS, group_of={"nama_usaha": "usaha", "modal_usaha": "modall"})
    found = problems(text)
    assert any(
        line == line_of(text, "group: modall") and "no group 'modall'" in message
        for line, message in found
    ), found


def test_a_group_no_field_uses_is_an_error_at_its_name() -> None:
    text = _with_groups(GROUPS, group_of={"nama_usaha": "usaha"})
    found = problems(text)
    assert any(
        line == line_of(text, "- name: modal") and "empty page" in message
        for line, message in found
    ), found


def test_a_group_declared_twice_is_an_error() -> None:
    twice = GROUPS + "    - name: usaha\n      title: {id: Lagi, en: Again}\n"
    text = _with_groups(twice, group_of={"nama_usaha": "usaha", "modal_usaha": "modal"})
    assert any("declared twice" in message for _line, message in problems(text))


def test_a_group_needs_a_title_in_both_languages_and_a_valid_name() -> None:
    bad = (
        "    - name: Usaha-Besar\n"
        "      title: {id: Tentang usaha}\n"
        "    - name: modal\n"
        "      title: {id: Modal, en: Capital}\n"
        "      colour: red\n"
    )
    text = _with_groups(bad, group_of={"modal_usaha": "modal"})
    found = problems(text)
    messages = " | ".join(message for _line, message in found)
    assert "'Usaha-Besar'" in messages
    assert "(en)" in messages
    assert any(line == line_of(text, "colour: red") for line, _message in found)


def test_a_group_name_on_a_field_must_be_an_identifier() -> None:
    text = _with_groups(GROUPS, group_of={"nama_usaha": "Usaha Kecil", "modal_usaha": "modal"})
    found = problems(text)
    assert any(line == line_of(text, "group: Usaha Kecil") for line, _message in found), found


def test_the_demo_services_that_mix_topics_use_groups() -> None:
    for code in ("izin-reklame", "surat-keterangan-domisili"):
        definition = ServiceDefinition(load(demo_text(code)))
        assert len(definition.data_groups) >= 3, code
        assert definition.fields_of_group(None) == (), code
