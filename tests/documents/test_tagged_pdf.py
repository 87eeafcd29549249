"""The receipt PDF is tagged for accessibility (PDF/UA-1): structure, language, title and
the text of its pictures, read back with pikepdf (docs/decisions/0025)."""

from __future__ import annotations

import io
from typing import Any

import pikepdf
import pytest

from loket.documents import tagged
from loket.documents.receipt import ReceiptContent, render_receipt
from tests.documents.samples import png_bytes


def _receipt(**overrides: Any) -> ReceiptContent:
    values: dict[str, Any] = {
        "agency_name": "Pemerintah Kota Contoh",
        "unit_name": "Dinas Penanaman Modal dan PTSP",
        "tracking_number": "IUM-2026-000123",
        "service_name": "Fasilitasi Pendaftaran NIB Usaha Mikro",
        "applicant_name": "Sri Wahyuni",
        "submitted_at": "01-12-2026 09:15 WIB",
        "due_by": "",
        "track_url": "https://loket.example.id/lacak/IUM-2026-000123/",
        "recover_url": "https://loket.example.id/lacak/lupa-kode/",
        "next_steps": [("Verifikasi berkas", "Petugas · 2 hari kerja")],
        "contact": "(022) 123456 · dpmptsp@kotacontoh.go.id",
        "crest_png": png_bytes((60, 60)),
    }
    values.update(overrides)
    return ReceiptContent(**values)


def _elements(node: Any) -> list[Any]:
    """Every structure element under `node`, depth first."""
    found = []
    kids = node.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found.append(kid)
            found.extend(_elements(kid))
    return found


@pytest.fixture(scope="module")
def receipt() -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(render_receipt(_receipt())))


def test_the_receipt_is_a_tagged_pdf_in_indonesian_with_its_title(receipt):
    root = receipt.Root
    assert root.MarkInfo.Marked is True
    assert "/StructTreeRoot" in root
    assert str(root.Lang) == "id-ID"
    assert str(receipt.docinfo.Title) == "Bukti Pendaftaran IUM-2026-000123"
    # Viewers show the title, not the file name (PDF/UA 7.1).
    assert root.ViewerPreferences.DisplayDocTitle is True
    with receipt.open_metadata() as xmp:
        assert xmp.get("pdfuaid:part") == "1"


def test_the_receipt_has_a_heading_a_table_and_a_list_in_reading_order(receipt):
    kinds = [str(element.S) for element in _elements(receipt.Root.StructTreeRoot)]
    assert kinds.index("/H1") < kinds.index("/Table") < kinds.index("/L")
    assert kinds.count("/TH") == 4 and "/H2" in kinds


def test_the_crest_and_the_qr_code_are_figures_with_text(receipt):
    figures = [e for e in _elements(receipt.Root.StructTreeRoot) if e.S == "/Figure"]
    texts = [str(figure.get("/Alt", "")) for figure in figures]
    assert texts == [
        "Lambang Pemerintah Kota Contoh",
        "Kode QR menuju halaman pelacakan: https://loket.example.id/lacak/IUM-2026-000123/",
    ]


def test_without_a_crest_only_the_qr_code_is_a_figure():
    pdf = pikepdf.open(io.BytesIO(render_receipt(_receipt(crest_png=b""))))
    figures = [e for e in _elements(pdf.Root.StructTreeRoot) if e.S == "/Figure"]
    assert len(figures) == 1 and str(figures[0].Alt).startswith("Kode QR")


def test_printed_values_are_text_never_markup_or_addresses_to_fetch():
    hostile = _receipt(
        applicant_name='<img src="file:///etc/passwd" alt="x"> Sri',
        service_name="</title><script>alert(1)</script>",
    )
    pdf = pikepdf.open(io.BytesIO(render_receipt(hostile)))
    figures = [e for e in _elements(pdf.Root.StructTreeRoot) if e.S == "/Figure"]
    assert len(figures) == 2  # no third picture from the name
    assert "<script>" not in str(pdf.docinfo.get("/Title"))


def test_the_same_receipt_renders_to_the_same_bytes():
    assert render_receipt(_receipt()) == render_receipt(_receipt())


def test_the_renderer_refuses_to_fetch_anything():
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    for address in ("file:///etc/hostname", "http://127.0.0.1:9/x.png"):
        with pytest.raises(FatalURLFetchingError):
            HTML(string=f'<img src="{address}">', url_fetcher=tagged.no_fetching()).write_pdf()
    assert tagged.qr_svg("x").startswith("data:image/svg+xml")


def test_rendering_leaves_pillows_truncated_image_check_on():
    from PIL import ImageFile

    render_receipt(_receipt())
    # WeasyPrint's import turns it on for the whole process; uploads rely on it being off.
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


# -- the licence --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def licence() -> bytes:
    from loket.documents.pdf import render_certificate
    from loket.org.branding import demo_crest_png
    from tests.documents.test_pdf_and_signing import content

    return render_certificate(
        content(
            crest_png=demo_crest_png(),
            verification_code="7K3Q-M9XD-2HTR-PW4A",
            legal_basis=["Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik"],
        )
    )


def test_the_licence_is_tagged_with_its_language_title_and_pictures_described(licence):
    pdf = pikepdf.open(io.BytesIO(licence))
    assert pdf.Root.MarkInfo.Marked is True
    assert str(pdf.Root.Lang) == "id-ID"
    assert str(pdf.docinfo.Title) == "Izin Usaha Mikro 503/0001/IUM/DPMPTSP/2026"
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    elements = _elements(pdf.Root.StructTreeRoot)
    kinds = [str(element.S) for element in elements]
    assert kinds.index("/H1") < kinds.index("/L") < kinds.index("/Table")
    figures = [str(e.get("/Alt", "")) for e in elements if e.S == "/Figure"]
    assert figures[0] == "Lambang Pemerintah Kota Contoh"
    assert figures[1].startswith(
        "Kode QR untuk memeriksa keaslian dokumen: http://127.0.0.1:8000/verify/"
    )
    assert len(figures) == 2  # the TTE mark is text ("Ditandatangani secara elektronik")


@pytest.mark.django_db
def test_the_signed_licence_keeps_its_tags_and_its_signature_validates(licence):
    from loket.documents import signing

    with signing.agency_signer("kota-contoh", "Pemerintah Kota Contoh") as signer:
        signed = signing.sign_pdf(
            licence, signer=signer, reason="Penerbitan", location="Kota Contoh"
        )
    assert signing.validate_pdf_signature(signed).is_ok
    pdf = pikepdf.open(io.BytesIO(signed))
    assert pdf.Root.MarkInfo.Marked is True and str(pdf.Root.Lang) == "id-ID"
    assert any(e.S == "/Figure" for e in _elements(pdf.Root.StructTreeRoot))
