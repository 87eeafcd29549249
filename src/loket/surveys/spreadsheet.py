"""Survey rows from CSV or XLSX files: one row per respondent, columns U1..U9 and profile.

Every bad cell is reported as ``FILE:row:column: message`` (row as the
spreadsheet numbers it, the header being row 1; column as its letter), and
all of them at once, so a clerk can fix a typed-up paper pile in one pass.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from loket.surveys import ikm
from loket.surveys.services import SurveyError, clean_profile

PROFILE_COLUMNS = ("gender", "age_band", "education", "occupation")
TEXT_COLUMNS = ("suggestion",)
MAX_ERRORS = 50


@dataclass(frozen=True)
class CellError:
    path: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.row}:{self.column}: {self.message}"


class SpreadsheetErrors(Exception):
    def __init__(self, errors: list[CellError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    text = path.read_text(encoding="utf-8-sig")
    # Indonesian spreadsheets export with ';' as often as ','.
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def _reader(path: Path) -> Callable[[Path], Iterator[list[Any]]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows
    raise SpreadsheetErrors([CellError(str(path), 0, "-", "expected a .csv or .xlsx file")])


def _columns(path: str, header: list[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        name = str(title or "").strip()
        key = name.upper() if name.upper() in ikm.ELEMENTS else name.lower()
        if key in (*ikm.ELEMENTS, *PROFILE_COLUMNS, *TEXT_COLUMNS):
            columns[key] = index
    missing = [code for code in ikm.ELEMENTS if code not in columns]
    if missing:
        raise SpreadsheetErrors(
            [CellError(path, 1, "A", f"missing column(s) {', '.join(missing)}")]
        )
    return columns


def _parse_row(
    path: str, number: int, values: list[Any], columns: dict[str, int]
) -> tuple[dict[str, Any], list[CellError]]:
    row: dict[str, Any] = {}
    errors: list[CellError] = []
    for key, index in columns.items():
        value = values[index] if index < len(values) else None
        letter = get_column_letter(index + 1)
        if key in ikm.ELEMENTS:
            try:
                row[key] = ikm.check_rating(key, value)
            except ikm.RatingError as error:
                errors.append(CellError(path, number, letter, str(error)))
        else:
            row[key] = "" if value is None else str(value).strip()
    for key in PROFILE_COLUMNS:
        if key in columns:
            try:
                clean_profile({key: row[key]})
            except SurveyError as error:
                errors.append(
                    CellError(path, number, get_column_letter(columns[key] + 1), error.message)
                )
    if not errors and all(row[code] is None for code in ikm.ELEMENTS):
        errors.append(CellError(path, number, "A", "no answer in U1..U9"))
    return row, errors


def read_responses(file: str | Path) -> list[dict[str, Any]]:
    """Every respondent row of the file, checked; SpreadsheetErrors lists each bad cell."""
    path = Path(file)
    name = str(file)
    rows = _reader(path)(path)
    header = next(rows, None)
    if header is None:
        raise SpreadsheetErrors([CellError(name, 1, "A", "the file is empty")])
    columns = _columns(name, header)
    parsed: list[dict[str, Any]] = []
    errors: list[CellError] = []
    for number, values in enumerate(rows, start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue  # blank lines at the end of a sheet are not respondents
        row, row_errors = _parse_row(name, number, values, columns)
        errors.extend(row_errors)
        if len(errors) >= MAX_ERRORS:
            break
        parsed.append(row)
    if errors:
        raise SpreadsheetErrors(errors[:MAX_ERRORS])
    return parsed
