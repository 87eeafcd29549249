"""Open311 GeoReport v2, spoken to by a real client library (georeport) over HTTP.

georeport covers the GET side in both formats; it has no POST (the older `three`
client does, but it is Python 2 only), so requests are created with `requests`, the
HTTP library georeport itself uses.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
import xmltodict
from georeport import GeoReport

from loket.complaints import services
from loket.complaints.models import Tier
from tests.complaints.conftest import file, officer

JURISDICTION = "kotacontoh.go.id"


@pytest.fixture
def world(transactional_db: Any, live_server: Any) -> dict[str, Any]:
    from loket.accounts.machine_accounts import create
    from loket.complaints.categories import load_dir
    from loket.demo.agency import load_demo

    summary = load_demo()
    load_dir()
    key, _account = create(
        name="fixmystreet", scopes=["open311"], created_by="test", agency_code=summary.agency.code
    )
    return {"base": live_server.url + "/open311/v2", "key": key}


def _post(world: dict[str, Any], fmt: str = "json", **fields: Any) -> requests.Response:
    body = {
        "jurisdiction_id": JURISDICTION,
        "api_key": world["key"],
        "service_code": "reklame-liar",
        "lat": "-6.917464",
        "long": "107.619125",
        "description": "Baliho miring hampir roboh di depan sekolah.",
        "attribute[kondisi][]": ["rusak", "menutup_rambu"],
        "first_name": "Sri",
        "email": "sri@example.id",
        **fields,
    }
    return requests.post(f"{world['base']}/requests.{fmt}", data=body, timeout=10)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_client_lists_services_and_reads_a_definition(world: dict[str, Any], fmt: str) -> None:
    client = GeoReport(world["base"], jurisdiction=JURISDICTION, output_format=fmt)
    services_list = client.get_service_list()
    codes = [s["service_code"] for s in services_list]
    assert codes == ["pelayanan-perizinan", "reklame-liar", "pajak-daerah", "pelayanan-kelurahan"]
    reklame = services_list[1]
    assert reklame["type"] == "realtime"
    assert str(reklame["metadata"]).lower() == "true"
    definition = client.get_service_definition("reklame-liar")
    attributes = definition["attributes"]
    attribute = attributes["attribute"] if fmt == "xml" else attributes[0]
    assert attribute["code"] == "kondisi"
    assert attribute["datatype"] == "multivaluelist"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_posted_request_can_be_read_back_without_personal_data(
    world: dict[str, Any], fmt: str
) -> None:
    response = _post(world, fmt)
    assert response.status_code == 201, response.text
    if fmt == "xml":
        assert response.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
        assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
        created = xmltodict.parse(response.content)["service_requests"]["request"]
    else:
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        created = response.json()[0]
    request_id = created["service_request_id"]
    assert request_id.startswith("ADU-")
    client = GeoReport(world["base"], jurisdiction=JURISDICTION, output_format=fmt)
    one = client.get_service_request(request_id)
    assert one["status"] == "open"
    assert one["service_code"] == "reklame-liar"
    assert one["requested_datetime"].endswith("+07:00")
    assert float(one["lat"]) == pytest.approx(-6.917464)
    listed = client.get_service_requests(status="open")
    listed = [listed] if isinstance(listed, dict) else listed
    assert [r["service_request_id"] for r in listed] == [request_id]
    text = requests.get(
        f"{world['base']}/requests.{fmt}", params={"jurisdiction_id": JURISDICTION}, timeout=10
    ).text
    assert "Sri" not in text and "sri@example.id" not in text


def test_closed_and_confidential_requests(world: dict[str, Any]) -> None:
    open_one = file(category="pelayanan-perizinan").complaint
    secret = file(category="pelayanan-perizinan", is_confidential=True).complaint
    closed = file(category="pelayanan-perizinan").complaint
    services.reject(
        complaint_id=closed.pk,
        officer=officer("andi"),
        reason="Bukan kewenangan Pemerintah Kota Contoh.",
    )
    services.verify(complaint_id=open_one.pk, officer=officer("andi"), tier=Tier.LIGHT)
    client = GeoReport(world["base"], jurisdiction=JURISDICTION)
    every = {r["service_request_id"]: r for r in client.get_service_requests()}
    assert set(every) == {open_one.tracking_number, closed.tracking_number}
    assert every[closed.tracking_number]["status"] == "closed"
    assert every[closed.tracking_number]["status_notes"].startswith("Bukan kewenangan")
    assert every[open_one.tracking_number]["expected_datetime"]
    only_closed = client.get_service_requests(status="closed")
    assert [r["service_request_id"] for r in only_closed] == [closed.tracking_number]
    response = requests.get(
        f"{world['base']}/requests/{secret.tracking_number}.json",
        params={"jurisdiction_id": JURISDICTION},
        timeout=10,
    )
    assert response.status_code == 404


def test_only_a_usable_open311_key_of_the_agency_may_post(world: dict[str, Any]) -> None:
    from loket.accounts.machine_accounts import create, revoke
    from loket.org.models import Agency

    other = Agency.objects.create(code="kabupaten-lain", name="Kabupaten Lain")
    agency = Agency.objects.exclude(pk=other.pk).get()
    reader, _ = create(
        name="reader", scopes=["cases:read"], created_by="t", agency_code=agency.code
    )
    foreign, _ = create(name="foreign", scopes=["open311"], created_by="t", agency_code=other.code)
    assert _post(world, api_key=reader).status_code == 403
    assert _post(world, api_key=foreign).status_code == 403
    assert _post(world).status_code == 201
    revoke(name="fixmystreet", revoked_by="t")
    assert _post(world).status_code == 403


@pytest.mark.parametrize(
    ("fields", "status", "word"),
    [
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"api_key": ""}, 403, "api_key"),
        ({"jurisdiction_id": ""}, 400, "jurisdiction_id"),
        ({"jurisdiction_id": "elsewhere.go.id"}, 404, "jurisdiction_id"),
        ({"service_code": "nope"}, 404, "service_code"),
        ({"lat": "", "long": ""}, 400, "location"),
        ({"long": ""}, 400, "long"),
        ({"description": "x" * 4001}, 400, "description"),
        ({"description": "<b>tebal</b>"}, 400, "description"),
        ({"attribute[kondisi][]": ["roboh"]}, 400, "attribute[kondisi]"),
        ({"email": "not-an-email"}, 400, "email"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_posts_get_the_error_list(
    world: dict[str, Any], fmt: str, fields: dict[str, Any], status: int, word: str
) -> None:
    response = _post(world, fmt, **fields)
    assert response.status_code == status
    if fmt == "json":
        errors = response.json()
    else:
        errors = [xmltodict.parse(response.content)["errors"]["error"]]
    assert int(errors[0]["code"]) == status
    assert word in errors[0]["description"]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("requests.json", {"start_date": "2026-01-01"}, 400),
        (
            "requests.json",
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            400,
        ),
        ("requests.json", {"status": "pending"}, 400),
        ("services/nope.json", {}, 404),
        ("tokens/not-a-token.json", {}, 404),
        ("requests/ADU-2026-999999.xml", {}, 404),
    ],
)
def test_bad_queries_get_the_error_list(
    world: dict[str, Any], path: str, params: dict[str, str], status: int
) -> None:
    response = requests.get(
        f"{world['base']}/{path}", params={"jurisdiction_id": JURISDICTION, **params}, timeout=10
    )
    assert response.status_code == status
    body = response.json() if path.endswith(".json") else xmltodict.parse(response.content)
    assert body  # the error list, never an HTML page


def test_discovery_and_tokens(world: dict[str, Any]) -> None:
    root = world["base"].removesuffix("/v2")
    discovery = requests.get(f"{root}/discovery.json", timeout=10).json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert "text/xml" in discovery["endpoints"][0]["formats"]
    xml = xmltodict.parse(requests.get(f"{root}/discovery.xml", timeout=10).content)
    assert xml["discovery"]["endpoints"]["endpoint"]["type"] == "production"
    complaint = file().complaint
    token = requests.get(
        f"{world['base']}/tokens/{complaint.token}.json",
        params={"jurisdiction_id": JURISDICTION},
        timeout=10,
    ).json()
    assert token == [
        {"service_request_id": complaint.tracking_number, "token": str(complaint.token)}
    ]
