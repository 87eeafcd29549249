"""Open311 GET requests from pre-rendered rows (ADR 0023): byte for byte what rendering
each complaint's fields would give, kept current by every save, uncached, two queries."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone, translation

from loket.complaints import open311, services
from loket.complaints.models import CLOSED_STATUSES, Complaint, Status
from tests.bench.test_query_counts import queries_of
from tests.complaints.conftest import file, officer

pytestmark = pytest.mark.django_db

J = {"jurisdiction_id": "kotacontoh.go.id"}


def _expected_fields(c: Complaint) -> dict[str, Any]:
    """The GeoReport v2 fields of a complaint, computed the plain way from the model."""
    closed = c.status in CLOSED_STATUSES
    zone = timezone.get_current_timezone()

    def w3c(moment: dt.datetime | None) -> str | None:
        return None if moment is None else moment.astimezone(zone).isoformat("T", "seconds")

    return {
        "service_request_id": c.tracking_number,
        "status": "closed" if closed else "open",
        "status_notes": c.status_notes or str(Status(c.status).label),
        "service_name": c.category.name,
        "service_code": c.category.code,
        "description": c.description,
        "agency_responsible": c.unit.name,
        "service_notice": "",
        "requested_datetime": w3c(c.received_at),
        "updated_datetime": w3c(c.closed_at if closed else c.updated_at),
        "expected_datetime": w3c(c.due_at or c.verify_due_at),
        "address": c.address,
        "address_id": "",
        "zipcode": "",
        "lat": float(c.latitude) if c.latitude is not None else None,
        "long": float(c.longitude) if c.longitude is not None else None,
        "media_url": "",
    }


def _public() -> list[Complaint]:
    return list(
        Complaint.objects.filter(is_confidential=False)
        .select_related("category", "unit")
        .order_by("-received_at", "-pk")
    )


def _xml_requests(content: bytes) -> list[dict[str, str]]:
    root = ET.fromstring(content)
    assert root.tag == "service_requests"
    return [{child.tag: child.text or "" for child in request} for request in root]


def _as_xml_text(fields: dict[str, Any]) -> dict[str, str]:
    return {k: open311._xml_value(v) for k, v in fields.items()}


@pytest.fixture
def mixed(demo: Any) -> None:
    """Open, answered, rejected; with and without a point; text that XML must escape."""
    file(description='Antrean > 3 jam & "lama" < 5 orang — di loket.')
    file(latitude=None, longitude=None, address="Jl. Merdeka 1 & 2")
    rejected = file(description="Bukan kewenangan dinas ini.").complaint
    services.reject(
        complaint_id=rejected.pk, officer=officer("andi"), reason="Bukan kami & < 2 hari."
    )
    file(is_confidential=True, description="Rahasia: tidak pernah tampil.")


def test_json_rows_are_the_fields_of_each_public_complaint(mixed: None) -> None:
    body = Client().get("/open311/v2/requests.json", J)
    assert body.status_code == 200
    assert body["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(body.content) == [_expected_fields(c) for c in _public()]
    assert len(json.loads(body.content)) == 3  # the confidential one is not listed


def test_xml_rows_are_the_fields_of_each_public_complaint(mixed: None) -> None:
    body = Client().get("/open311/v2/requests.xml", J)
    assert body.status_code == 200
    assert body.content.startswith(b'<?xml version="1.0" encoding="utf-8"?><service_requests>')
    assert _xml_requests(body.content) == [_as_xml_text(_expected_fields(c)) for c in _public()]


def test_one_request_by_id_in_both_formats(mixed: None) -> None:
    complaint = _public()[0]
    client = Client()
    as_json = client.get(f"/open311/v2/requests/{complaint.tracking_number}.json", J)
    as_xml = client.get(f"/open311/v2/requests/{complaint.tracking_number}.xml", J)
    assert json.loads(as_json.content) == [_expected_fields(complaint)]
    assert _xml_requests(as_xml.content) == [_as_xml_text(_expected_fields(complaint))]


def test_an_empty_answer_is_an_empty_list_in_both_formats(demo: Any) -> None:
    client = Client()
    assert client.get("/open311/v2/requests.json", J).content == b"[]"
    xml = client.get("/open311/v2/requests.xml", J).content
    assert xml == b'<?xml version="1.0" encoding="utf-8"?><service_requests />'


def test_status_labels_follow_the_readers_language(mixed: None) -> None:
    client = Client()
    english = client.get("/open311/v2/requests.json", J, headers={"Accept-Language": "en"})
    with translation.override("en"):
        assert json.loads(english.content) == [_expected_fields(c) for c in _public()]


def test_every_save_renders_the_row_again(mixed: None) -> None:
    complaint = Complaint.objects.filter(status=Status.RECEIVED, is_confidential=False).first()
    assert complaint is not None
    complaint.address = "Jl. Baru & < 5"
    complaint.save(update_fields=["address"])
    row = Client().get(f"/open311/v2/requests/{complaint.tracking_number}.json", J).json()[0]
    assert row["address"] == "Jl. Baru & < 5"


def test_rows_saved_before_the_fragments_existed_are_rendered_on_read(mixed: None) -> None:
    expected = [_expected_fields(c) for c in _public()]
    Complaint.objects.update(public_json="", public_xml="")
    client = Client()
    assert client.get("/open311/v2/requests.json", J).json() == expected
    xml = client.get("/open311/v2/requests.xml", J).content
    assert _xml_requests(xml) == [_as_xml_text(f) for f in expected]


def test_the_fragments_hold_no_contact_data(demo: Any) -> None:
    file(name="Budi Santoso", email="budi@example.id", phone="081299988877")
    kept = Complaint.objects.values_list("public_json", "public_xml").get()
    for personal in ("Budi", "budi@example.id", "081299988877"):
        assert personal not in kept[0] and personal not in kept[1]


def test_open311_get_is_two_queries_and_uncached(mixed: None) -> None:
    """The jurisdiction and the page: no response cache, so a change shows at once."""
    client = Client()
    client.get("/open311/v2/requests.json", J)
    assert queries_of(lambda: client.get("/open311/v2/requests.json", J)) == 2
    assert queries_of(lambda: client.get("/open311/v2/requests.xml", J)) == 2
    filtered = {**J, "service_code": "pelayanan-perizinan", "status": "open"}
    assert queries_of(lambda: client.get("/open311/v2/requests.json", filtered)) == 2


# -- the agency's time zone ---------------------------------------------------------------


def _yesterday_at_2_utc() -> tuple[dt.datetime, str]:
    """A moment inside Open311's default 90-day window, and its date as the agency reads it."""
    moment = (timezone.now() - dt.timedelta(days=1)).astimezone(dt.UTC)
    moment = moment.replace(hour=2, minute=0, second=0, microsecond=0)
    return moment, moment.date().isoformat()


