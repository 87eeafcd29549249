"""Checks across fields stated in a definition (the NIK's birth date agrees with the date
of birth field) and date fields with min/max (no birth date in the future)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from loket.catalog.loader import validate
from tests.cases.conftest import NIK, post_application
from tests.cases.test_end_to_end import SERVICES
from tests.catalog.conftest import demo_text

pytestmark = pytest.mark.django_db(transaction=True)


def _apply_domisili(client, **overrides):
    scenario = SERVICES["surat-keterangan-domisili"]
    return post_application(
        client,
        service="surat-keterangan-domisili",
        data={**scenario["data"], **overrides},
        documents=scenario["documents"](),
    )


def test_birth_date_that_agrees_with_the_nik_is_accepted(demo, client):
    # NIK 3273055504900003: a woman born 15-04-1990 (55 = 15 + 40).
    assert _apply_domisili(client, nik=NIK, tanggal_lahir="1990-04-15").status_code == 201


def test_birth_date_that_disagrees_with_the_nik_is_refused_on_the_date_field(demo, client):
    response = _apply_domisili(client, nik=NIK, tanggal_lahir="1990-04-16")
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "data.tanggal_lahir"
    assert "15-04-1990" in body["detail"]


def test_a_birth_date_in_the_future_is_refused(demo, client):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = _apply_domisili(client, tanggal_lahir=tomorrow.isoformat())
    assert response.status_code == 422
    assert response.json()["field"] == "data.tanggal_lahir"


def test_a_birth_date_before_the_minimum_is_refused(demo, client):
    response = _apply_domisili(client, tanggal_lahir="1899-12-31")
    assert response.status_code == 422
    assert response.json()["field"] == "data.tanggal_lahir"


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("date: tanggal_lahir}", "date: alamat}", "cross_checks[0].date"),
        ("nik: nik, date", "nik: nomor, date", "cross_checks[0].nik"),
        ("kind: nik_birth_date", "kind: same_person", "cross_checks[0].kind"),
        ("max: today", "max: besok", "data[2].max"),
    ],
)
def test_a_wrong_cross_check_or_date_bound_is_a_definition_error(old, new, where):
    text = demo_text("surat-keterangan-domisili")
    assert old in text
    found = [e.problem for e in validate(text.replace(old, new), "x.yaml")]
    assert any(where in p for p in found), found
