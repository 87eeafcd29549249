"""The `payment` step in the service definition format: errors name their line."""

from __future__ import annotations

import pytest
from django.utils import translation

from loket.catalog.loader import load, validate
from tests.catalog.conftest import demo_text
from tests.catalog.test_loader import line_of

REKLAME = demo_text("izin-reklame")


def _problems(text: str) -> list[tuple[int, str]]:
    with translation.override("en"):  # assertions read the English source text
        return [(e.line, e.problem) for e in validate(text, "x.yaml")]


def test_the_reklame_payment_step_is_normalized() -> None:
    step = next(s for s in load(REKLAME)["steps"] if s["id"] == "pembayaran-pajak")

    assert step["kind"] == "payment" and step["payment_kind"] == "pajak"
    assert step["amount"]["rupiah"] is None and "tarif_per_m2_bulan" in step["amount"]["expression"]
    assert step["deadline"] == {"working_days": 20, "working_hours": None}
    assert step["assessment"]["number_pattern"] == "SKPD/{seq}/REK/BAPENDA/{year}"
    assert step["next"] == "penerbitan" and step["on_expire"] == "tidak-dibayar"
    assert step["billing_prefix"] == "9901"


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        ("payment_kind: pajak", "payment_kind: denda", "payment_kind: denda", "is not one of"),
        (
            "on_expire: tidak-dibayar",
            "on_expire: penerbitan",
            "on_expire:",
            "must name an end step",
        ),
        (
            "on_expire: tidak-dibayar",
            "on_expire: hilang",
            "on_expire:",
            "there is no step 'hilang'",
        ),
        ('billing_prefix: "9901"', "billing_prefix: 9901", "billing_prefix:", "8 digits"),
        ("    deadline: {working_days: 20}", "    deadline: {}", "deadline: {}", "exactly one"),
        (
            "double(tables.kelas_lokasi.tarif_per_m2_bulan) * data.panjang_m * data.lebar_m\n"
            "        * double(data.jumlah_sisi)",
            "double(tables.kelas_lokasi.tarif) * data.panjang_m * data.lebar_m\n"
            "        * double(data.jumlah_sisi)",
            "expression: >-",
            "table kelas_lokasi has no output 'tarif'",
        ),
        (
            "      assessed_in: kajian-pajak",
            "      assessed_in: kajian-selesai",
            "assessed_in:",
            "'kajian-selesai' is not a task step",
        ),
        (
            '      number_pattern: "SKPD/{seq}/REK/BAPENDA/{year}"',
            '      number_pattern: "SKPD/REK/BAPENDA/{year}"',
            'number_pattern: "SKPD/REK',
            "must contain {seq}",
        ),
    ],
)
def test_a_broken_payment_step_is_reported_at_its_line(
    old: str, new: str, at: str, message: str
) -> None:
    assert old in REKLAME
    broken = REKLAME.replace(old, new)

    found = _problems(broken)

    line = line_of(broken, at, nth=-1 if at == "expression: >-" else 0)
    assert any(f_line == line and message in text for f_line, text in found), (line, found)


def test_a_payment_step_needs_an_amount_and_an_expiry_target() -> None:
    broken = REKLAME.replace("    on_expire: tidak-dibayar\n", "")

    found = _problems(broken)

    assert any("on_expire" in text for _line, text in found), found
