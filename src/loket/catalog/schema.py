"""The shape of a service definition: structural checks that also build the normalized form.

Each function checks one section, reports every problem through the Checker
and returns the section with defaults filled (or None when it is unusable).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext as _

from loket.catalog.checker import Checker
from loket.catalog.fields import field_type, field_type_names
from loket.catalog.yamlsource import Where

FORMAT_VERSION = 1
DOCUMENT_TYPES = ("pdf", "jpeg", "png")
DEFAULT_MAX_SIZE_MB = 2
MAX_SIZE_MB_LIMIT = 50
NUMBER_PLACEHOLDERS = ("seq", "year", "month", "unit", "klasifikasi")
HIT_POLICIES = ("first",)
STANDARD_COMPONENTS = (
    "complaint_channel",
    "facilities",
    "officer_competence",
    "internal_supervision",
    "number_of_officers",
    "service_guarantee",
    "security_guarantee",
    "performance_evaluation",
)
STANDARD_EXTRAS = (
    "decree",
    "service_pledge",
    "service_hours",
    "complaint_resolution",
    "calendar",
)
# Whether service deadlines skip cuti bersama: an agency's policy, not law (the
# Keppres on cuti bersama concerns ASN leave), so the standard says which applies.
CALENDARS = ("with_collective_leave", "without_collective_leave")
TOP_LEVEL_REQUIRED = (
    "code",
    "name",
    "agency",
    "unit",
    "description",
    "legal_basis",
    "requirements",
    "fee",
    "deadline",
    "product",
    "steps",
    "standard",
)
TOP_LEVEL_OPTIONAL = ("format", "decision_tables", "segregation_of_duties", "archive")
# Permendagri 83/2022 codes: a main function of three digits, then up to three
# dotted levels of one or two digits (e.g. 500.16, 400.12.1.2).
ARCHIVE_CODE = re.compile(r"^[0-9]{3}(\.[0-9]{1,2}){0,3}$")
ACCESS_CLASSES = ("biasa", "terbatas", "rahasia", "sangat_rahasia")
# What a CEL expression may read, by where it is written.
FEE_ROOTS = frozenset({"data", "tables"})
TABLE_ROOTS = frozenset({"data", "tables"})
STEP_ROOTS = frozenset({"data", "documents", "tables", "applicant"})


def header(check: Checker, doc: dict[str, Any]) -> dict[str, Any]:
    """code, name, agency, unit, description, legal_basis."""
    fmt = doc.get("format", FORMAT_VERSION)
    if fmt != FORMAT_VERSION:
        check.error(("format",), _("only format %(n)d is supported") % {"n": FORMAT_VERSION})
    legal = check.sequence(("legal_basis",), doc.get("legal_basis"), min_items=1)
    return {
        "format": FORMAT_VERSION,
        "code": check.slug(("code",), doc.get("code"), max_length=80),
        "name": check.i18n(("name",), doc.get("name"), max_length=200),
        "agency": check.slug(("agency",), doc.get("agency")),
        "unit": check.slug(("unit",), doc.get("unit")),
        "description": check.i18n(("description",), doc.get("description")),
        "legal_basis": [check.text(("legal_basis", i), item) for i, item in enumerate(legal)],
    }


def requirements(check: Checker, value: Any) -> dict[str, Any]:
    where: Where = ("requirements",)
    section = (
        check.mapping(where, value, optional=("groups", "data", "documents", "cross_checks")) or {}
    )
    groups = [
        _group(check, (*where, "groups", i), item)
        for i, item in enumerate(check.sequence((*where, "groups"), section.get("groups")))
    ]
    fields = [
        data_field(check, (*where, "data", i), item)
        for i, item in enumerate(check.sequence((*where, "data"), section.get("data")))
    ]
    documents = [
        document(check, (*where, "documents", i), item)
        for i, item in enumerate(check.sequence((*where, "documents"), section.get("documents")))
    ]
    unique_names(check, fields, (*where, "data"), _("data field"))
    unique_names(check, documents, (*where, "documents"), _("document"))
    unique_names(check, groups, (*where, "groups"), _("group"))
    _grouping(check, where, groups, fields)
    kinds = {f["name"]: f["type"] for f in fields if f.get("name")}
    cross = [
        _cross_check(check, (*where, "cross_checks", i), item, kinds)
        for i, item in enumerate(
            check.sequence((*where, "cross_checks"), section.get("cross_checks"))
        )
    ]
    return {"groups": groups, "data": fields, "documents": documents, "cross_checks": cross}


def _group(check: Checker, where: Where, value: Any) -> dict[str, Any]:
    """A data group: one page of the application form, its title and optional hint."""
    item = check.mapping(where, value, required=("name", "title"), optional=("hint",)) or {}
    return {
        "name": check.identifier((*where, "name"), item.get("name")) if item else None,
        "title": check.i18n((*where, "title"), item.get("title"), max_length=120) if item else None,
        "hint": check.i18n((*where, "hint"), item.get("hint"), required=False, max_length=500),
    }


def _grouping(
    check: Checker, where: Where, groups: list[dict[str, Any]], fields: list[dict[str, Any]]
) -> None:
    """Every field's group is declared, and every group has a field (else an empty page)."""
    declared = {g["name"] for g in groups if g.get("name")}
    used = set()
    for i, field in enumerate(fields):
        name = field.get("group")
        if name is None:
            continue
        if name not in declared:
            check.error(
                (*where, "data", i, "group"),
                _("there is no group %(name)r in requirements.groups") % {"name": name},
            )
        used.add(name)
    for i, group in enumerate(groups):
        if group.get("name") and group["name"] not in used:
            check.error(
                (*where, "groups", i, "name"),
                _("the group %(name)r has no data field (it would be an empty page)")
                % {"name": group["name"]},
            )


