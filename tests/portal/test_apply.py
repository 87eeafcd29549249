"""Applying: the form generated from the definition, errors, uploads, review, submit, receipt."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from loket.cases.models import Case, CaseDocument
from loket.catalog.definitions import ServiceDefinition
from loket.portal.forms import ApplicationForm
from loket.portal.presenters import describe_expression
from tests.accounts.factories import PASSWORD, make_applicant
from tests.portal.conftest import (
    APPLY,
    NIK,
    REVIEW,
    application,
    ktp,
    publish_computed_fee_reklame,
    submit,
)

pytestmark = pytest.mark.django_db

ALL_TYPES = ServiceDefinition(
    {
        "requirements": {
            "data": [
                {"name": "nama", "type": "text", "label": {"id": "Nama", "en": "Name"},
                 "required": True, "max_length": 20},
                {"name": "catatan", "type": "textarea", "label": {"id": "Catatan", "en": "Notes"},
                 "required": False, "max_length": 300},
                {"name": "jumlah", "type": "integer", "label": {"id": "Jumlah", "en": "Count"},
                 "required": True, "min": 1, "max": 10},
                {"name": "luas", "type": "decimal", "label": {"id": "Luas", "en": "Area"},
                 "required": True, "min": 0.5, "max": 20},
                {"name": "tanggal", "type": "date", "label": {"id": "Tanggal", "en": "Date"},
                 "required": True},
                {"name": "setuju", "type": "boolean", "label": {"id": "Setuju", "en": "Agree"},
                 "required": True},
                {"name": "kelas", "type": "choice", "label": {"id": "Kelas", "en": "Class"},
                 "required": True, "choices": [{"value": "a", "label": {"id": "A", "en": "A"}},
                                               {"value": "b", "label": {"id": "B", "en": "B"}}]},
                {"name": "surel", "type": "email", "label": {"id": "Surel", "en": "E-mail"},
                 "required": True},
                {"name": "telepon", "type": "phone", "label": {"id": "Telepon", "en": "Phone"},
                 "required": True},
                {"name": "nik_pemilik", "type": "nik", "label": {"id": "NIK", "en": "NIK"},
                 "required": True},
            ],
            "documents": [
                {"name": "ktp", "label": {"id": "KTP", "en": "ID"}, "types": ["pdf", "png"],
                 "max_size_mb": 2, "required": True},
            ],
        }
    }
)  # fmt: skip

VALID_ALL_TYPES = {
    "data_nama": "Budi",
    "data_jumlah": "3",
    "data_luas": "2,5",
    "data_tanggal": "2026-03-02",
    "data_setuju": "true",
    "data_kelas": "b",
    "data_surel": "budi@example.id",
    "data_telepon": "+62 812-3456-7890",
    "data_nik_pemilik": NIK,
}


def _form(data: dict[str, Any], language: str = "id", **kwargs: Any) -> ApplicationForm:
    files = {"doc_ktp": ktp()}
    return ApplicationForm(data, files, definition=ALL_TYPES, language=language,
                           with_applicant=False, **kwargs)  # fmt: skip


def test_form_has_a_typed_field_for_every_type_of_the_definition():
    form = _form({})
    fields = form.fields

    assert isinstance(fields["data_nama"], forms.CharField)
    assert fields["data_nama"].max_length == 20
    assert isinstance(fields["data_catatan"].widget, forms.Textarea)
    # Numbers are typed as text the reader's way ("25.000.000", "2,5"), not <input number>.
    assert fields["data_jumlah"].widget.input_type == "text"
    assert fields["data_jumlah"].widget.attrs["inputmode"] == "numeric"
    assert fields["data_luas"].widget.attrs["inputmode"] == "decimal"
    assert fields["data_tanggal"].widget.input_type == "date"
    assert isinstance(fields["data_setuju"].widget, forms.RadioSelect)
    assert [value for value, _label in fields["data_kelas"].choices] == ["a", "b"]
    assert isinstance(fields["data_surel"], forms.EmailField)
    assert fields["data_telepon"].widget.input_type == "tel"
    assert isinstance(fields["doc_ktp"], forms.FileField)
    assert ".pdf" in fields["doc_ktp"].widget.attrs["accept"]
    assert "PDF atau PNG" in fields["doc_ktp"].help_text


def test_valid_values_become_typed_json_for_the_engine():
    form = _form(VALID_ALL_TYPES)

    assert form.is_valid(), form.errors
    assert form.data_values() == {
        "nama": "Budi",
        "jumlah": 3,
        "luas": 2.5,
        "tanggal": "2026-03-02",
        "setuju": True,
        "kelas": "b",
        "surel": "budi@example.id",
        "telepon": "+62 812-3456-7890",
        "nik_pemilik": NIK,
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("data_jumlah", "11"),
        ("data_jumlah", "tiga"),
        ("data_luas", "0,1"),
        ("data_tanggal", "kemarin"),
        ("data_kelas", "z"),
        ("data_surel", "budi@"),
        ("data_telepon", "12345"),
        ("data_nik_pemilik", "1234567890123456"),
        ("data_nama", "x" * 21),
        ("data_setuju", ""),
    ],
)
def test_each_type_refuses_a_bad_value_on_its_own_field(field, value):
    form = _form({**VALID_ALL_TYPES, field: value})

    assert not form.is_valid()
    assert list(form.errors) == [field]


@given(st.decimals(min_value=Decimal("0.5"), max_value=Decimal("20"), places=2))
def test_decimals_are_read_with_the_readers_decimal_mark(number):
    for text, language in ((str(number).replace(".", ","), "id"), (str(number), "en")):
        form = _form({**VALID_ALL_TYPES, "data_luas": text}, language=language)
        assert form.is_valid(), (text, form.errors)
        assert Decimal(str(form.data_values()["luas"])) == number


def test_a_decimal_point_in_indonesian_is_refused_as_ambiguous():
    form = _form({**VALID_ALL_TYPES, "data_luas": "2.50"})

    assert not form.is_valid()
    assert "2,5" in form.errors["data_luas"][0]


def test_a_number_shown_back_for_editing_is_written_the_readers_way():
    form = ApplicationForm(
        initial={"data_jumlah": 3, "data_luas": 2.5}, definition=ALL_TYPES, language="id",
        with_applicant=False,
    )  # fmt: skip
    assert 'value="2,5"' in str(form["data_luas"])


def test_fee_formula_in_words_names_the_fields():
    definition = ServiceDefinition({"requirements": {"data": [
        {"name": "panjang", "label": {"id": "Panjang (m)", "en": "Length (m)"}}]}})  # fmt: skip
    words = describe_expression("double(tables.tarif.per_m2) * data.panjang * 12", definition, "id")
    assert words.startswith("per m2 (")
    assert "× Panjang (m) × 12" in words


def test_application_form_shows_required_documents_with_types_and_sizes_up_front(demo, client):
    page = client.get(APPLY).content.decode()
    prepare = page.split('id="prepare-heading"')[1].split("</section>")[0]

    assert "KTP pemilik usaha" in prepare
    assert "2 MB" in prepare and "5 MB" in prepare
    assert 'name="doc_ktp"' in page and 'enctype="multipart/form-data"' in page


def test_signed_in_applicant_finds_name_and_email_filled_in(demo, client):
    make_applicant("sari@example.id")
    client.login(username="sari@example.id", password=PASSWORD)
    page = client.get(APPLY).content.decode()

    assert 'value="Sari Dewi"' in page
    assert 'value="sari@example.id"' in page


def test_errors_are_shown_next_to_their_fields_and_typed_values_are_kept(demo, client):
    response = client.post(
        APPLY, application(applicant_nik="3273053204900003", data_hasil_penjualan_tahunan="banyak")
    )
    page = response.content.decode()

    assert response.status_code == 422
    assert 'id="id_applicant_nik_error"' in page
    assert re.search(r'<input[^>]*name="applicant_nik"[^>]*aria-invalid="true"', page)
    assert re.search(r'aria-describedby="[^"]*id_data_hasil_penjualan_tahunan_error', page)
    assert 'value="Warung Bu Sri"' in page
    assert 'value="Jl. Melati No. 5, Kota Contoh"' in page
    assert not Case.objects.exists()


def test_a_contact_is_required_e_mail_or_phone(demo, client):
    response = client.post(APPLY, application(applicant_email="", applicant_phone=""))

    assert response.status_code == 422
    assert 'id="id_applicant_email_error"' in response.content.decode()
    only_phone = client.post(APPLY, application(applicant_email=""))
    assert only_phone.status_code == 302


def test_upload_with_the_wrong_content_is_refused_with_a_clear_message_and_nothing_is_lost(
    demo, client
):
    fake = SimpleUploadedFile(
        "ktp.pdf", b"just some text, not a PDF", content_type="application/pdf"
    )
    response = client.post(APPLY, application(doc_ktp=fake))
    page = response.content.decode()

    assert response.status_code == 422
    error = page.split('id="id_doc_ktp_error"')[1].split("</ul>")[0]
    assert "ktp.pdf" in error
    assert 'value="Warung Bu Sri"' in page
    # The good file of the same post was kept: it need not be chosen again.
    assert "lokasi.png" in page.split('id="id_doc_foto_lokasi_helptext"')[1].split("</p>")[0]

    again = client.post(APPLY, application(doc_ktp=ktp(), doc_foto_lokasi=None))
    assert again.status_code == 302
    review = client.get(REVIEW).content.decode()
    assert "ktp.pdf" in review and "lokasi.png" in review


def test_upload_over_the_size_limit_is_refused_naming_the_limit(demo, client, settings):
    big = SimpleUploadedFile("ktp.pdf", b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024 + 10))
    response = client.post(APPLY, application(doc_ktp=big))

    assert response.status_code == 422
    error = response.content.decode().split('id="id_doc_ktp_error"')[1].split("</ul>")[0]
    assert "2 MB" in error


def test_a_later_field_error_does_not_ask_for_the_files_again(demo, client):
    first = client.post(APPLY, application(applicant_nik="123"))
    assert first.status_code == 422

    second = client.post(APPLY, application(doc_ktp=None, doc_foto_lokasi=None))
    assert second.status_code == 302
    assert second["Location"] == REVIEW


def test_review_shows_everything_and_edit_goes_back_with_the_data_kept(demo, client):
    client.post(APPLY, application())
    review = client.get(REVIEW).content.decode()

    assert "Warung Bu Sri" in review and "Kuliner" in review and "25.000.000" in review
    assert "ktp.pdf" in review and "lokasi.png" in review
    assert 'data-testid="confirm-submit"' in review
    assert not Case.objects.exists()

    edit = client.get(APPLY).content.decode()
    assert 'value="Warung Bu Sri"' in edit
    assert re.search(r'value="kuliner"[^>]*checked', edit)
    assert "ktp.pdf" in edit  # "already uploaded" on the document field


def test_review_without_an_application_in_the_session_offers_the_saved_draft_back(demo, client):
    response = client.get(REVIEW)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="session-expired"' in page
    assert 'action="/layanan/izin-usaha-mikro/ajukan/lanjutkan/"' in page


def test_confirming_submits_the_case_and_the_receipt_shows_the_access_code_once(demo, client):
    case, code = submit(client)

    assert case.status == "in_progress"
    assert case.applicant_email == "sri@example.id"
    assert case.data["modal_usaha"] == 25_000_000
    assert set(CaseDocument.objects.filter(case=case).values_list("name", flat=True)) == {
        "ktp",
        "foto_lokasi",
    }
    receipt_url = f"/permohonan/{case.tracking_number}/tanda-terima/"
    again = client.get(receipt_url).content.decode()
    assert case.tracking_number in again
    assert code not in again
    # The draft is gone: the next application starts empty.
    assert 'value="Warung Bu Sri"' not in client.get(APPLY).content.decode()


def test_double_click_on_confirm_creates_one_case(demo, client):
    client.post(APPLY, application())
    key = re.search(r'name="idempotency_key" value="(\w+)"', client.get(REVIEW).content.decode())
    snapshot = dict(client.session.items())

    first = client.post(REVIEW, {"idempotency_key": key.group(1)})
    second = client.post(REVIEW, {"idempotency_key": key.group(1)})
    # A click that raced the first one still had the draft in its session.
    session = SessionStore(session_key=client.session.session_key)
    session.update(snapshot)
    session.save()
    racing = client.post(REVIEW, {"idempotency_key": key.group(1)})

    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"] == racing["Location"]


def test_signed_in_submission_is_linked_to_the_account_and_listed(demo, client):
    user = make_applicant("sari@example.id")
    client.login(username="sari@example.id", password=PASSWORD)
    case, _code = submit(client)

    assert case.applicant_user_id == user.pk
    page = client.get("/permohonan-saya/").content.decode()
    assert case.tracking_number in page
    make_applicant("budi@example.id")
    client.logout()
    client.login(username="budi@example.id", password=PASSWORD)
    assert case.tracking_number not in client.get("/permohonan-saya/").content.decode()


def test_my_applications_needs_sign_in(demo, client):
    response = client.get("/permohonan-saya/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_fee_preview_computes_the_fee_of_the_values_typed_so_far(demo, client):
    publish_computed_fee_reklame()
    values = {"data_kelas_jalan": "kolektor", "data_panjang_m": "4", "data_lebar_m": "2",
              "data_jumlah_sisi": "1", "data_durasi_bulan": "3"}  # fmt: skip
    response = client.get(
        "/layanan/izin-reklame/ajukan/biaya/", values, headers={"HX-Request": "true"}
    )

    assert 'data-testid="fee-amount">Rp360.000<' in response.content.decode()
    partial = client.get("/layanan/izin-reklame/ajukan/biaya/", {"data_panjang_m": "4"})
    assert "fee-amount" not in partial.content.decode()


def test_forms_need_a_csrf_token(demo):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(APPLY, application()).status_code == 403
    assert strict.post(REVIEW, {"idempotency_key": "x"}).status_code == 403
    assert strict.post("/lacak/", {"tracking_number": "X", "access_code": "Y"}).status_code == 403


def test_the_photo_upload_accepts_a_jpeg_too(demo, client):
    from tests.documents.samples import jpeg_bytes

    jpeg = SimpleUploadedFile("lokasi.jpg", jpeg_bytes(), content_type="image/jpeg")
    case, _code = submit(client, doc_foto_lokasi=jpeg)
    assert CaseDocument.objects.get(case=case, name="foto_lokasi").kind == "jpeg"


def test_photo_is_required(demo, client):
    response = client.post(APPLY, application(doc_foto_lokasi=None))
    assert response.status_code == 422
    assert 'id="id_doc_foto_lokasi_error"' in response.content.decode()


def test_every_field_the_engine_refuses_is_marked_on_the_form_at_once():
    from loket.core.errors import ValidationError

    form = _form(VALID_ALL_TYPES)
    assert form.is_valid()
    form.add_engine_error(
        ValidationError(
            "Nama wajib diisi.",
            field="data.nama",
            field_errors=[
                {"field": "data.nama", "message": "Nama wajib diisi."},
                {"field": "data.jumlah", "message": "Jumlah harus angka."},
            ],
        )
    )
    assert form.errors["data_nama"] == ["Nama wajib diisi."]
    assert form.errors["data_jumlah"] == ["Jumlah harus angka."]
