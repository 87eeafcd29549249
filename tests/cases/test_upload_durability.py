"""An application's uploads are on disk before the transaction that records them commits:
the applicant is told "received" only for files a power cut cannot take back."""

from __future__ import annotations

import os

import pytest
from django.core.files.storage import default_storage

from loket.cases.models import CaseDocument
from tests.cases.conftest import submit_iu

pytestmark = pytest.mark.django_db


def test_a_submissions_uploads_are_synced_before_it_returns(demo, fsynced):
    case = submit_iu()
    stored = [default_storage.path(d.storage_name) for d in CaseDocument.objects.filter(case=case)]
    assert len(stored) == 2
    # Synced by the engine's own step (its transaction commits when submit returns).
    for path in stored:
        assert path in fsynced
        assert os.path.dirname(path) in fsynced
