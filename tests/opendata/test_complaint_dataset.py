"""The complaint-handling dataset uses the performance pages' K11 definition."""

from __future__ import annotations

from typing import Any

import pytest

from loket.complaints import services as complaints
from loket.complaints.models import Tier
from loket.opendata import services
from tests.complaints.conftest import at, file, officer
from tests.opendata.test_datasets import rows_of

pytestmark = pytest.mark.django_db


def test_rejected_complaints_are_not_to_be_resolved(demo: Any, settings: Any) -> None:
    settings.LOKET_OPENDATA_MIN_CELL = 1
    answered, rejected = file(now=at(2)).complaint, file(now=at(2, 10)).complaint
    complaints.verify(
        complaint_id=answered.pk, officer=officer("andi"), tier=Tier.NORMATIVE, now=at(2, 11)
    )
    complaints.answer(
        complaint_id=answered.pk, officer=officer("dewi"), text="Izin sudah terbit hari ini.",
        now=at(4),
    )  # fmt: skip
    complaints.reject(
        complaint_id=rejected.pk, officer=officer("andi"), reason="Bukan kewenangan kami.",
        now=at(3),
    )  # fmt: skip
    services.publish_all()
    (row,) = rows_of("penanganan-pengaduan")
    assert (row["diterima"], row["perlu_diselesaikan"], row["dijawab_tepat_waktu"]) == (
        "2", "1", "1",
    )  # fmt: skip
    # One of one to be resolved, not one of two received.
    assert float(row["persen_tepat_waktu"]) == 100.0
