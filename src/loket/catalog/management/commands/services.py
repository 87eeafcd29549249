"""`loket services validate PATH` and `loket services publish PATH`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from loket.catalog import services
from loket.catalog.errors import DefinitionError, DefinitionErrors
from loket.catalog.loader import definition_files
from loket.core.errors import LoketError


class Command(BaseCommand):
    help = "Validate or publish service definitions (YAML files, or folders of them)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        validate = actions.add_parser(
            "validate", help="Report every problem as file:line: message (exit 1 if any)."
        )
        validate.add_argument("path", help="a .yaml file or a folder of them")
        publish = actions.add_parser(
            "publish", help="Store each file as a new immutable service version."
        )
        publish.add_argument("path", help="a .yaml file or a folder of them")

    def handle(self, *args: Any, **options: Any) -> None:
        files = self._files(options["path"])
        if options["action"] == "validate":
            self._validate(files)
        else:
            self._publish(files)

    def _files(self, path: str) -> list[Path]:
        if not Path(path).exists():
            raise CommandError(_("%(path)s does not exist") % {"path": path})
        files = definition_files(path)
        if not files:
            raise CommandError(_("no .yaml files in %(path)s") % {"path": path})
        return files

    def _report(self, errors: list[DefinitionError]) -> None:
        for error in errors:
            self.stderr.write(f"{error.path}:{error.line}: {error.problem}")

    def _validate(self, files: list[Path]) -> None:
        failed = 0
        for file in files:
            source = _read(file)
            errors = (
                source
                if isinstance(source, list)
                else services.validate_against_database(source, str(file))
            )
            if errors:
                failed += 1
                self._report(errors)
            else:
                self.stdout.write(_("%(file)s: OK") % {"file": file})
        if failed:
            raise CommandError(
                _("%(failed)d of %(total)d file(s) have problems")
                % {"failed": failed, "total": len(files)},
                returncode=1,
            )

    def _publish(self, files: list[Path]) -> None:
        failed = 0
        for file in files:
            try:
                source = _read(file)
                if isinstance(source, list):
                    raise DefinitionErrors(source)
                result = services.publish_text(source, str(file))
            except DefinitionErrors as exc:
                failed += 1
                self._report(exc.errors)
                continue
            except LoketError as exc:
                failed += 1
                self.stderr.write(f"{file}:0: {exc.message}")
                continue
            version = result.version
            if result.created:
                message = _("%(file)s: published %(code)s version %(number)d")
            else:
                message = _("%(file)s: unchanged; %(code)s version %(number)d has this content")
            self.stdout.write(
                message % {"file": file, "code": version.service.code, "number": version.number}
            )
        if failed:
            raise CommandError(
                _("%(failed)d of %(total)d file(s) were not published")
                % {"failed": failed, "total": len(files)},
                returncode=1,
            )


def _read(file: Path) -> bytes | list[DefinitionError]:
    """The file's bytes, or the problem of reading it."""
    try:
        return file.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return [
            DefinitionError(
                str(file), 0, _("cannot read the file: %(reason)s") % {"reason": reason}
            )
        ]
