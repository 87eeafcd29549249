"""Catalogue test set-up: the demo files and the part of the demo agency they name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from loket.org.models import Agency
from tests.org.factories import AgencyFactory, PositionFactory, UnitFactory

SERVICES_DIR = Path(__file__).resolve().parents[2] / "services"
DEMO_FILES = sorted(SERVICES_DIR.glob("*.yaml"))

# unit code -> (parent unit code, [(position code, is head)])
KOTA_CONTOH = {
    "dpmptsp": (None, [("kepala-dpmptsp", True)]),
    "bidang-perizinan": (
        "dpmptsp",
        [("kabid-perizinan", True), ("petugas-front-office", False), ("analis-perizinan", False)],
    ),
    "dinas-pupr": (None, []),
    "bidang-tata-ruang": ("dinas-pupr", [("kabid-tata-ruang", True), ("analis-tata-ruang", False)]),
    "bapenda": (None, [("kepala-bapenda", True), ("analis-pajak-daerah", False)]),
    "kecamatan-kota-tengah": (None, [("camat-kota-tengah", True)]),
    "kelurahan-sukamaju": (
        "kecamatan-kota-tengah",
        [("lurah-sukamaju", True), ("staf-pelayanan-kelurahan", False)],
    ),
}


def demo_text(name: str) -> str:
    return (SERVICES_DIR / f"{name}.yaml").read_text(encoding="utf-8")


@pytest.fixture
def kota_contoh(db: None) -> Agency:
    """The units and positions of the demo agency that the demo services use."""
    agency = AgencyFactory(code="kota-contoh", name="Pemerintah Kota Contoh")
    units = {}
    for code, (parent, positions) in KOTA_CONTOH.items():
        units[code] = UnitFactory(
            agency=agency, parent=units.get(parent) if parent else None, code=code, name=code
        )
        for position, is_head in positions:
            PositionFactory(
                unit=units[code],
                code=position,
                title=position.replace("-", " ").title(),
                title_en=f"{position} (en)",
                is_head=is_head,
            )
    return agency


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """Assertions read the English source text of problems, whatever the default language."""
    with translation.override("en"):
        yield
