"""`loket survey compute FILE [--format json]`, `loket survey import FILE --unit U --period P`,
and `loket survey close-ended` (closes finished periods and drops their case links)."""

from __future__ import annotations

import json
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.db import transaction
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from loket.surveys import ikm, selectors, services
from loket.surveys.models import SurveyPeriod
from loket.surveys.spreadsheet import SpreadsheetErrors, read_responses

# Imports above this size show a progress bar while they are stored.
PROGRESS_FROM_ROWS = 2000
CHUNK_ROWS = 1000


def _stream(wrapper: OutputWrapper) -> IO[str]:
    # Rich writes partial lines; Django's wrapper would end each with a newline.
    return cast("IO[str]", wrapper._out)


def _decimal(value: Any, places: int = 4) -> str:
    return str(ikm.round_half_up(value, places)) if value is not None else ""


def result_as_dict(result: ikm.IkmResult, rules: ikm.Rules) -> dict[str, Any]:
    """The computation as plain JSON values: exact NRR as a fraction and as 4 decimals."""
    return {
        "respondents": result.respondents,
        "weight_mode": str(result.weight_mode),
        "elements": [
            {
                "code": e.code,
                "name": rules.elements[e.code].name_id,
                "n": e.respondents,
                "total": e.total,
                "nrr": str(e.nrr) if e.nrr is not None else None,
                "nrr_decimal": _decimal(e.nrr) or None,
                "converted": str(e.converted) if e.converted is not None else None,
                "grade": e.grade.grade if e.grade else None,
            }
            for e in sorted(result.elements, key=lambda e: rules.display_order.index(e.code))
        ],
        "skm": _decimal(result.skm) or None,
        "ikm": str(result.ikm) if result.ikm is not None else None,
        "grade": result.grade.grade if result.grade else None,
        "words_id": result.grade.words_id if result.grade else None,
        "words_en": result.grade.words_en if result.grade else None,
        "lowest": [e.code for e in result.lowest],
    }


class Command(BaseCommand):
    help = "Compute the IKM of a survey file, import survey files, close ended periods."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        compute = actions.add_parser(
            "compute", help="Compute the index from a CSV/XLSX file; stores nothing."
        )
        compute.add_argument("file")
        compute.add_argument("--format", choices=["table", "json"], default="table")
        compute.add_argument(
            "--weight", choices=[m.value for m in ikm.WeightMode], default=ikm.WeightMode.EXACT
        )
        imports = actions.add_parser("import", help="Store paper/spreadsheet responses.")
        imports.add_argument("file")
        imports.add_argument("--unit", required=True, help="unit code")
        imports.add_argument("--period", required=True, help="survey period code")
        actions.add_parser("close-ended", help="Close periods past their last day.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "close-ended":
            closed = services.close_ended_periods()
            self.stdout.write(f"{closed} period(s) closed")
            return
        rows = self._read(options["file"])
        if action == "compute":
            self._compute(rows, options["format"], options["weight"])
        else:
            self._import(rows, options["unit"], options["period"])

    def _read(self, file: str) -> list[dict[str, Any]]:
        try:
            return read_responses(file)
        except FileNotFoundError as error:
            raise CommandError(f"{file}: no such file") from error
        except SpreadsheetErrors as error:
            for problem in error.errors:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(error.errors)} problem(s) in {file}", returncode=1) from None

    def _compute(self, rows: list[dict[str, Any]], format: str, weight: str) -> None:
        rules = selectors.rules()
        result = ikm.compute(rows, weight_mode=weight, rules=rules)
        data = result_as_dict(result, rules)
        if format == "json":
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        table = Table("Unsur", "n", "NRR", "×25", "Mutu")
        for element in data["elements"]:
            table.add_row(
                f"{element['code']} {element['name']}",
                str(element["n"]),
                element["nrr_decimal"] or "-",
                element["converted"] or "-",
                element["grade"] or "-",
            )
        console = Console(file=_stream(self.stdout), width=100)
        console.print(table)
        if data["ikm"] is None:
            console.print("IKM: - (an element has no answer)")
        else:
            console.print(
                f"Responden: {data['respondents']}  IKM: {data['ikm']}  "
                f"Mutu: {data['grade']} ({data['words_id']})"
            )

    def _import(self, rows: list[dict[str, Any]], unit: str, period_code: str) -> None:
        period = SurveyPeriod.objects.filter(unit__code=unit, code=period_code).first()
        if period is None:
            raise CommandError(f"no survey period {period_code!r} for unit {unit!r}")
        stored = 0
        try:
            if len(rows) < PROGRESS_FROM_ROWS:
                stored = services.import_responses(period=period, rows=rows)
            else:
                # One transaction: a file is stored whole or not at all.
                with (
                    transaction.atomic(),
                    Progress(console=Console(file=_stream(self.stderr))) as progress,
                ):
                    bar = progress.add_task("import", total=len(rows))
                    for start in range(0, len(rows), CHUNK_ROWS):
                        chunk = rows[start : start + CHUNK_ROWS]
                        stored += services.import_responses(period=period, rows=chunk)
                        progress.advance(bar, len(chunk))
        except services.SurveyError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{stored} response(s) stored in {period}")
