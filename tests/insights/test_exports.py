"""CSV and XLSX downloads of every table on the dashboard and the public Kinerja page."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from loket.cases.models import Case
from loket.catalog.models import Service
from loket.insights import exports, services
from loket.org.models import Unit
from tests.insights.conftest import at

pytestmark = pytest.mark.django_db
PUBLIC = "/kinerja/kota-contoh/"
DASHBOARD = "/workspace/kinerja/"


@pytest.fixture
def refreshed(july_cases: tuple[Case, Case]) -> Unit:
    services.refresh_recent(now=at(31, 20))
    return Unit.objects.get(code="dpmptsp")


def rows_of(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_public_csv_is_the_table_on_the_page(refreshed: Unit, client: Client) -> None:
    response = client.get(PUBLIC, {"bulan": "2026-07", "format": "csv", "tabel": "services"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "kinerja-kota-contoh-2026-07-services.csv" in response["Content-Disposition"]
    header, *rows = rows_of(response.content)
    assert header[:4] == ["service", "month", "submitted", "decided"]
    name = Service.objects.get(code="izin-usaha-mikro").name
    july = next(r for r in rows if r[1] == "2026-07" and r[0] == name)
    assert (july[2], july[3], july[5]) == ("2", "2", "50.0")


def test_public_xlsx_holds_every_table_of_the_page(refreshed: Unit, client: Client) -> None:
    response = client.get(PUBLIC, {"bulan": "2026-07", "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["services", "ikm", "complaints"]
    rows = list(book["services"].iter_rows(values_only=True))
    assert rows[0][0] == "service"
    name = Service.objects.get(code="izin-usaha-mikro").name
    assert (name, "2026-07", 2, 2) in {r[:4] for r in rows}


def test_page_links_every_table_download(refreshed: Unit, client: Client) -> None:
    html = client.get(PUBLIC, {"bulan": "2026-07"}).content.decode()
    for name in ("services", "ikm", "complaints"):
        assert f"format=csv&amp;tabel={name}" in html
    assert "format=xlsx" in html


@pytest.mark.parametrize(
    ("params", "field"),
    [({"format": "pdf"}, "format"), ({"format": "csv", "tabel": "nope"}, "tabel")],
)
def test_bad_export_parameters_are_400_naming_the_field(
    refreshed: Unit, client: Client, params: dict[str, str], field: str
) -> None:
    response = client.get(PUBLIC, {"bulan": "2026-07", **params})
    assert response.status_code == 400
    assert response.content.decode().startswith(f"{field}:")


def test_head_downloads_every_dashboard_table(refreshed: Unit, signed_in: Any) -> None:
    client = signed_in("bambang")
    params = {"bulan": "2026-07", "unit": refreshed.pk}
    book = load_workbook(
        io.BytesIO(client.get(DASHBOARD, {**params, "format": "xlsx"}).content), read_only=True
    )
    assert book.sheetnames == [
        "tiles", "trend", "services", "bottlenecks", "queue", "fiktif-positif", "anomalies",
    ]  # fmt: skip
    response = client.get(DASHBOARD, {**params, "format": "csv", "tabel": "bottlenecks"})
    steps = {row[0]: row for row in rows_of(response.content)[1:]}
    assert steps["kajian-teknis"][6] == "1"
    assert steps["kajian-teknis"][7] == "Foto lokasi buram. (1)"


def test_dashboard_download_is_for_heads_only(refreshed: Unit, signed_in: Any) -> None:
    response = signed_in("andi").get(DASHBOARD, {"bulan": "2026-07", "format": "xlsx"})
    assert response.status_code == 403
    assert "spreadsheetml" not in response["Content-Type"]


def test_signed_out_visitor_gets_no_dashboard_download(refreshed: Unit, client: Client) -> None:
    response = client.get(DASHBOARD, {"bulan": "2026-07", "format": "xlsx"})
    assert response.status_code == 302


def test_cells_a_spreadsheet_would_run_as_formulas_are_quoted() -> None:
    sheet = exports.Sheet("x", "x", ["reason"], [['=HYPERLINK("http://evil")'], ["-1"], ["ok"]])
    assert [r[0] for r in rows_of(exports.to_csv(sheet))[1:]] == [
        "'=HYPERLINK(\"http://evil\")", "'-1", "ok",
    ]  # fmt: skip
    book = load_workbook(io.BytesIO(exports.to_xlsx([sheet])), read_only=True)
    values = [r[0] for r in book["x"].iter_rows(min_row=2, values_only=True)]
    assert values[0] == '\'=HYPERLINK("http://evil")'