# Checks across fields, by kind: the field types each one compares.
CROSS_CHECKS = {"nik_birth_date": {"nik": "nik", "date": "date"}}


def _cross_check(check: Checker, where: Where, value: Any, kinds: dict[str, Any]) -> dict[str, Any]:
    """E.g. `{kind: nik_birth_date, nik: nik, date: tanggal_lahir}`: the date field must
    equal the birth date the NIK encodes (DDMMYY, +40 on the day for women)."""
    item = check.mapping(where, value, required=("kind", "nik", "date")) or {}
    kind = check.one_of((*where, "kind"), item.get("kind"), tuple(CROSS_CHECKS)) if item else None
    result: dict[str, Any] = {"kind": kind}
    for key, wanted in CROSS_CHECKS.get(kind or "", {}).items():
        name = item.get(key)
        if not isinstance(name, str) or name not in kinds:
            check.error((*where, key), _("there is no data field %(name)r") % {"name": name})
        elif kinds[name] != wanted:
            check.error(
                (*where, key),
                _("%(name)r must be a field of type %(type)s") % {"name": name, "type": wanted},
            )
        result[key] = name
    return result


def unique_names(
    check: Checker, items: list[Any], where: Where, what: str, key: str = "name"
) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        name = item.get(key) if isinstance(item, dict) else None
        if name is None:
            continue
        if name in seen:
            check.error(
                (*where, i, key),
                _("the %(what)s %(name)r is declared twice") % {"what": what, "name": name},
            )
        seen.add(name)


def data_field(check: Checker, where: Where, value: Any) -> dict[str, Any]:
    item = (
        check.mapping(
            where,
            value,
            required=("name", "type", "label"),
            optional=("required", "help", "group", "min", "max", "max_length", "choices"),
        )
        or {}
    )
    # Which settings apply, and how, is the registered field type's to say.
    kind = check.one_of((*where, "type"), item.get("type"), field_type_names()) if item else None
    behaviour = field_type(kind) if kind else None
    applicable = behaviour.options if behaviour else frozenset()
    for option in ("min", "max", "max_length", "choices"):
        if kind is not None and item.get(option) is not None and option not in applicable:
            check.error(
                (*where, option),
                _("does not apply to a field of type %(type)s") % {"type": kind},
            )
    field: dict[str, Any] = {
        "name": check.identifier((*where, "name"), item.get("name")) if item else None,
        "type": kind,
        "label": check.i18n((*where, "label"), item.get("label")) if item else None,
        "help": check.i18n((*where, "help"), item.get("help"), required=False),
        "required": check.boolean((*where, "required"), item.get("required"), default=True),
        "group": check.identifier((*where, "group"), item["group"])
        if item.get("group") is not None
        else None,
        "min": None,
        "max": None,
        "max_length": None,
        "choices": [],
    }
    if "min" in applicable and kind == "date":
        field["min"], field["max"] = _date_bounds(check, where, item)
    elif "min" in applicable and behaviour is not None:
        field["min"], field["max"] = _bounds(check, where, item, whole=behaviour.whole_bounds)
    if "max_length" in applicable and behaviour is not None:
        field["max_length"] = behaviour.default_max_length
        if item.get("max_length") is not None:
            field["max_length"] = check.integer(
                (*where, "max_length"), item["max_length"], minimum=1, maximum=100_000
            )
    if "choices" in applicable:
        field["choices"] = _choices(check, (*where, "choices"), item.get("choices"))
    return field


