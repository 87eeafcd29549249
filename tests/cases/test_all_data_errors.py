"""An application refused for its data names every bad field in one answer (RFC 9457
`errors` / `invalid_params`), not only the first: the client fixes them all at once."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cases.conftest import iu_documents, post_application, stored_files
from tests.documents.samples import pdf_bytes

pytestmark = pytest.mark.django_db


def test_every_missing_or_malformed_field_is_listed_in_definition_order(demo, client):
    response = post_application(
        client,
        data={"nama_usaha": "Warung Bu Sri", "modal_usaha": "banyak"},
        headers={"Accept-Language": "en"},
        language="en",
    )
    assert response.status_code == 422
    problem = response.json()
    fields = [error["field"] for error in problem["errors"]]
    assert fields == ["data.bidang_usaha", "data.alamat_usaha", "data.modal_usaha"]
    assert [p["name"] for p in problem["invalid_params"]] == fields
    # The first is the problem's own field and detail.
    assert problem["field"] == "data.bidang_usaha"
    assert problem["detail"] == problem["errors"][0]["message"] == "Line of business is required."
    # "banyak" is there but is not a number: its own message, not "required".
    assert problem["errors"][2]["message"].startswith("Business capital (IDR): Enter a number")


def test_one_bad_field_is_one_error(demo, client):
    response = post_application(client, data={
        "nama_usaha": "Warung Bu Sri", "bidang_usaha": "kuliner", "modal_usaha": 25_000_000,
    })  # fmt: skip
    assert response.status_code == 422
    problem = response.json()
    assert [error["field"] for error in problem["errors"]] == ["data.alamat_usaha"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("", "Bidang usaha wajib diisi."), ("en", "Line of business is required.")],
)
def test_a_message_is_in_one_language_the_requests(demo, client, accept, expected):
    # The applicant chose English for their notifications; the message follows the request
    # (Indonesian unless Accept-Language says otherwise), its field label included.
    response = post_application(
        client,
        data={"nama_usaha": "Warung Bu Sri", "alamat_usaha": "Jl. Melati 5", "modal_usaha": 1},
        headers={"Accept-Language": accept} if accept else None,
        language="en",
    )
    assert response.json()["detail"] == expected


def test_missing_documents_are_listed_with_the_bad_data_in_one_answer(demo, client):
    # Data fields first, then documents, each in the definition's order.
    response = post_application(
        client,
        data={"nama_usaha": "Warung Bu Sri", "bidang_usaha": "kuliner", "modal_usaha": 1},
        documents={},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == [
        "data.alamat_usaha",
        "documents.ktp",
        "documents.foto_lokasi",
    ]
    assert problem["field"] == "data.alamat_usaha"
    assert problem["errors"][1]["message"].startswith("Upload ")


def test_every_missing_document_is_listed_when_the_data_is_right(demo, client):
    response = post_application(client, documents={})
    problem = response.json()
    assert response.status_code == 422
    assert [e["field"] for e in problem["errors"]] == ["documents.ktp", "documents.foto_lokasi"]
    assert problem["field"] == "documents.ktp"


def test_every_unknown_document_is_listed(demo, client):
    documents = iu_documents() | {
        "zz": SimpleUploadedFile("z.pdf", pdf_bytes(), content_type="application/pdf"),
        "aa": SimpleUploadedFile("a.pdf", pdf_bytes(), content_type="application/pdf"),
    }
    problem = post_application(client, documents=documents).json()
    assert [e["field"] for e in problem["errors"]] == ["documents.aa", "documents.zz"]


def test_every_bad_file_is_listed_and_nothing_is_kept(demo, client):
    before = stored_files()
    documents = {
        "ktp": SimpleUploadedFile("ktp.pdf", b"not a pdf at all", content_type="application/pdf"),
        "foto_lokasi": SimpleUploadedFile("l.png", b"\x89PNG nope", content_type="image/png"),
    }
    response = post_application(client, documents=documents)
    assert response.status_code == 422
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == ["documents.ktp", "documents.foto_lokasi"]
    assert stored_files() == before


def test_the_applicants_particulars_are_listed_with_the_rest(demo, client):
    # A wrong NIK, a bad e-mail and a bad phone, a missing field and a missing document:
    # all in one answer, named as the request names them.
    response = post_application(
        client,
        data={"nama_usaha": "Warung Bu Sri", "bidang_usaha": "kuliner", "modal_usaha": 1},
        documents={"ktp": iu_documents()["ktp"]},
        nik="3273019908900004",
        email="sri@",
        phone="12345",
    )
    assert response.status_code == 422
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == [
        "nik",
        "email",
        "phone",
        "data.alamat_usaha",
        "documents.foto_lokasi",
    ]
    assert problem["field"] == "nik"
    assert problem["type"].endswith("/nik_birth_date")


def test_no_way_to_reach_the_applicant_is_listed_with_a_bad_name(demo, client):
    problem = post_application(client, applicant_name="  ", email="", phone="").json()
    assert [e["field"] for e in problem["errors"]] == ["applicant_name", "email"]
