"""Read-only queries of the open-data catalogue, and its record in CKAN's shapes."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from loket.opendata.models import Dataset, Resource
from loket.org.models import Agency

# Paging past this (CKAN's start/offset, CSW's startPosition) is past the end of any
# catalogue and is read as this: a bigger OFFSET overflows the database's integers.
BEYOND_ANY_CATALOGUE = 2**31 - 1

THEMES = {
    "pelayanan-publik": "Pelayanan Publik",
    "pengaduan": "Pengaduan Masyarakat",
    "kepuasan-masyarakat": "Kepuasan Masyarakat",
    "transparansi": "Transparansi",
}


def with_details(found: QuerySet[Dataset]) -> QuerySet[Dataset]:
    """The datasets with their agency and resources (without file contents), in two queries."""
    return found.select_related("agency").prefetch_related(
        Prefetch("resources", queryset=Resource.objects.defer("content").order_by("position"))
    )


def datasets() -> QuerySet[Dataset]:
    """Every published dataset with its agency and resources (two queries)."""
    return with_details(Dataset.objects.order_by("slug"))


def matching(*, words: list[str], filters: list[tuple[str, str]]) -> QuerySet[Dataset]:
    """Datasets with every word (title, description, name, tags) and every fq filter."""
    found = Dataset.objects.all()
    for word in words:
        found = found.filter(search_text__contains=word.lower())
    for field, value in filters:
        if field == "organization":
            found = found.filter(agency__code=value)
        elif field == "groups":
            found = found.filter(theme=value)
        elif field == "tags":
            found = found.filter(tag_index__contains=f"|{value}|")
        elif field == "res_format":
            found = found.filter(
                Exists(Resource.objects.filter(dataset=OuterRef("pk"), format=value.upper()))
            )
        elif value != settings.LOKET_OPENDATA_LICENSE_ID:  # license_id: one licence for all
            found = found.none()
    return found


def count_and_facets(
    found: QuerySet[Dataset], fields: list[str]
) -> tuple[int, dict[str, Counter[str]]]:
    """How many datasets were found, and how many of them carry each value of each facet
    field. The match is evaluated once for the count and the facets read from the
    datasets' own columns, and once more only for `res_format` (a catalogue holds
    thousands of datasets, not millions: their few short columns are cheap to read)."""
    if not fields:
        return found.count(), {}
    rows = list(found.order_by().values_list("agency__code", "theme", "tag_index"))
    facets: dict[str, Counter[str]] = {}
    for field in fields:
        if field == "organization":
            facets[field] = Counter(code for code, _theme, _tags in rows)
        elif field == "groups":
            facets[field] = Counter(theme for _code, theme, _tags in rows)
        elif field == "tags":
            facets[field] = Counter(
                tag for _code, _theme, index in rows for tag in index.split("|") if tag
            )
        elif field == "res_format":
            per_format = (
                Resource.objects.filter(dataset__in=found.order_by().values("pk"))
                .order_by()
                .values_list("format")
                .annotate(n=Count("dataset", distinct=True))
            )
            facets[field] = Counter(dict(per_format))
        else:  # license_id: one licence for every dataset
            facets[field] = Counter({settings.LOKET_OPENDATA_LICENSE_ID: len(rows)})
    return len(rows), facets


def dataset_by_id(identifier: str) -> Dataset | None:
    """A dataset by its name (slug) or its id (UUID), as CKAN's package_show accepts."""
    found = datasets().filter(slug=identifier).first()
    if found is None and _is_uuid(identifier):
        found = datasets().filter(uuid=identifier).first()
    return found


def resource_by_id(identifier: str) -> Resource | None:
    if not _is_uuid(identifier):
        return None
    return (
        Resource.objects.select_related("dataset").defer("content").filter(uuid=identifier).first()
    )


def resource_file(slug: str, fmt: str) -> Resource | None:
    return (
        Resource.objects.select_related("dataset")
        .filter(dataset__slug=slug, format=fmt.upper())
        .first()
    )


def publishing_agencies() -> QuerySet[Agency]:
    return (
        Agency.objects.annotate(package_count=Count("datasets"))
        .filter(package_count__gt=0)
        .order_by("code")
    )


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def licence() -> dict[str, str]:
    return {
        "id": settings.LOKET_OPENDATA_LICENSE_ID,
        "title": settings.LOKET_OPENDATA_LICENSE_TITLE,
        "url": settings.LOKET_OPENDATA_LICENSE_URL,
    }


