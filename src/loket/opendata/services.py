"""Publishing open datasets: regenerate every dataset of every agency from live data."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from loket.opendata.builders import REGISTRY, Builder, Table
from loket.opendata.models import Dataset, Resource
from loket.org.models import Agency

# The ledger is one per installation: its checkpoints are published once, by the first agency.
INSTALLATION_WIDE = {"checkpoint-buku-besar"}


@dataclass(frozen=True)
class Published:
    slug: str
    rows: int


def planned() -> list[tuple[Agency, type[Builder]]]:
    """Every (agency, dataset kind) to publish, in a stable order."""
    agencies = list(Agency.objects.order_by("pk"))
    return [
        (agency, builder)
        for position, agency in enumerate(agencies)
        for builder in REGISTRY.values()
        if position == 0 or builder.kind not in INSTALLATION_WIDE
    ]


def publish_all(*, on_progress: Callable[[Published], None] | None = None) -> list[Published]:
    """Regenerate every dataset; each in its own transaction so readers never see half of one."""
    done = []
    for agency, builder in planned():
        published = publish(agency=agency, builder=builder(agency=agency))
        done.append(published)
        if on_progress:
            on_progress(published)
    return done


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows(["" if cell is None else cell for cell in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8")


def to_json(table: Table, dataset: Dataset) -> bytes:
    document = {
        "dataset": dataset.slug,
        "title": dataset.title,
        "indicator": dataset.indicator,
        "temporal": _temporal(dataset),
        "generated_at": dataset.modified_at.isoformat(),
        "columns": table.columns,
        "data": [dict(zip(table.columns, row, strict=True)) for row in table.rows],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _temporal(dataset: Dataset) -> str | None:
    if dataset.temporal_start and dataset.temporal_end:
        return f"{dataset.temporal_start.isoformat()}/{dataset.temporal_end.isoformat()}"
    return None


@transaction.atomic
def publish(*, agency: Agency, builder: Builder) -> Published:
    """Compute one dataset and replace its CSV and JSON resources."""
    table = builder.table()
    now = timezone.now()
    name = agency.short_name or agency.name
    dataset, _created = Dataset.objects.update_or_create(
        agency=agency,
        kind=builder.kind,
        defaults={
            "slug": f"{agency.code}-{builder.kind}"[:100],
            "title": f"{builder.title} - {name}",
            "description": builder.description,
            "keywords": builder.keywords,
            "theme": builder.theme,
            "periodicity": builder.periodicity,
            "indicator": builder.indicator,
            "temporal_start": table.temporal_start,
            "temporal_end": table.temporal_end,
            "modified_at": now,
        },
    )
    files = [
        ("CSV", "text/csv", to_csv(table)),
        ("JSON", "application/json", to_json(table, dataset)),
    ]
    for position, (fmt, media_type, content) in enumerate(files):
        Resource.objects.update_or_create(
            dataset=dataset,
            format=fmt,
            defaults={
                "media_type": media_type,
                "content": content,
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
                "position": position,
                "modified_at": now,
            },
        )
    return Published(slug=dataset.slug, rows=len(table.rows))
