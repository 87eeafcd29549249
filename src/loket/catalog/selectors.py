"""Read-only queries of the service catalogue."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db import connections, router
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery

from loket.catalog.models import ArchiveClass, Service, ServiceVersion
from loket.core import prepared
from loket.org import titles
from loket.org.models import Agency, Position, Unit


def service_by_code(code: str) -> Service | None:
    return Service.objects.select_related("agency", "unit").filter(code=code).first()


def current_version(service: Service) -> ServiceVersion | None:
    """The newest published version: what new applications are submitted under."""
    return service.versions.order_by("-number").first()


def published_services() -> QuerySet[Service]:
    """Active services with at least one version, annotated with `current_number`."""
    return (
        Service.objects.filter(is_active=True)
        .annotate(current_number=Max("versions__number"))
        .filter(current_number__isnull=False)
        .select_related("agency", "unit")
        .order_by("name")
    )


def current_versions(services: list[Service]) -> dict[int, ServiceVersion]:
    """The current version of each service (by service id), in one query."""
    newest = (
        ServiceVersion.objects.filter(service=OuterRef("service"))
        .order_by("-number")
        .values("number")[:1]
    )
    versions = ServiceVersion.objects.filter(service__in=services, number=Subquery(newest))
    return {v.service_id: v for v in versions.defer("source")}


def published_catalogue() -> list[tuple[Service, ServiceVersion]]:
    """Each published service with its current version, by name: one query when cached.

    Cached per process against the catalogue revision (loket.catalog.cache): a
    publish or a withdrawal is seen by the first read after it commits.
    """
    from loket.catalog import cache

    def build() -> list[tuple[Service, ServiceVersion]]:
        services = list(published_services())
        versions = current_versions(services)
        return [(service, versions[service.pk]) for service in services]

    return cache.cached("published_catalogue", build)


def position_titles(agency: Agency | int, codes: set[str]) -> dict[str, dict[str, str]]:
    """{code: {id, en}} of an agency's positions, for showing who acts at each step
    (kept per process for a few minutes: `loket.org.titles`)."""
    agency_id = agency if isinstance(agency, int) else int(agency.pk)
    return {
        code: {"id": t.title, "en": t.title_en or t.title}
        for code, t in titles.by_code(agency_id, codes).items()
    }


def organisation_of(agency_code: Any) -> tuple[set[str] | None, set[str] | None, set[str]]:
    """(unit codes, position codes, all agency codes) to check a definition against.

    Units and positions are None when the agency does not exist.
    """
    agencies = set(Agency.objects.values_list("code", flat=True))
    if not isinstance(agency_code, str) or agency_code not in agencies:
        return None, None, agencies
    units = set(Unit.objects.filter(agency__code=agency_code).values_list("code", flat=True))
    positions = set(
        Position.objects.filter(agency__code=agency_code).values_list("code", flat=True)
    )
    return units, positions, agencies


def archive_codes_of(agency_code: Any, *, on: dt.date) -> set[str] | None:
    """The agency's archive classification codes in force on `on`.

    None when the agency has loaded no classification yet: then only the form of
    a code can be checked.
    """
    classes = ArchiveClass.objects.filter(agency__code=agency_code)
    if not isinstance(agency_code, str) or not classes.exists():
        return None
    in_force = classes.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=on),
        Q(valid_to__isnull=True) | Q(valid_to__gte=on),
    )
    return set(in_force.values_list("code", flat=True))


def submission_target(code: str) -> tuple[Service, int, str] | None:
    """The service with that code (its agency and unit along) and the (id, content hash)
    of its current version, read together in one statement every time, so a newer or
    withdrawn version shows at once. None when there is no such service or it has no
    published version.

    The statement is built once per process (`loket.core.prepared`): compiling the
    ORM query with its two subqueries cost more than a submission's database work."""
    alias = router.db_for_read(Service)
    connection = connections[alias]
    plan = _target_plans.get(alias) or _target_plan(alias)
    with connection.cursor() as cursor:
        cursor.execute(plan[0], [code])
        row = cursor.fetchone()
    if row is None or row[-2] is None:
        return None
    service = cast(Service, prepared.instances(plan[1], alias, row[:-2], connection)[""])
    return service, int(row[-2]), str(row[-1])


_target_plans: dict[str, tuple[str, tuple[prepared.Part, ...]]] = {}


def _target_plan(alias: str) -> tuple[str, tuple[prepared.Part, ...]]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    parts, columns, joins = [], [], []
    services = quote(Service._meta.db_table)
    for path, model in (("", Service), ("agency", Agency), ("unit", Unit)):
        table = model._meta.db_table
        piece, select = prepared.part(connection, model, frozenset(), path=path, alias=table)
        parts.append(piece)
        columns.extend(select)
        if path:
            key = quote(cast(str, cast(Any, model._meta.pk).column))
            local = quote(cast(str, cast(Any, Service._meta.get_field(path)).column))
            joins.append(f"INNER JOIN {quote(table)} ON {services}.{local} = {quote(table)}.{key}")
    meta = ServiceVersion._meta
    versions = quote(meta.db_table)
    of = quote(cast(str, cast(Any, meta.get_field("service")).column))
    number = quote(cast(str, cast(Any, meta.get_field("number")).column))
    service_key = quote(cast(str, cast(Any, Service._meta.pk).column))
    newest = (
        f"FROM {versions} WHERE {versions}.{of} = {services}.{service_key} "
        f"ORDER BY {versions}.{number} DESC LIMIT 1"
    )
    version_key = quote(cast(str, cast(Any, meta.pk).column))
    content_hash = quote(cast(str, cast(Any, meta.get_field("content_hash")).column))
    code = quote(cast(str, cast(Any, Service._meta.get_field("code")).column))
    # Identifiers come from model metadata; the code is a parameter.
    sql = (
        f"SELECT {', '.join(columns)}, "  # noqa: S608
        f"(SELECT {versions}.{version_key} {newest}), "
        f"(SELECT {versions}.{content_hash} {newest}) "
        f"FROM {services} {' '.join(joins)} WHERE {services}.{code} = %s"
    )
    plan = (sql, tuple(parts))
    _target_plans[alias] = plan
    return plan
