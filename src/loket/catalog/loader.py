"""Load and validate service definitions (docs/service-definition.md).

`load()` turns a YAML text into the normalized definition that
`ServiceVersion.definition` stores and the case engine reads, or raises
`DefinitionErrors` listing every problem with its file and line.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from loket.catalog import cel, schema, steps
from loket.catalog.checker import Checker, ExpressionUse
from loket.catalog.errors import DefinitionError, DefinitionErrors
from loket.catalog.yamlsource import SourceDocument, parse

__all__ = [
    "DefinitionError",
    "DefinitionErrors",
    "definition_files",
    "load",
    "normalize",
    "validate",
    "validate_file",
    "validate_tree",
]

# Attributes of `documents.<name>` that rules may read (see rules.build_context).
DOCUMENT_ATTRIBUTES = frozenset({"kind", "size"})


def load(
    source: str | bytes,
    path: str = "<string>",
    *,
    known_positions: set[str] | None = None,
    known_units: set[str] | None = None,
    known_agencies: set[str] | None = None,
    known_archive_codes: set[str] | None = None,
) -> dict[str, Any]:
    """The normalized definition of a YAML text; raises DefinitionErrors with every problem.

    The `known_*` sets, when given, are what the database holds for the
    definition's agency; names outside them are reported.
    """
    document = parse(source, path)
    return _check(document, known_positions, known_units, known_agencies, known_archive_codes)


def normalize(definition: Mapping[str, Any], path: str = "<dict>") -> dict[str, Any]:
    """Validate an already-parsed definition (e.g. built in Python) and fill its defaults.

    Problems carry line 0: a dict has no lines.
    """
    return _check(SourceDocument(path, dict(definition)), None, None, None)


def validate(
    source: str | bytes,
    path: str = "<string>",
    *,
    known_positions: set[str] | None = None,
    known_units: set[str] | None = None,
    known_agencies: set[str] | None = None,
    known_archive_codes: set[str] | None = None,
) -> list[DefinitionError]:
    """Every problem of a YAML text; an empty list means it is valid."""
    try:
        load(
            source,
            path,
            known_positions=known_positions,
            known_units=known_units,
            known_agencies=known_agencies,
            known_archive_codes=known_archive_codes,
        )
    except DefinitionErrors as exc:
        return exc.errors
    return []


def definition_files(path: str | Path) -> list[Path]:
    """The file itself, or every *.yaml / *.yml below a folder, in a stable order."""
    root = Path(path)
    if root.is_dir():
        return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return [root]


def validate_file(path: str | Path, **known: set[str] | None) -> list[DefinitionError]:
    """Every problem of one definition file (unreadable files are a problem too)."""
    try:
        source = Path(path).read_bytes()
    except OSError as exc:
        return [
            DefinitionError(
                str(path), 0, _("cannot read the file: %(reason)s") % {"reason": exc.strerror}
            )
        ]
    return validate(source, str(path), **known)


def validate_tree(path: str | Path) -> dict[Path, list[DefinitionError]]:
    """Problems of every definition file under `path` (without database checks)."""
    return {file: validate_file(file) for file in definition_files(path)}


def _check(
    document: SourceDocument,
    known_positions: set[str] | None,
    known_units: set[str] | None,
    known_agencies: set[str] | None,
    known_archive_codes: set[str] | None = None,
) -> dict[str, Any]:
    check = Checker(document)
    raw = check.mapping(
        (), document.data, required=schema.TOP_LEVEL_REQUIRED, optional=schema.TOP_LEVEL_OPTIONAL
    )
    if raw is None:
        raise DefinitionErrors(check.errors)
    definition = schema.header(check, raw)
    definition["requirements"] = schema.requirements(check, raw.get("requirements"))
    definition["fee"] = schema.fee(check, raw.get("fee"))
    definition["deadline"] = schema.deadline(
        check, ("deadline",), raw.get("deadline"), whole_service=True
    )
    definition["product"] = schema.product(check, raw.get("product"))
    definition["decision_tables"] = schema.decision_tables(check, raw.get("decision_tables"))
    definition["steps"] = steps.steps(check, raw.get("steps"))
    definition["segregation_of_duties"] = _segregation(
        check, raw.get("segregation_of_duties"), definition["steps"]
    )
    definition["standard"] = schema.standard(check, raw.get("standard"))
    definition["archive"] = schema.archive(check, raw.get("archive"), known_archive_codes)
    _check_organisation(check, definition, known_units, known_agencies)
    steps.check_graph(check, definition["steps"], known_positions, definition["agency"])
    _check_references(check, definition)
    _check_completeness_step(check, definition)
    pattern = definition["product"].get("number_pattern") or ""
    if "{klasifikasi}" in pattern and not definition["archive"]["classification"]:
        check.error(
            ("product", "number_pattern"),
            _("{klasifikasi} needs archive.classification"),
        )
    if check.errors:
        raise DefinitionErrors(check.errors)
    return definition


def _check_organisation(
    check: Checker,
    definition: dict[str, Any],
    known_units: set[str] | None,
    known_agencies: set[str] | None,
) -> None:
    agency, unit = definition["agency"], definition["unit"]
    if known_agencies is not None and agency is not None and agency not in known_agencies:
        check.error(("agency",), _("there is no agency %(agency)r") % {"agency": agency})
    if known_units is not None and unit is not None and unit not in known_units:
        check.error(
            ("unit",),
            _("agency %(agency)r has no unit %(unit)r") % {"agency": agency, "unit": unit},
        )


def _check_completeness_step(check: Checker, definition: dict[str, Any]) -> None:
    step_id = definition["deadline"].get("counted_from")
    if step_id is None:
        return
    kinds = {s["id"]: s["kind"] for s in definition["steps"] if s["id"] is not None}
    if step_id not in kinds:
        check.error(("deadline", "counted_from"), _("there is no step %(id)r") % {"id": step_id})
    elif kinds[step_id] not in ("task", "auto"):
        check.error(
            ("deadline", "counted_from"),
            _(
                "%(id)r must be a task or automatic step: its approval declares the "
                "application complete"
            )
            % {"id": step_id},
        )


def _segregation(check: Checker, value: Any, step_list: list[dict[str, Any]]) -> list[list[str]]:
    """Pairs of task steps that one person may not both decide in a case."""
    kinds = {s["id"]: s["kind"] for s in step_list if s["id"] is not None}
    pairs = []
    for i, raw in enumerate(check.sequence(("segregation_of_duties",), value)):
        where = ("segregation_of_duties", i)
        if not isinstance(raw, list) or len(raw) != 2:
            check.error(where, _("must be a pair of task step ids, e.g. [review, approval]"))
            continue
        pair = [check.slug((*where, j), step_id) for j, step_id in enumerate(raw)]
        if pair[0] is not None and pair[0] == pair[1]:
            check.error(where, _("names the same step twice"))
        for j, step_id in enumerate(pair):
            if step_id is None:
                continue
            if step_id not in kinds:
                check.error((*where, j), _("there is no step %(id)r") % {"id": step_id})
            elif kinds[step_id] != "task":
                check.error((*where, j), _("%(id)r is not a task step") % {"id": step_id})
        if None not in pair:
            pairs.append([str(step_id) for step_id in pair])
    return pairs


def _check_references(check: Checker, definition: dict[str, Any]) -> None:
    """Every name an expression reads must be declared in the definition."""
    fields = {f["name"] for f in definition["requirements"]["data"]}
    documents = {d["name"] for d in definition["requirements"]["documents"]}
    tables = {t["name"]: set(t["outputs"]) for t in definition["decision_tables"] if t["name"]}
    for use in check.expressions:
        for reference in cel.references(use.text):
            problem = _reference_problem(reference, use, fields, documents, tables)
            if problem:
                check.error(use.where, problem)


def _reference_problem(
    reference: tuple[str, ...],
    use: ExpressionUse,
    fields: set[str],
    documents: set[str],
    tables: dict[str, set[str]],
) -> str | None:
    root, rest = reference[0], reference[1:]
    if root not in use.roots:
        return _("unknown name %(name)r; here an expression may use %(roots)s") % {
            "name": root,
            "roots": ", ".join(sorted(use.roots)),
        }
    if not rest:
        return None
    name = rest[0]
    if root == "data" and name not in fields:
        return _("data.%(name)s is not a declared data field") % {"name": name}
    if root == "documents":
        if name not in documents:
            return _("documents.%(name)s is not a declared document") % {"name": name}
        if len(rest) > 1 and rest[1] not in DOCUMENT_ATTRIBUTES:
            return _("documents.%(name)s has no attribute %(attr)r (only kind, size)") % {
                "name": name,
                "attr": rest[1],
            }
    if root == "tables":
        if name not in tables:
            return _("tables.%(name)s is not a declared decision table") % {"name": name}
        if use.tables_before is not None and name not in use.tables_before:
            return _(
                "tables.%(name)s is declared after this table; a table may only use earlier ones"
            ) % {"name": name}
        if len(rest) > 1 and rest[1] not in tables[name]:
            return _("table %(name)s has no output %(key)r") % {"name": name, "key": rest[1]}
    return None
