"""Loading and validating service definitions: every problem, with its line."""

from __future__ import annotations

import pytest

from loket.catalog.errors import DefinitionErrors
from loket.catalog.loader import load, normalize, validate, validate_tree

from .conftest import DEMO_FILES, SERVICES_DIR, demo_text


def line_of(text: str, needle: str, nth: int = 0) -> int:
    """1-based line of the nth line containing `needle`."""
    lines = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[nth]


def problems(text: str, **known: set[str] | None) -> list[tuple[int, str]]:
    return [(e.line, e.problem) for e in validate(text, "x.yaml", **known)]


def test_all_demo_definitions_are_valid() -> None:
    assert {path.name for path in DEMO_FILES} >= {
        "izin-usaha-mikro.yaml",
        "surat-keterangan-domisili.yaml",
        "izin-reklame.yaml",
    }
    assert validate_tree(SERVICES_DIR) == {path: [] for path in DEMO_FILES}


def test_normalized_definition_fills_defaults() -> None:
    definition = load(demo_text("izin-usaha-mikro"))
    fields = {f["name"]: f for f in definition["requirements"]["data"]}
    assert fields["modal_usaha"]["max"] is None
    assert fields["nama_usaha"]["max_length"] == 120
    assert fields["bidang_usaha"]["choices"][0]["value"] == "kuliner"
    auto = definition["steps"][0]
    assert auto["next"] == [{"when": None, "to": "verifikasi-berkas"}]
    assert auto["on_reject"] == "ditolak"
    assert auto["on_return"] == "perbaikan"
    assert definition["deadline"] == {
        "working_days": 5,
        "working_hours": None,
        "counted_from": "verifikasi-berkas",
    }
    assert definition["fee"] == {
        "amount": 0,
        "expression": None,
        "note": {"id": "Tidak dipungut biaya.", "en": "Free of charge."},
    }


def test_parallel_step_names_the_join_its_branches_meet_at() -> None:
    steps = {s["id"]: s for s in load(demo_text("izin-reklame"))["steps"]}
    assert steps["kajian-teknis"]["branches"] == ["kajian-tata-ruang", "kajian-pajak"]
    assert steps["kajian-teknis"]["join"] == "kajian-selesai"


def test_broken_copy_reports_every_problem_with_its_line() -> None:
    original = demo_text("izin-reklame")
    broken = (
        original.replace("  en: Advertisement (Billboard) Permit\n", "")
        .replace("    position: analis-tata-ruang", "    position: analis-tata-kota")
        .replace("      approve: pembayaran-pajak", "      approve: terbit")
        .replace("tables.kelas_lokasi.kelas != 'C'", "tables.kelas_lokasi.klass != 'C'")
        .replace("data.npwp.matches", "data.nomor_npwp.matches")
        .replace("data.panjang_m * data.lebar_m <= 8.0 ||", "data.panjang_m * <= 8.0 ||")
        .replace("  - [kajian-pajak, persetujuan]", "  - [kajian-teknis, persetujuan]")
    )
    found = problems(
        broken, known_positions={"petugas-front-office", "analis-pajak-daerah", "kabid-perizinan"}
    )
    expected_lines = {
        line_of(broken, "name:"): "name: the English text (en) is missing",
        line_of(
            broken, "position: analis-tata-kota"
        ): "agency 'kota-contoh' has no position 'analis-tata-kota'",
        line_of(broken, "approve: terbit"): "there is no step 'terbit'",
        line_of(broken, "data.nomor_npwp"): "data.nomor_npwp is not a declared data field",
        line_of(broken, "kelas_lokasi.klass"): "table kelas_lokasi has no output 'klass'",
        line_of(broken, "data.panjang_m * <="): "syntax error at line 1, column 18",
        line_of(broken, "- [kajian-teknis, persetujuan]"): "'kajian-teknis' is not a task step",
    }
    for line, message in expected_lines.items():
        assert any(f_line == line and message in text for f_line, text in found), (
            line,
            message,
            found,
        )
    assert len(found) == len(expected_lines)


def test_yaml_syntax_error_points_at_its_line() -> None:
    text = demo_text("izin-usaha-mikro").replace("agency: kota-contoh", "agency: [kota-contoh")
    ((line, message),) = problems(text)
    assert message.startswith("invalid YAML")
    assert line >= line_of(text, "agency: [kota-contoh")


def test_duplicate_keys_and_aliases_are_refused() -> None:
    text = demo_text("izin-usaha-mikro").replace(
        "unit: dpmptsp\n", "unit: dpmptsp\nunit: &u dpmptsp\nextra: *u\n"
    )
    found = problems(text)
    assert (line_of(text, "unit: &u"), "the key 'unit' appears twice") in found
    assert any("aliases" in message for _, message in found)


def _steps_text(steps_yaml: str) -> str:
    base = demo_text("izin-usaha-mikro")
    start, end = base.index("steps:\n"), base.index("segregation_of_duties:")
    return (
        base[:start]
        + steps_yaml
        + base[end:]
        .replace("  - [kajian-teknis, persetujuan]", "  []")
        .replace("segregation_of_duties:\n  []", "segregation_of_duties: []")
    )


