"""Evaluating CEL rules, decision tables and fees."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from loket.catalog import rules
from loket.catalog.errors import RuleError
from loket.catalog.loader import load
from loket.core.errors import LoketError

from .conftest import demo_text

REKLAME = load(demo_text("izin-reklame"))
# Pajak reklame is billed by the payment step (an SKPD), not as the permit's fee.
REKLAME_TAX = next(s for s in REKLAME["steps"] if s["kind"] == "payment")["amount"]["expression"]


def reklame_tax(data: dict[str, object]) -> int:
    return rules.rupiah_of(REKLAME, REKLAME_TAX, data)


def reklame_data(**changes: object) -> dict[str, object]:
    data = {
        "nama_pemohon": "PT Cahaya Iklan",
        "npwp": "012345678901234",
        "jenis_reklame": "billboard",
        "kelas_jalan": "kolektor",
        "panjang_m": "4",
        "lebar_m": "3",
        "jumlah_sisi": 2,
        "durasi_bulan": 12,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("expression", "context", "expected"),
    [
        ("a + 1", {"a": 41}, 42),
        ("a * 1.5", {"a": Decimal("2.5")}, 3.75),
        ("s + '!'", {"s": "halo"}, "halo!"),
        ("!flag", {"flag": False}, True),
        ("day.getFullYear()", {"day": dt.date(2025, 8, 17)}, 2025),
        ("day < timestamp('2026-01-01T00:00:00Z')", {"day": dt.date(2025, 8, 17)}, True),
        ("m.k[1]", {"m": {"k": [1, 2]}}, 2),
        ("{'x': [1, 'a', true, 2.5]}", {}, {"x": [1, "a", True, 2.5]}),
        ("x == null", {"x": None}, True),
        (
            "when",
            {"when": dt.datetime(2025, 1, 2, 3, 4, tzinfo=dt.UTC)},
            dt.datetime(2025, 1, 2, 3, 4, tzinfo=dt.UTC),
        ),
    ],
)
def test_evaluate_converts_python_values_both_ways(
    expression: str, context: dict[str, object], expected: object
) -> None:
    result = rules.evaluate(expression, context)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize("expression", ["a / 0", "missing + 1", "a + 'x'", "a +"])
def test_failing_expressions_raise_rule_error_naming_the_expression(expression: str) -> None:
    with pytest.raises(RuleError) as caught:
        rules.evaluate(expression, {"a": 1})
    assert isinstance(caught.value, LoketError)
    assert repr(expression) in caught.value.message
    assert "activation" not in caught.value.message


def test_decision_table_first_matching_rule_wins() -> None:
    context = rules.build_context(REKLAME, data=reklame_data(kelas_jalan="arteri"))
    assert context["tables"]["kelas_lokasi"] == {
        "kelas": "A",
        "tarif_per_m2_bulan": 25000,
        "luas_maksimum_m2": 60,
    }
    context = rules.build_context(REKLAME, data=reklame_data(kelas_jalan="lingkungan"))
    assert context["tables"]["kelas_lokasi"]["kelas"] == "C"


def test_decision_table_without_a_match_is_a_rule_error() -> None:
    definition = load(
        demo_text("izin-usaha-mikro").replace(
            '      - when: "true"\n        output: {skala: besar}\n', ""
        )
    )
    with pytest.raises(RuleError, match="no rule of the decision table matched"):
        rules.evaluate_tables(definition, {"data": {"modal_usaha": 20_000_000_000}})


def test_reklame_tax_is_rate_times_area_faces_and_months() -> None:
    # Class B: Rp15.000 per m² per month × 12 m² × 2 faces × 12 months.
    assert reklame_tax(reklame_data()) == 15_000 * 12 * 2 * 12
    assert reklame_tax(reklame_data(kelas_jalan="arteri", jumlah_sisi=1, durasi_bulan=1)) == 300_000
    assert (
        reklame_tax(reklame_data(panjang_m="2.5", lebar_m=1.5, jumlah_sisi=1, durasi_bulan=1))
        == 56_250
    )


def test_the_reklame_permit_itself_is_free() -> None:
    assert rules.fee_for(REKLAME, reklame_data()) == 0


def test_a_half_rupiah_rounds_up_despite_floating_point() -> None:
    # Rp25.000 × 0.11 m × 0.57 m = Rp1.567,5 exactly; binary floats give 1567.4999999999998.
    data = reklame_data(
        kelas_jalan="arteri", panjang_m="0.11", lebar_m="0.57", jumlah_sisi=1, durasi_bulan=1
    )
    assert reklame_tax(data) == 1_568


def test_fixed_fee_needs_no_evaluation() -> None:
    assert rules.fee_for(load(demo_text("izin-usaha-mikro")), {}) == 0


def test_an_amount_with_invalid_data_is_a_rule_error() -> None:
    with pytest.raises(RuleError):
        reklame_tax(reklame_data(panjang_m="empat"))


def test_auto_checks_of_the_demo_services_pass_for_good_data() -> None:
    context = rules.build_context(
        REKLAME, data=reklame_data(), documents={"ktp": {"kind": "pdf", "size": 1000}}
    )
    auto = REKLAME["steps"][0]
    assert [rules.evaluate_condition(check["rule"], context) for check in auto["checks"]] == [
        True,
        True,
        False,  # 12 m² needs a construction drawing
        True,
    ]
    context["documents"]["konstruksi"] = {"kind": "pdf", "size": 2048}
    assert rules.evaluate_condition(auto["checks"][2]["rule"], context) is True


def test_domicile_routes_lodgers_to_staff_verification() -> None:
    definition = load(demo_text("surat-keterangan-domisili"))
    routes = definition["steps"][0]["next"]
    context = rules.build_context(definition, data={"status_tempat_tinggal": "menumpang"})
    assert rules.evaluate_condition(routes[0]["when"], context) is True
    assert routes[0]["to"] == "verifikasi-staf"
    assert routes[1] == {"when": None, "to": "persetujuan-lurah"}
