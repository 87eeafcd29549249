"""`loket complaint-categories validate|load [PATH]`: complaint categories as code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.catalog.errors import DefinitionErrors
from loket.complaints.categories import categories_dir, load_file, validate_source


class Command(BaseCommand):
    help = "Validate or load complaint category files (one YAML file per agency)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["validate", "load"])
        parser.add_argument("path", nargs="?", help="a .yaml file or a folder of them")

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(options["path"]) if options["path"] else categories_dir()
        files = sorted(root.glob("*.yaml")) if root.is_dir() else [root]
        if not files or not all(f.exists() for f in files):
            raise CommandError(f"no category files at {root}")
        failed = False
        for path in files:
            try:
                if options["action"] == "load":
                    load_file(path)
                else:
                    validate_source(path.read_bytes(), str(path))
            except DefinitionErrors as errors:
                failed = True
                for error in errors:
                    self.stderr.write(str(error))
            else:
                self.stdout.write(f"{path}: ok")
        if failed:
            raise CommandError("some category files are not valid")