def test_duplicate_unreachable_and_dead_end_steps_are_reported() -> None:
    text = _steps_text(
        """steps:
  - {id: mulai, kind: auto, name: {id: Mulai, en: Start}, next: periksa}
  - id: periksa
    kind: task
    name: {id: Periksa, en: Check}
    position: analis-perizinan
    deadline: {working_days: 1}
    actions: {approve: selesai, reject: putar}
  - {id: putar, kind: auto, name: {id: Putar, en: Loop}, next: putar}
  - {id: periksa, kind: issue, name: {id: Lagi, en: Again}, next: selesai}
  - {id: yatim, kind: issue, name: {id: Yatim, en: Orphan}, next: selesai}
  - {id: selesai, kind: end, outcome: approved, name: {id: Selesai, en: Done}}
"""
    )
    messages = [message for _, message in problems(text)]
    assert "steps[3].id: the step id 'periksa' is used twice" in messages
    assert "steps[4].id: step 'yatim' cannot be reached from the start" in messages
    assert "steps[2].id: step 'putar' has no path to an end step" in messages


def test_parallel_branches_must_meet_at_one_join() -> None:
    text = _steps_text(
        """steps:
  - {id: bagi, kind: parallel, name: {id: Bagi, en: Split}, branches: [a, b]}
  - {id: a, kind: issue, name: {id: A, en: A}, next: gabung}
  - {id: b, kind: issue, name: {id: B, en: B}, next: selesai}
  - {id: gabung, kind: join, name: {id: Gabung, en: Join}, next: selesai}
  - {id: selesai, kind: end, outcome: approved, name: {id: Selesai, en: Done}}
"""
    )
    messages = [message for _, message in problems(text)]
    assert any(
        m.startswith("steps[0].branches[1]: branch 'b' must lead to exactly one join step")
        for m in messages
    ), messages


def test_expressions_may_only_name_declared_things() -> None:
    text = demo_text("izin-usaha-mikro").replace(
        "tables.skala_usaha.skala == 'mikro'",
        "data.pekerja <= 10 && tables.skala.x == 1 && documents.sku.size > 0 && foo",
    )
    messages = [message for _, message in problems(text)]
    rule = "steps[0].checks[0].rule: "
    assert rule + "data.pekerja is not a declared data field" in messages
    assert rule + "tables.skala is not a declared decision table" in messages
    assert rule + "documents.sku is not a declared document" in messages
    assert any(m.startswith(rule + "unknown name 'foo'") for m in messages)


def test_fee_expression_may_not_read_documents() -> None:
    text = demo_text("izin-usaha-mikro").replace(
        "  amount: 0\n", '  expression: "has(documents.ktp) ? 1000 : 0"\n'
    )
    messages = [message for _, message in problems(text)]
    assert any(m.startswith("fee.expression: unknown name 'documents'") for m in messages)


def test_missing_sections_and_wrong_types_are_all_reported() -> None:
    text = "code: Bad Code\nname: {id: X}\nfee: {amount: -1}\nsteps: 3\nsurprise: 1\n"
    found = problems(text)
    messages = [m for _, m in found]
    assert "code: 'Bad Code' must be lower-case letters and digits joined by - or _" in messages
    assert "name: the English text (en) is missing" in messages
    assert "fee.amount: must be at least 0" in messages
    assert "steps: must be a list" in messages
    assert any(m.startswith("surprise: unknown key") for m in messages)
    assert "standard: is required" in messages
    assert (
        5,
        found[[m for _, m in found].index(next(m for m in messages if m.startswith("surprise")))][
            1
        ],
    ) in found


def test_unknown_agency_and_unit_are_reported() -> None:
    found = problems(demo_text("izin-usaha-mikro"), known_agencies={"kota-lain"}, known_units=set())
    messages = [m for _, m in found]
    assert "agency: there is no agency 'kota-contoh'" in messages
    assert "unit: agency 'kota-contoh' has no unit 'dpmptsp'" in messages


def test_load_raises_definition_errors_listing_file_and_line() -> None:
    with pytest.raises(DefinitionErrors) as caught:
        load("code: x\n", "services/x.yaml")
    assert all(str(error).startswith("services/x.yaml:") for error in caught.value)
    assert len(caught.value) > 5


def test_normalize_accepts_a_definition_built_in_python() -> None:
    import yaml

    definition = yaml.safe_load(demo_text("surat-keterangan-domisili"))
    assert normalize(definition) == load(demo_text("surat-keterangan-domisili"))


@pytest.mark.parametrize(
    ("step", "problem"),
    [
        ("verifikasi-berkaz", "there is no step 'verifikasi-berkaz'"),
        ("penerbitan", "'penerbitan' must be a task or automatic step"),
    ],
)
def test_deadline_counted_from_must_name_a_task_or_automatic_step(step, problem) -> None:
    text = demo_text("izin-usaha-mikro").replace(
        "counted_from: verifikasi-berkas", f"counted_from: {step}"
    )
    found = problems(text)
    line = line_of(text, "counted_from:")
    assert any(at == line and problem in message for at, message in found), found