def _bounds(check: Checker, where: Where, item: dict[str, Any], *, whole: bool) -> tuple[Any, Any]:
    bounds: list[int | float | None] = []
    for key in ("min", "max"):
        value = item.get(key)
        if value is None:
            bounds.append(None)
        elif whole:
            bounds.append(check.integer((*where, key), value))
        else:
            bounds.append(check.number((*where, key), value))
    low, high = bounds
    if low is not None and high is not None and low > high:
        check.error((*where, "max"), _("must not be less than min"))
    return low, high


def _date_bounds(check: Checker, where: Where, item: dict[str, Any]) -> tuple[Any, Any]:
    """A date's min/max: an ISO date or `today` (e.g. no birth date in the future)."""
    bounds: list[str | None] = []
    for key in ("min", "max"):
        value = item.get(key)
        if value is None:
            bounds.append(None)
            continue
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
        if text != "today":
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                check.error((*where, key), _("must be a date (YYYY-MM-DD) or today"))
                text = ""
        bounds.append(text or None)
    low, high = bounds
    if low and high and "today" not in (low, high) and low > high:
        check.error((*where, "max"), _("must not be less than min"))
    return low, high


def _choices(check: Checker, where: Where, value: Any) -> list[dict[str, Any]]:
    if value is None:
        check.error(where, _("a choice field needs its choices"))
        return []
    choices = []
    for i, raw in enumerate(check.sequence(where, value, min_items=1)):
        item = check.mapping((*where, i), raw, required=("value", "label")) or {}
        choices.append(
            {
                "value": check.text((*where, i, "value"), item.get("value"), max_length=64)
                if item
                else None,
                "label": check.i18n((*where, i, "label"), item.get("label")) if item else None,
            }
        )
    unique_names(check, choices, where, _("choice"), key="value")
    return choices


def document(check: Checker, where: Where, value: Any) -> dict[str, Any]:
    item = (
        check.mapping(
            where,
            value,
            required=("name", "label"),
            optional=("help", "types", "max_size_mb", "required"),
        )
        or {}
    )
    types = check.sequence((*where, "types"), item.get("types", ["pdf"]), min_items=1)
    kinds = []
    for i, kind in enumerate(types):
        checked = check.one_of((*where, "types", i), kind, DOCUMENT_TYPES)
        if checked in kinds:
            check.error((*where, "types", i), _("%(type)r is listed twice") % {"type": checked})
        elif checked is not None:
            kinds.append(checked)
    size = item.get("max_size_mb")
    return {
        "name": check.identifier((*where, "name"), item.get("name")) if item else None,
        "label": check.i18n((*where, "label"), item.get("label")) if item else None,
        "help": check.i18n((*where, "help"), item.get("help"), required=False),
        "types": kinds,
        "max_size_mb": DEFAULT_MAX_SIZE_MB
        if size is None
        else check.number((*where, "max_size_mb"), size, minimum=0.1),
        "required": check.boolean((*where, "required"), item.get("required"), default=True),
    }


def fee(check: Checker, value: Any) -> dict[str, Any]:
    where: Where = ("fee",)
    item = check.mapping(where, value, optional=("amount", "expression", "note")) or {}
    amount, expression = item.get("amount"), item.get("expression")
    if item and (amount is None) == (expression is None):
        check.error(where, _("give exactly one of amount (rupiah) or expression (CEL)"))
    return {
        "amount": None if amount is None else check.integer((*where, "amount"), amount, minimum=0),
        "expression": None
        if expression is None
        else check.expression((*where, "expression"), expression, FEE_ROOTS),
        "note": check.i18n((*where, "note"), item.get("note"), required=False),
    }


