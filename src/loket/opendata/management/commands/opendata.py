"""`loket opendata publish`: regenerate every open dataset now, with a progress bar."""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from loket.opendata import services


class Command(BaseCommand):
    help = "Open data: `publish` regenerates every dataset from live data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["publish"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        # Rich writes through the command's stdout, so call_command(stdout=...) captures it.
        console = Console(file=cast(IO[str], self.stdout), force_terminal=False)
        total = len(services.planned())
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as progress:
            bar = progress.add_task("Menerbitkan dataset", total=total)

            def advance(published: services.Published) -> None:
                progress.console.print(f"{published.slug}: {published.rows} baris")
                progress.advance(bar)

            done = services.publish_all(on_progress=advance)
        self.stdout.write(f"{len(done)} dataset diterbitkan.")
