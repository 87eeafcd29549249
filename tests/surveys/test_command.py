"""`loket survey compute` and `loket survey import` on real CSV and XLSX files."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from loket.surveys import services
from loket.surveys.models import Channel, Response
from tests.org.factories import UnitFactory

HEADER = ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"]
# The hand-worked example of test_ikm: IKM 83.56 B.
ROWS = [
    [4, 4, 4, 4, 4, 4, 4, 4, 4],
    [3, 3, 3, 3, 3, 3, 3, 3, 3],
    [3, 4, 2, 4, 3, 3, 4, 2, 3],
    [2, 3, 3, 4, 4, 3, 4, 3, None],
]


def write_csv(path: Path, header: list[str], rows: list[list[Any]], sep: str = ",") -> Path:
    lines = [sep.join(header)]
    lines += [sep.join("" if v is None else str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("survey", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_compute_a_csv_as_json(tmp_path: Path) -> None:
    file = write_csv(tmp_path / "skm.csv", HEADER, ROWS)

    data = json.loads(run("compute", str(file), "--format", "json")[0])

    assert data["respondents"] == 4
    assert (data["ikm"], data["grade"], data["words_id"]) == ("83.56", "B", "Baik")
    u9 = data["elements"][8]
    assert (u9["code"], u9["n"], u9["nrr"], u9["nrr_decimal"], u9["converted"]) == (
        "U9",
        3,
        "10/3",
        "3.3333",
        "83.33",
    )
    assert data["lowest"] == ["U1", "U3", "U8"]


def test_compute_an_xlsx_as_a_table(tmp_path: Path) -> None:
    file = write_xlsx(tmp_path / "skm.xlsx", [*HEADER, "gender"], [[*r, "f"] for r in ROWS])

    out, _ = run("compute", str(file))

    assert "83.56" in out
    assert "Baik" in out
    assert "Persyaratan" in out


def test_compute_with_the_legacy_weight(tmp_path: Path) -> None:
    file = write_csv(tmp_path / "skm.csv", HEADER, [[4] * 9])

    data = json.loads(run("compute", str(file), "--format", "json", "--weight", "0.11")[0])

    assert data["ikm"] == "99.00"


def test_semicolon_separated_csv_is_read(tmp_path: Path) -> None:
    file = write_csv(tmp_path / "skm.csv", HEADER, ROWS, sep=";")

    assert json.loads(run("compute", str(file), "--format", "json")[0])["ikm"] == "83.56"


def test_each_bad_cell_is_reported_as_file_row_column(tmp_path: Path) -> None:
    rows = [[4] * 9, [4, 4, 5, 4, 4, 4, 4, 4, 4], [4, 4, 4, 4, 4, 4, 4, "x", 2.5]]
    file = write_xlsx(tmp_path / "bad.xlsx", HEADER, rows)

    with pytest.raises(CommandError) as raised:
        out, err = io.StringIO(), io.StringIO()
        call_command("survey", "compute", str(file), stdout=out, stderr=err)

    lines = err.getvalue().splitlines()
    assert lines == [
        f"{file}:3:C: U3: 5 is outside 1-4",
        f"{file}:4:H: U8: must be an integer from 1 to 4",
        f"{file}:4:I: U9: must be an integer from 1 to 4",
    ]
    assert "3 problem(s)" in str(raised.value)


def test_a_file_without_an_element_column_is_refused(tmp_path: Path) -> None:
    file = write_csv(tmp_path / "skm.csv", HEADER[:8], [[4] * 8])

    with pytest.raises(CommandError):
        err = io.StringIO()
        call_command("survey", "compute", str(file), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().strip() == f"{file}:1:A: missing column(s) U9"


def test_an_unknown_profile_value_is_reported(tmp_path: Path) -> None:
    file = write_csv(tmp_path / "skm.csv", [*HEADER, "education"], [[*ROWS[0], "s7"]])

    with pytest.raises(CommandError):
        err = io.StringIO()
        call_command("survey", "compute", str(file), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith(f"{file}:2:J: education: s7")


@pytest.mark.django_db
def test_import_stores_paper_responses_in_the_period(tmp_path: Path) -> None:
    unit = UnitFactory(code="dpmptsp")
    period = services.define_period(
        unit=unit,
        code="2026-s1",
        name="Semester I 2026",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 6, 30),
    )
    file = write_csv(
        tmp_path / "paper.csv",
        [*HEADER, "gender", "suggestion"],
        [[*r, "m", "Antrian lebih cepat" if i == 0 else ""] for i, r in enumerate(ROWS)],
    )

    out, _ = run("import", str(file), "--unit", "dpmptsp", "--period", "2026-s1")

    assert "4 response(s)" in out
    stored = Response.objects.filter(period=period)
    assert stored.count() == 4
    assert set(stored.values_list("channel", flat=True)) == {Channel.PAPER}
    assert stored.filter(u9__isnull=True).count() == 1
    assert stored.exclude(suggestion="").get().suggestion == "Antrian lebih cepat"


@pytest.mark.django_db
def test_import_into_an_unknown_period_is_refused(tmp_path: Path) -> None:
    UnitFactory(code="dpmptsp")
    file = write_csv(tmp_path / "paper.csv", HEADER, ROWS)

    with pytest.raises(CommandError, match="no survey period"):
        run("import", str(file), "--unit", "dpmptsp", "--period", "nope")


@pytest.mark.django_db
def test_a_bad_file_imports_nothing(tmp_path: Path) -> None:
    unit = UnitFactory(code="dpmptsp")
    services.define_period(
        unit=unit,
        code="p",
        name="P",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    file = write_csv(tmp_path / "paper.csv", HEADER, [*ROWS, [0] * 9])

    with pytest.raises(CommandError):
        call_command(
            "survey", "import", str(file), "--unit", "dpmptsp", "--period", "p",
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip
    assert Response.objects.count() == 0


@pytest.mark.django_db
def test_a_large_import_shows_progress_and_stores_every_row(tmp_path: Path) -> None:
    unit = UnitFactory(code="dpmptsp")
    services.define_period(
        unit=unit, code="p", name="P", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31)
    )
    file = write_csv(tmp_path / "big.csv", HEADER, [[3] * 9] * 2500)

    _out, err = run("import", str(file), "--unit", "dpmptsp", "--period", "p")

    assert Response.objects.count() == 2500
    assert "import" in err


@pytest.mark.django_db
def test_close_ended_closes_finished_periods() -> None:
    unit = UnitFactory(code="dpmptsp")
    ended = services.define_period(
        unit=unit, code="p", name="P", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 3, 31)
    )

    out, _ = run("close-ended")

    assert out.strip() == "1 period(s) closed"
    ended.refresh_from_db()
    assert ended.closed_at is not None
