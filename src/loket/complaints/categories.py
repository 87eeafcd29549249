"""Complaint categories as code: one YAML file per agency, validated with file:line errors.

A file names the agency, its Open311 jurisdiction, the position of its complaint
administrators, the limits in working days (defaults: the values agencies commonly
publish, see docs/complaints.md) and the categories, each mapped to a unit and the
position that handles it, with the Open311 attributes it asks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from loket.catalog.errors import DefinitionError, DefinitionErrors
from loket.catalog.yamlsource import SourceDocument, Where, parse
from loket.complaints.models import Category, ComplaintPolicy, Tier
from loket.org.models import Agency, Position, Unit

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
DEFAULT_TIERS: dict[str, int] = {
    Tier.LIGHT.value: 2,
    Tier.NORMATIVE.value: 5,
    Tier.NON_SUPERVISORY.value: 14,
    Tier.SUPERVISORY.value: 60,
}
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_ATTRIBUTE_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_TOP_KEYS = {"agency", "jurisdiction_id", "admin_position", "limits", "categories"}
_CATEGORY_KEYS = {
    "code",
    "name",
    "description",
    "group",
    "keywords",
    "unit",
    "handler",
    "attributes",
}


def categories_dir() -> Path:
    configured = getattr(settings, "LOKET_COMPLAINT_CATEGORIES_DIR", None)
    if configured:
        return Path(configured)
    return Path(settings.LOKET_SERVICES_DIR).parent / "complaint-categories"


@dataclass
class _Check:
    source: SourceDocument
    errors: list[DefinitionError] = field(default_factory=list)

    def fail(self, where: Where, message: str) -> None:
        self.errors.append(DefinitionError(self.source.path, self.source.line(where), message))


def _text(value: Any) -> tuple[str, str]:
    """A label written either as one string or as {id: ..., en: ...}."""
    if isinstance(value, dict):
        return str(value.get("id") or ""), str(value.get("en") or "")
    return ("" if value is None else str(value)), ""


def _days(check: _Check, where: Where, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365:
        check.fail(where, _("must be a whole number of working days from 1 to 365"))
        return 1
    return value


def _limits(check: _Check, raw: Any) -> dict[str, Any]:
    limits: dict[str, Any] = {"verification": 3, "auto_close": 10, "tiers": dict(DEFAULT_TIERS)}
    if raw is None:
        return limits
    if not isinstance(raw, dict):
        check.fail(("limits",), _("limits must be a mapping"))
        return limits
    for key in ("verification", "auto_close"):
        if key in raw:
            limits[key] = _days(check, ("limits", key), raw[key])
    tiers = raw.get("tiers") or {}
    if not isinstance(tiers, dict):
        check.fail(("limits", "tiers"), _("tiers must be a mapping of tier to working days"))
        return limits
    for tier, days in tiers.items():
        if tier not in Tier.values:
            check.fail(
                ("limits", "tiers", tier),
                _("unknown tier %(tier)s; known: %(known)s")
                % {"tier": tier, "known": ", ".join(Tier.values)},
            )
            continue
        limits["tiers"][tier] = _days(check, ("limits", "tiers", tier), days)
    return limits


def _attributes(check: _Check, where: Where, raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        check.fail(where, _("attributes must be a list"))
        return []
    result, seen = [], set()
    for index, item in enumerate(raw):
        at = (*where, index)
        if not isinstance(item, dict):
            check.fail(at, _("an attribute must be a mapping"))
            continue
        code = str(item.get("code") or "")
        if not _ATTRIBUTE_CODE.match(code):
            check.fail(
                (*at, "code"),
                _(
                    "the attribute code must be lower-case letters, digits "
                    "and _ starting with a letter"
                ),
            )
        elif code in seen:
            check.fail(
                (*at, "code"), _("the attribute code %(code)s is used twice") % {"code": code}
            )
        seen.add(code)
        datatype = item.get("datatype", "string")
        if datatype not in DATATYPES:
            check.fail(
                (*at, "datatype"),
                _("datatype must be one of %(known)s") % {"known": ", ".join(DATATYPES)},
            )
        values = []
        if datatype in ("singlevaluelist", "multivaluelist"):
            raw_values = item.get("values")
            if not isinstance(raw_values, list) or not raw_values:
                check.fail((*at, "datatype"), _("a list attribute needs values"))
                raw_values = []
            for value_index, value in enumerate(raw_values):
                if not isinstance(value, dict) or not value.get("key"):
                    check.fail((*at, "values", value_index), _("a value needs a key and a name"))
                    continue
                values.append(
                    {
                        "key": str(value["key"]),
                        "name": _text(value.get("name"))[0] or str(value["key"]),
                    }
                )
        description, description_en = _text(item.get("description"))
        if not description:
            check.fail(at, _("the attribute needs a description (the question asked)"))
        result.append(
            {
                "code": code,
                "datatype": datatype,
                "required": bool(item.get("required", False)),
                "description": description,
                "description_en": description_en,
                "datatype_description": str(item.get("datatype_description") or ""),
                "order": index + 1,
                "values": values,
            }
        )
    return result


@dataclass
class CategoryFile:
    path: str
    agency: Agency | None
    jurisdiction_id: str
    admin_position: Position | None
    limits: dict[str, Any]
    categories: list[dict[str, Any]]


def validate_source(text: str | bytes, path: str = "<string>") -> CategoryFile:
    """Parse and check one categories file; raises DefinitionErrors listing every problem."""
    source = parse(text, path)
    check = _Check(source)
    data = source.data
    if not isinstance(data, dict):
        raise DefinitionErrors([DefinitionError(path, 1, _("the file must be a mapping"))])
    for key in data:
        if key not in _TOP_KEYS:
            check.fail((key,), _("unknown key %(key)s") % {"key": key})
    agency = Agency.objects.filter(code=str(data.get("agency") or "")).first()
    if agency is None:
        check.fail(("agency",), _("there is no agency %(code)s") % {"code": data.get("agency")})
    jurisdiction = str(data.get("jurisdiction_id") or "")
    if not re.match(r"^[a-z0-9.-]+\.[a-z]{2,}$", jurisdiction):
        check.fail(
            ("jurisdiction_id",), _("jurisdiction_id must be a domain name, e.g. kotacontoh.go.id")
        )
    positions = {p.code: p for p in Position.objects.filter(agency=agency)} if agency else {}
    units = {u.code: u for u in Unit.objects.filter(agency=agency)} if agency else {}
    admin = positions.get(str(data.get("admin_position") or ""))
    if agency is not None and admin is None:
        check.fail(
            ("admin_position",),
            _("there is no position %(code)s in the agency") % {"code": data.get("admin_position")},
        )
    limits = _limits(check, data.get("limits"))
    categories = []
    raw_categories = data.get("categories")
    if not isinstance(raw_categories, list) or not raw_categories:
        check.fail(("categories",), _("list at least one category"))
        raw_categories = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_categories):
        where: Where = ("categories", index)
        if not isinstance(raw, dict):
            check.fail(where, _("a category must be a mapping"))
            continue
        for key in raw:
            if key not in _CATEGORY_KEYS:
                check.fail((*where, key), _("unknown key %(key)s") % {"key": key})
        code = str(raw.get("code") or "")
        if not _CODE.match(code):
            check.fail((*where, "code"), _("the code must be lower-case letters, digits and -"))
        elif code in seen:
            check.fail((*where, "code"), _("the code %(code)s is used twice") % {"code": code})
        seen.add(code)
        name, name_en = _text(raw.get("name"))
        if not name:
            check.fail((*where, "name"), _("the category needs a name"))
        unit = units.get(str(raw.get("unit") or ""))
        handler = positions.get(str(raw.get("handler") or ""))
        if agency is not None and unit is None:
            check.fail(
                (*where, "unit"),
                _("there is no unit %(code)s in the agency") % {"code": raw.get("unit")},
            )
        if agency is not None and handler is None:
            check.fail(
                (*where, "handler"),
                _("there is no position %(code)s in the agency") % {"code": raw.get("handler")},
            )
        keywords = raw.get("keywords") or []
        categories.append(
            {
                "code": code,
                "name": name,
                "name_en": name_en,
                "description": _text(raw.get("description"))[0],
                "group": str(raw.get("group") or ""),
                "keywords": ",".join(str(k) for k in keywords)
                if isinstance(keywords, list)
                else str(keywords),
                "unit": unit,
                "handler_position": handler,
                "order": index,
                "attributes": _attributes(check, (*where, "attributes"), raw.get("attributes")),
            }
        )
    if check.errors:
        raise DefinitionErrors(check.errors)
    return CategoryFile(path, agency, jurisdiction, admin, limits, categories)


@transaction.atomic
def load_file(path: str | Path) -> CategoryFile:
    """Validate a categories file and make the agency's policy and categories match it.

    Categories no longer in the file are deactivated, not deleted: complaints point at them.
    """
    path = Path(path)
    loaded = validate_source(path.read_bytes(), str(path))
    assert loaded.agency is not None and loaded.admin_position is not None
    tiers = loaded.limits["tiers"]
    ComplaintPolicy.objects.update_or_create(
        agency=loaded.agency,
        defaults={
            "jurisdiction_id": loaded.jurisdiction_id,
            "admin_position": loaded.admin_position,
            "verification_days": loaded.limits["verification"],
            "auto_close_days": loaded.limits["auto_close"],
            "light_days": tiers[Tier.LIGHT],
            "normative_days": tiers[Tier.NORMATIVE],
            "non_supervisory_days": tiers[Tier.NON_SUPERVISORY],
            "supervisory_days": tiers[Tier.SUPERVISORY],
            "source_path": str(path)[:400],
        },
    )
    codes = []
    for item in loaded.categories:
        codes.append(item["code"])
        Category.objects.update_or_create(
            agency=loaded.agency,
            code=item["code"],
            defaults={**{k: v for k, v in item.items() if k != "code"}, "is_active": True},
        )
    Category.objects.filter(agency=loaded.agency).exclude(code__in=codes).update(is_active=False)
    return loaded


def load_dir(path: str | Path | None = None) -> list[CategoryFile]:
    root = Path(path) if path is not None else categories_dir()
    if not root.exists():
        return []
    return [load_file(p) for p in sorted(root.glob("*.yaml"))]