def deadline(
    check: Checker, where: Where, value: Any, *, whole_service: bool = False
) -> dict[str, Any]:
    """{working_days: n} or {working_hours: n}; the normalized form has both keys.

    The whole service's deadline may say `counted_from: <step id>`: the step whose
    approval (task) or pass (automatic check) declares the application complete,
    since UU 30/2014 Pasal 53 counts the deadline from completeness.
    """
    keys = ("working_days", "working_hours", *(("counted_from",) if whole_service else ()))
    item = check.mapping(where, value, optional=keys) or {}
    days, hours = item.get("working_days"), item.get("working_hours")
    if item and (days is None) == (hours is None):
        check.error(where, _("give exactly one of working_days or working_hours"))
    extra: dict[str, Any] = {}
    if whole_service:
        counted_from = item.get("counted_from")
        extra["counted_from"] = (
            None if counted_from is None else check.slug((*where, "counted_from"), counted_from)
        )
    return {
        **extra,
        "working_days": None
        if days is None
        else check.integer((*where, "working_days"), days, minimum=1, maximum=365),
        "working_hours": None
        if hours is None
        else check.integer((*where, "working_hours"), hours, minimum=1, maximum=2000),
    }


def archive(check: Checker, value: Any, known_codes: set[str] | None) -> dict[str, Any]:
    """Archive metadata of the case file and the issued document: the classification
    code (Permendagri 83/2022) and the access classes (SKKAAD). Without the section
    the case has no code; the defaults follow docs/service-definition.md."""
    where: Where = ("archive",)
    if value is None:
        return {"classification": None, "case_file_access": "terbatas", "document_access": "biasa"}
    item = (
        check.mapping(
            where,
            value,
            required=("classification",),
            optional=("case_file_access", "document_access"),
        )
        or {}
    )
    code = item.get("classification")
    if code is not None and not (isinstance(code, str) and ARCHIVE_CODE.match(code)):
        check.error(
            (*where, "classification"),
            _("must be a Permendagri 83/2022 code such as 500.16 or 400.12.1"),
        )
        code = None
    elif code is not None and known_codes is not None and code not in known_codes:
        check.error(
            (*where, "classification"),
            _("%(code)s is not in the agency's archive classification in force today")
            % {"code": code},
        )
    access = {
        key: check.one_of((*where, key), item.get(key, default), ACCESS_CLASSES)
        for key, default in (("case_file_access", "terbatas"), ("document_access", "biasa"))
    }
    return {"classification": code, **access}


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def product(check: Checker, value: Any) -> dict[str, Any]:
    where: Where = ("product",)
    item = (
        check.mapping(
            where, value, required=("document_type", "number_pattern"), optional=("validity",)
        )
        or {}
    )
    pattern = (
        check.text((*where, "number_pattern"), item.get("number_pattern"), max_length=120)
        if item
        else None
    )
    if pattern is not None:
        names = _PLACEHOLDER.findall(pattern)
        unknown = [name for name in names if name not in NUMBER_PLACEHOLDERS]
        if unknown:
            check.error(
                (*where, "number_pattern"),
                _("unknown placeholder(s) %(names)s; use {seq}, {year}, {month}, {unit}")
                % {"names": ", ".join("{" + n + "}" for n in unknown)},
            )
        elif "seq" not in names:
            check.error((*where, "number_pattern"), _("must contain {seq}"))
        elif "{" in _PLACEHOLDER.sub("", pattern) or "}" in _PLACEHOLDER.sub("", pattern):
            check.error((*where, "number_pattern"), _("has an unmatched { or }"))
    return {
        "document_type": check.i18n((*where, "document_type"), item.get("document_type"))
        if item
        else None,
        "number_pattern": pattern,
        "validity": check.i18n((*where, "validity"), item.get("validity"), required=False),
    }


def decision_tables(check: Checker, value: Any) -> list[dict[str, Any]]:
    where: Where = ("decision_tables",)
    tables: list[dict[str, Any]] = []
    declared: set[str] = set()
    for i, raw in enumerate(check.sequence(where, value)):
        item = (
            check.mapping((*where, i), raw, required=("name", "rules"), optional=("hit_policy",))
            or {}
        )
        name = check.identifier((*where, i, "name"), item.get("name")) if item else None
        policy = item.get("hit_policy", "first")
        check.one_of((*where, i, "hit_policy"), policy, HIT_POLICIES)
        rules = [
            _table_rule(check, (*where, i, "rules", j), rule, frozenset(declared))
            for j, rule in enumerate(
                check.sequence((*where, i, "rules"), item.get("rules"), min_items=1)
            )
        ]
        outputs = sorted(rules[0]["output"]) if rules else []
        for j, rule in enumerate(rules[1:], start=1):
            if rule["output"] and outputs and sorted(rule["output"]) != outputs:
                check.error(
                    (*where, i, "rules", j, "output"),
                    _("every rule of a table must give the same outputs (%(keys)s)")
                    % {"keys": ", ".join(outputs)},
                )
        if name is not None:
            if name in declared:
                check.error(
                    (*where, i, "name"), _("the table %(name)r is declared twice") % {"name": name}
                )
            declared.add(name)
        tables.append({"name": name, "hit_policy": "first", "rules": rules, "outputs": outputs})
    return tables


