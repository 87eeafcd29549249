"""The CKAN action API subset (`/api/3/action/<name>`): CKAN's envelope, errors and codes.

Every action here reads the public catalogue only; write actions answer CKAN's
Authorization Error, so harvesters and `ckanapi` clients meet what CKAN would say.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from loket.opendata import selectors
from loket.opendata.models import Dataset

CKAN_VERSION = "2.10.4"
FACET_FIELDS = ("organization", "tags", "groups", "res_format", "license_id")
FQ_FIELDS = ("organization", "tags", "groups", "res_format", "license_id")
# CKAN sort strings and the database order each one means (no relevance score here).
SORTS = {
    "score desc, metadata_modified desc": ("-modified_at", "slug"),
    "metadata_modified desc": ("-modified_at", "slug"),
    "metadata_modified asc": ("modified_at", "slug"),
    "title_string asc": ("title", "slug"),
    "title_string desc": ("-title", "slug"),
    "name asc": ("slug",),
    "name desc": ("-slug",),
}
WRITE_ACTIONS = {
    "package_create", "package_update", "package_patch", "package_delete",
    "resource_create", "resource_update", "resource_patch", "resource_delete",
    "organization_create", "organization_update", "organization_delete",
    "group_create", "group_update", "group_delete", "user_create", "user_show", "user_list",
}  # fmt: skip


@dataclass
class CkanError(Exception):
    status: int
    type: str
    message: str
    fields: dict[str, list[str]] | None = None


def not_found(what: str = "Not found") -> CkanError:
    return CkanError(404, "Not Found Error", what)


def invalid(field: str, message: str) -> CkanError:
    return CkanError(409, "Validation Error", "Validation error", {field: [message]})


Params = dict[str, Any]
ACTIONS: dict[str, Callable[[Params, str], Any]] = {}


def action(func: Callable[[Params, str], Any]) -> Callable[[Params, str], Any]:
    ACTIONS[func.__name__] = func
    return func


def _int(
    params: Params,
    name: str,
    default: int,
    *,
    low: int = 0,
    high: int = selectors.BEYOND_ANY_CATALOGUE,
) -> int:
    raw = params.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise invalid(name, "Invalid integer") from None
    if value < low:
        raise invalid(name, f"Must be a natural number >= {low}")
    return min(value, high)


def _bool(params: Params, name: str, default: bool) -> bool:
    raw = params.get(name, default)
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off", ""):
        return False
    raise invalid(name, "Value must be one of: true, false")


def _id(params: Params) -> str:
    identifier = params.get("id")
    if not isinstance(identifier, str) or not identifier.strip():
        raise invalid("id", "Missing value")
    return identifier.strip()


def _list_param(params: Params, name: str) -> list[str] | None:
    raw = params.get(name)
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise invalid(name, "Must be a list of strings")
    return raw


@action
def package_list(params: Params, base: str) -> list[str]:
    limit = _int(params, "limit", 1000, high=1000)
    offset = _int(params, "offset", 0)
    names = Dataset.objects.order_by("slug").values_list("slug", flat=True)
    return list(names[offset : offset + limit])


@action
def package_show(params: Params, base: str) -> dict[str, Any]:
    dataset = selectors.dataset_by_id(_id(params))
    if dataset is None:
        raise not_found()
    return selectors.package_dict(dataset, base)


@action
def resource_show(params: Params, base: str) -> dict[str, Any]:
    resource = selectors.resource_by_id(_id(params))
    if resource is None:
        raise not_found("Resource was not found.")
    return selectors.resource_dict(resource, resource.dataset, base)


def _filters(fq: str) -> list[tuple[str, str]]:
    try:
        terms = shlex.split(fq)
    except ValueError:
        raise CkanError(400, "Search Query Error", f"Invalid fq: {fq}") from None
    filters = []
    for term in terms:
        field, sep, value = term.lstrip("+").partition(":")
        if not sep or field not in FQ_FIELDS or not value:
            raise CkanError(
                400,
                "Search Query Error",
                f"Search error: unsupported fq term {term!r}; use {', '.join(FQ_FIELDS)}",
            )
        filters.append((field, value.strip('"')))
    return filters


@action
def package_search(params: Params, base: str) -> dict[str, Any]:
    q = str(params.get("q") or "*:*")
    filters = _filters(str(params.get("fq") or ""))
    order = str(params.get("sort") or "score desc, metadata_modified desc").strip()
    if order not in SORTS:
        raise CkanError(400, "Search Query Error", f"Search error: unsupported sort {order!r}")
    rows = _int(params, "rows", 10, high=1000)
    start = _int(params, "start", 0)
    want_facets = _bool(params, "facet", True)
    facet_fields = _list_param(params, "facet.field") or []
    unknown = [f for f in facet_fields if f not in FACET_FIELDS]
    if unknown:
        raise invalid("facet.field", f"Unsupported facet field: {unknown[0]}")
    facet_limit = _int(params, "facet.limit", 50, low=-1)
    facet_mincount = _int(params, "facet.mincount", 1)
    # Every Loket dataset is public: include_private changes nothing, but must be a boolean.
    _bool(params, "include_private", False)
    words = [] if q in ("*:*", "*") else q.split()
    found = selectors.matching(words=words, filters=filters).order_by(*SORTS[order])
    count, counted = selectors.count_and_facets(found, facet_fields if want_facets else [])
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    for field, counts in counted.items():
        items = [(name, n) for name, n in counts.most_common() if n >= facet_mincount]
        if facet_limit >= 0:
            items = items[:facet_limit]
        facets[field] = dict(items)
        search_facets[field] = {
            "title": field,
            "items": [{"name": n, "display_name": n, "count": c} for n, c in items],
        }
    page = selectors.with_details(found)[start : start + rows]
    return {
        "count": count,
        "results": [selectors.package_dict(d, base) for d in page],
        "facets": facets,
        "search_facets": search_facets,
        "sort": order,
    }


@action
def organization_list(params: Params, base: str) -> list[Any]:
    order = str(params.get("sort") or "name asc").strip()
    orders = {"name asc": ("code", False), "name": ("code", False), "title asc": ("name", False),
              "title": ("name", False), "package_count desc": ("package_count", True),
              "package_count": ("package_count", True)}  # fmt: skip
    if order not in orders:
        raise invalid("sort", "Cannot sort by field; use name, title or package_count")
    limit = _int(params, "limit", 1000, high=1000)
    offset = _int(params, "offset", 0)
    wanted = _list_param(params, "organizations")
    agencies = list(selectors.publishing_agencies())
    if wanted is not None:
        agencies = [a for a in agencies if a.code in wanted]
    key, reverse = orders[order]
    agencies.sort(key=lambda a: getattr(a, key), reverse=reverse)
    agencies = agencies[offset : offset + limit]
    if _bool(params, "all_fields", False):
        return [selectors.organization_dict(a, a.package_count) for a in agencies]  # type: ignore[attr-defined]
    return [a.code for a in agencies]


@action
def organization_show(params: Params, base: str) -> dict[str, Any]:
    identifier = _id(params)
    agency = selectors.publishing_agencies().filter(code=identifier).first()
    if agency is None:
        raise not_found("Organization was not found.")
    result = selectors.organization_dict(agency, agency.package_count)  # type: ignore[attr-defined]
    if _bool(params, "include_datasets", False):
        result["packages"] = [
            selectors.package_dict(d, base) for d in selectors.datasets().filter(agency=agency)
        ]
    return result


@action
def group_list(params: Params, base: str) -> list[Any]:
    themes = sorted(set(Dataset.objects.values_list("theme", flat=True)))
    if _bool(params, "all_fields", False):
        return [selectors.group_dict(theme) for theme in themes]
    return themes


@action
def tag_list(params: Params, base: str) -> list[str]:
    query = str(params.get("query") or "").lower()
    tags = {
        tag for keywords in Dataset.objects.values_list("keywords", flat=True) for tag in keywords
    }
    return sorted(tag for tag in tags if query in tag.lower())


@action
def license_list(params: Params, base: str) -> list[dict[str, Any]]:
    lic = selectors.licence()
    return [
        {"id": lic["id"], "title": lic["title"], "url": lic["url"], "status": "active",
         "od_conformance": "approved", "osd_conformance": "not reviewed",
         "domain_content": True, "domain_data": True, "domain_software": False}
    ]  # fmt: skip


@action
def status_show(params: Params, base: str) -> dict[str, Any]:
    return {
        "ckan_version": CKAN_VERSION,
        "site_title": "Loket",
        "site_description": "Data terbuka layanan publik",
        "site_url": base,
        "locale_default": "id",
        "extensions": [],
        "api_version": 3,
    }


def _params(request: HttpRequest) -> Params:
    if request.method == "POST" and request.body:
        try:
            body = json.loads(request.body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise CkanError(
                400, "", "Bad request - JSON Error: could not decode the body"
            ) from None
        if not isinstance(body, dict):
            raise CkanError(400, "", "Bad request - JSON Error: request data must be a dictionary")
        return body
    return {key: request.GET.get(key) for key in request.GET}


def _envelope(name: str, base: str, **content: Any) -> dict[str, Any]:
    return {"help": f"{base}/api/3/action/help_show?name={name}", **content}


@csrf_exempt
def action_view(request: HttpRequest, name: str) -> JsonResponse:
    """Dispatch one CKAN action: open to everyone because every dataset here is public."""
    base = request.build_absolute_uri("/").rstrip("/")
    try:
        if request.method not in ("GET", "POST"):
            raise CkanError(400, "", "Bad request - only GET and POST are supported")
        if name in WRITE_ACTIONS:
            raise CkanError(
                403, "Authorization Error", "Access denied: this catalogue is read-only"
            )
        func = ACTIONS.get(name)
        if func is None:
            raise CkanError(400, "", f"Bad request - Action name not known: {name}")
        result = func(_params(request), base)
    except CkanError as error:
        detail: dict[str, Any] = {"message": error.message}
        if error.type:
            detail["__type"] = error.type
        if error.fields:
            detail.update(error.fields)
        body = _envelope(name, base, success=False, error=detail)
        return JsonResponse(body, status=error.status, json_dumps_params={"ensure_ascii": False})
    body = _envelope(name, base, success=True, result=result)
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