def _jayapura(demo: Any) -> Any:
    from loket.org.models import Agency

    agency = Agency.objects.get(code="kota-contoh")
    agency.time_zone = "Asia/Jayapura"  # WIT, +09:00
    agency.save(update_fields=["time_zone"])
    return agency


def test_open311_times_are_in_the_agencys_zone(demo: Any) -> None:
    _jayapura(demo)
    moment, day = _yesterday_at_2_utc()  # 09:00 WIB, 11:00 WIT
    filed = file(now=moment).complaint
    client = Client()
    for path in ("/open311/v2/requests.json", f"/open311/v2/requests/{filed.tracking_number}.json"):
        (row,) = client.get(path, J).json()
        assert row["requested_datetime"] == f"{day}T11:00:00+09:00"
        expected = dt.datetime.fromisoformat(row["expected_datetime"])
        assert expected.utcoffset() == dt.timedelta(hours=9)
        assert expected == Complaint.objects.get(pk=filed.pk).verify_due_at
    xml = ET.fromstring(client.get("/open311/v2/requests.xml", J).content)
    assert xml.findtext("request/requested_datetime") == f"{day}T11:00:00+09:00"


def test_a_transition_renders_the_row_in_the_agencys_zone(demo: Any) -> None:
    moment, day = _yesterday_at_2_utc()
    filed = file(now=moment).complaint
    _jayapura(demo)
    # The transition's save renders the whole row again, in the zone the agency has now.
    services.reject(complaint_id=filed.pk, officer=officer("andi"), reason="Bukan kewenangan kami.")
    (row,) = Client().get("/open311/v2/requests.json", J).json()
    assert row["requested_datetime"] == f"{day}T11:00:00+09:00"
    assert row["updated_datetime"].endswith("+09:00")


def test_rows_are_rendered_again_after_the_zone_changes(demo: Any) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from loket.org.models import Agency

    moment, day = _yesterday_at_2_utc()
    file(now=moment)
    # A change that skips the complaints (a queryset update, as the admin's would not).
    Agency.objects.filter(code="kota-contoh").update(time_zone="Asia/Jayapura")
    assert Client().get("/open311/v2/requests.json", J).json()[0]["requested_datetime"] == (
        f"{day}T09:00:00+07:00"
    )
    out = StringIO()
    call_command("complaint-rows", "refresh", "--agency", "kota-contoh", stdout=out)
    assert "kota-contoh: 1 row(s) rendered in Asia/Jayapura" in out.getvalue()
    assert Client().get("/open311/v2/requests.json", J).json()[0]["requested_datetime"] == (
        f"{day}T11:00:00+09:00"
    )
    with pytest.raises(CommandError, match="no agency"):
        call_command("complaint-rows", "refresh", "--agency", "nowhere", stdout=StringIO())


def test_an_unknown_zone_name_falls_back_to_wib(demo: Any) -> None:
    from loket.org.models import Agency

    Agency.objects.filter(code="kota-contoh").update(time_zone="Mars/Olympus")
    moment, day = _yesterday_at_2_utc()
    file(now=moment)
    (row,) = Client().get("/open311/v2/requests.json", J).json()
    assert row["requested_datetime"] == f"{day}T09:00:00+07:00"


def test_changing_the_zone_in_the_admin_renders_the_rows_again_in_the_worker(
    demo: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from loket.complaints.tasks import refresh_agency_rows
    from loket.org.models import Agency

    moment, day = _yesterday_at_2_utc()
    file(now=moment)
    queued = DBTaskResult.objects.filter(task_path__endswith="refresh_agency_rows")
    agency = Agency.objects.get(code="kota-contoh")
    with django_capture_on_commit_callbacks(execute=True):
        agency.name = agency.name + " "  # a save that keeps the zone asks for nothing
        agency.save()
    assert not queued.exists()
    with django_capture_on_commit_callbacks(execute=True):
        agency.time_zone = "Asia/Jayapura"
        agency.save(update_fields=["time_zone"])
    (request,) = queued
    assert request.args_kwargs["args"] == [agency.pk]
    # Until the worker runs, the rows keep the old zone; then the new one.
    assert Client().get("/open311/v2/requests.json", J).json()[0]["requested_datetime"] == (
        f"{day}T09:00:00+07:00"
    )
    assert refresh_agency_rows.call(agency.pk) == 1
    assert Client().get("/open311/v2/requests.json", J).json()[0]["requested_datetime"] == (
        f"{day}T11:00:00+09:00"
    )
