"""Uploads are checked and decoded before the submission takes the numbering lock."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connections, transaction
from django.utils import timezone

from loket.cases import numbers, services
from loket.cases.intake import Applicant
from loket.catalog.definitions import ServiceDefinition
from loket.catalog.selectors import current_version, service_by_code
from loket.core.errors import ValidationError
from tests.cases.conftest import NIK, iu_data, iu_documents

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def _hold_numbering_lock(prefix: str, year: int, locked: threading.Event, done: threading.Event):
    try:
        with transaction.atomic():
            numbers.next_sequence(prefix, year)  # row lock (PostgreSQL) / write lock (SQLite)
            locked.set()
            done.wait(timeout=60)
    finally:
        connections.close_all()


def test_a_refused_upload_is_refused_while_another_submission_holds_the_lock(demo, settings):
    settings.LOKET_MAX_IMAGE_PIXELS = 100  # the sample location photo is 40 x 30 pixels
    service = service_by_code("izin-usaha-mikro")
    assert service is not None
    version = current_version(service)
    assert version is not None
    prefix = ServiceDefinition(version.definition).tracking_prefix(service.code)
    year = timezone.localtime().year
    locked, done = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_numbering_lock, args=(prefix, year, locked, done))
    holder.start()
    assert locked.wait(timeout=30)
    outcome: list[Any] = []

    def submit() -> None:
        try:
            outcome.append(
                services.submit(
                    service_code=service.code,
                    applicant=Applicant(name="Sri Wahyuni", nik=NIK, email="sri@example.id"),
                    data=iu_data(),
                    documents=iu_documents(),
                )
            )
        except Exception as exc:
            outcome.append(exc)
        finally:
            connections.close_all()

    submitter = threading.Thread(target=submit)
    submitter.start()
    submitter.join(timeout=10)
    finished_under_lock = not submitter.is_alive()
    done.set()
    holder.join(timeout=30)
    submitter.join(timeout=60)

    assert finished_under_lock, "the submission waited for the numbering lock"
    [error] = outcome
    assert isinstance(error, ValidationError), error
    assert error.field == "documents.foto_lokasi"
