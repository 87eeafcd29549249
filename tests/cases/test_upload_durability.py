"""An application's uploads are on disk before the transaction that records them commits
(the applicant is told "received" only for files a power cut cannot take back), and they
are synced before that transaction takes the tracking number's lock, which every other
applicant of the service waits on."""

from __future__ import annotations

import os

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from loket.cases import numbers
from loket.cases.models import Case, CaseDocument
from tests.cases.conftest import stored_files, submit_iu

pytestmark = pytest.mark.django_db


def test_a_submissions_uploads_are_synced_before_the_number_is_locked(demo, fsynced):
    synced_at_lock: list[int] = []  # how many syncs had run when the number was locked

    def watch(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if "trackingsequence" in sql and not synced_at_lock:
            synced_at_lock.append(len(fsynced))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        case = submit_iu()
    stored = [default_storage.path(d.storage_name) for d in CaseDocument.objects.filter(case=case)]
    assert len(stored) == 2
    for path in stored:
        assert path in fsynced
        assert os.path.dirname(path) in fsynced
    assert {*stored, *map(os.path.dirname, stored)} <= set(fsynced[: synced_at_lock[0]])


def test_a_submission_that_fails_in_its_transaction_leaves_no_file(demo, monkeypatch):
    before = stored_files()

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the database went away")

    monkeypatch.setattr(numbers, "next_sequence", broken)
    with pytest.raises(RuntimeError):
        submit_iu()
    assert not Case.objects.exists()
    assert stored_files() == before