def _table_rule(check: Checker, where: Where, value: Any, before: frozenset[str]) -> dict[str, Any]:
    item = check.mapping(where, value, required=("when", "output")) or {}
    output: dict[str, Any] = {}
    raw_output = item.get("output")
    if raw_output is not None and not isinstance(raw_output, dict):
        check.error((*where, "output"), _("must be a mapping of output names to values"))
    elif raw_output is not None:
        if not raw_output:
            check.error((*where, "output"), _("must give at least one output"))
        for key, result in raw_output.items():
            if check.identifier((*where, "output", key), key) is None:
                continue
            if isinstance(result, str | bool | int | float) and not (
                isinstance(result, float) and result != result  # noqa: PLR0124 (NaN)
            ):
                output[key] = result
            else:
                check.error((*where, "output", key), _("must be text, a number or true/false"))
    return {
        "when": check.expression(
            (*where, "when"), item.get("when"), TABLE_ROOTS, tables_before=before
        )
        if item
        else None,
        "output": output,
    }


def standard(check: Checker, value: Any) -> dict[str, Any]:
    """The PermenPANRB 15/2014 components that are not already other sections, and
    the customary rest: the decree establishing the standard, the Maklumat Pelayanan,
    service hours, complaint resolution times and the calendar deadlines use."""
    where: Where = ("standard",)
    item = check.mapping(where, value, required=STANDARD_COMPONENTS, optional=STANDARD_EXTRAS) or {}
    result: dict[str, Any] = {
        key: check.i18n((*where, key), item.get(key), required=False) if item else None
        for key in STANDARD_COMPONENTS
    }
    result["decree"] = _decree(check, (*where, "decree"), item.get("decree"))
    result["service_pledge"] = check.i18n(
        (*where, "service_pledge"), item.get("service_pledge"), required=False
    )
    result["service_hours"] = check.i18n(
        (*where, "service_hours"), item.get("service_hours"), required=False
    )
    result["complaint_resolution"] = _complaint_resolution(
        check, (*where, "complaint_resolution"), item.get("complaint_resolution")
    )
    calendar = item.get("calendar")
    result["calendar"] = (
        None if calendar is None else check.one_of((*where, "calendar"), calendar, CALENDARS)
    )
    return result


def _decree(check: Checker, where: Where, value: Any) -> dict[str, Any] | None:
    """The decree (SK) establishing the standard: its number and date."""
    if value is None:
        return None
    item = check.mapping(where, value, required=("number", "date"), optional=("title",)) or {}
    raw_date = item.get("date")
    text = raw_date.isoformat() if isinstance(raw_date, dt.date) else str(raw_date or "")
    try:
        day: str | None = dt.date.fromisoformat(text).isoformat()
    except ValueError:
        if raw_date is not None:
            check.error((*where, "date"), _("must be a date (YYYY-MM-DD)"))
        day = None
    return {
        "number": check.text((*where, "number"), item.get("number"), max_length=120)
        if item
        else None,
        "date": day,
        "title": check.i18n((*where, "title"), item.get("title"), required=False),
    }


def _complaint_resolution(check: Checker, where: Where, value: Any) -> dict[str, Any] | None:
    """How fast complaints are answered and resolved, in working days."""
    if value is None:
        return None
    item = (
        check.mapping(where, value, required=("response_working_days", "resolution_working_days"))
        or {}
    )
    days = {
        key: check.integer((*where, key), item.get(key), minimum=1, maximum=365)
        if item.get(key) is not None
        else None
        for key in ("response_working_days", "resolution_working_days")
    }
    response, resolution = days["response_working_days"], days["resolution_working_days"]
    if response is not None and resolution is not None and response > resolution:
        check.error(
            (*where, "resolution_working_days"),
            _("must not be less than response_working_days"),
        )
    return days