def site_url() -> str:
    return str(settings.LOKET_OPENDATA_SITE_URL).rstrip("/")


def ckan_time(moment: dt.datetime) -> str:
    """CKAN's naive UTC timestamps (`2026-03-31T09:00:00.123456`)."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def download_url(resource: Resource, base: str) -> str:
    return f"{base}/data/{resource.dataset.slug}.{resource.format.lower()}"


def organization_dict(agency: Agency, package_count: int | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": agency.code,
        "name": agency.code,
        "title": agency.name,
        "display_name": agency.name,
        "description": "",
        "image_url": "",
        "created": ckan_time(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def group_dict(theme: str) -> dict[str, Any]:
    title = THEMES.get(theme, theme)
    return {
        "id": theme,
        "name": theme,
        "title": title,
        "display_name": title,
        "description": "",
        "image_url": "",
        "type": "group",
        "is_organization": False,
        "state": "active",
    }


def resource_dict(resource: Resource, dataset: Dataset, base: str) -> dict[str, Any]:
    return {
        "id": str(resource.uuid),
        "package_id": str(dataset.uuid),
        "url": download_url(resource, base),
        "name": f"{dataset.title} ({resource.format})",
        "description": dataset.description,
        "format": resource.format,
        "mimetype": resource.media_type,
        "size": resource.size,
        "hash": f"sha256:{resource.sha256}",
        "created": ckan_time(resource.created_at),
        "last_modified": ckan_time(resource.modified_at),
        "metadata_modified": ckan_time(resource.modified_at),
        "url_type": None,
        "resource_type": None,
        "position": resource.position,
        "state": "active",
        "datastore_active": False,
    }


def package_dict(dataset: Dataset, base: str) -> dict[str, Any]:
    """One dataset as CKAN's package_show returns it."""
    lic = licence()
    resources = [resource_dict(r, dataset, base) for r in dataset.resources.all()]
    tags = [
        {"id": tag, "name": tag, "display_name": tag, "state": "active", "vocabulary_id": None}
        for tag in dataset.keywords
    ]
    extras = [
        {"key": "periodicity", "value": dataset.periodicity},
        *({"key": key, "value": str(value)} for key, value in dataset.indicator.items()),
    ]
    if dataset.temporal_start and dataset.temporal_end:
        temporal = f"{dataset.temporal_start.isoformat()}/{dataset.temporal_end.isoformat()}"
        extras.append({"key": "temporal", "value": temporal})
    return {
        "id": str(dataset.uuid),
        "name": dataset.slug,
        "title": dataset.title,
        "notes": dataset.description,
        "url": f"{base}/data/{dataset.slug}/",
        "version": None,
        "state": "active",
        "private": False,
        "type": "dataset",
        "owner_org": dataset.agency.code,
        "organization": organization_dict(dataset.agency),
        "license_id": lic["id"],
        "license_title": lic["title"],
        "license_url": lic["url"],
        "isopen": True,
        "author": dataset.agency.name,
        "author_email": None,
        # The agency's public desk, never an officer: personal contacts stay out of open data.
        "maintainer": dataset.agency.name,
        "maintainer_email": dataset.agency.email or None,
        "metadata_created": ckan_time(dataset.created_at),
        "metadata_modified": ckan_time(dataset.modified_at),
        "tags": tags,
        "groups": [group_dict(dataset.theme)],
        "extras": extras,
        "resources": resources,
        "num_resources": len(resources),
        "num_tags": len(tags),
    }


def search(*, query: str = "", organisation: str = "", theme: str = "") -> list[Dataset]:
    """Datasets for the portal's open-data page: every word of the query (as CKAN's `q`),
    and the organisation and theme chosen."""
    filters = [("organization", organisation)] if organisation else []
    filters += [("groups", theme)] if theme else []
    return list(with_details(matching(words=query.split(), filters=filters).order_by("slug")))


def preview(dataset: Dataset, *, limit: int = 20) -> tuple[list[str], list[list[str]], int]:
    """The first rows of the dataset's CSV: header, rows, and how many rows there are."""
    import csv
    import io

    resource = Resource.objects.filter(dataset=dataset, format="CSV").first()
    if resource is None:
        return [], [], 0
    rows = list(csv.reader(io.StringIO(bytes(resource.content).decode("utf-8"))))
    if not rows:
        return [], [], 0
    return rows[0], rows[1 : limit + 1], len(rows) - 1
