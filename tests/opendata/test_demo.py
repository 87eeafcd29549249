"""The demo publishes every open dataset from its history on first start."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.management import call_command

from loket.opendata.builders import REGISTRY
from loket.opendata.models import Dataset, Resource

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_setup_publishes_every_dataset_from_its_history(settings: Any) -> None:
    call_command("demo", "--setup-only", "--bind", "127.0.0.1:8221", stdout=io.StringIO())
    assert set(Dataset.objects.values_list("kind", flat=True)) == set(REGISTRY)
    ikm = Resource.objects.get(dataset__kind="indeks-kepuasan-masyarakat", format="CSV")
    rows = list(csv.DictReader(io.StringIO(bytes(ikm.content).decode())))
    assert rows, "the demo's published IKM results are in the open data"
    assert all(row["ikm"] for row in rows if row["responden"] != "<5")
    complaints = Resource.objects.get(dataset__kind="penanganan-pengaduan", format="CSV")
    assert len(bytes(complaints.content).decode().splitlines()) > 1
