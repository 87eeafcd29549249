"""The demo agency's complaints: every state, some overdue, anonymous and confidential."""

from __future__ import annotations

from typing import Any

import pytest

from loket.complaints.demo import load_complaint_demo
from loket.complaints.models import Complaint, Status

pytestmark = pytest.mark.django_db


def test_demo_history_covers_every_state_once(demo: Any) -> None:
    added = load_complaint_demo(demo.agency)
    assert added > 0
    states = set(Complaint.objects.values_list("status", flat=True))
    assert states == set(Status.values)
    assert Complaint.objects.filter(is_anonymous=True).exists()
    assert Complaint.objects.filter(is_confidential=True).exists()
    assert any(c.is_overdue for c in Complaint.objects.all())
    assert Complaint.objects.filter(escalated_at__isnull=False).exists()
    assert load_complaint_demo(demo.agency) == 0
