"""The licence shows who issued it (the agency's crest in the letterhead), a visible
electronic-signature mark, the grouped verification code, and declares its language."""

from __future__ import annotations

import io

import pypdf

from loket.documents.pdf import render_certificate
from loket.org.branding import demo_crest_png
from tests.documents.test_pdf_and_signing import content, text_of


def _images(pdf: bytes) -> int:
    return sum(len(page.images) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_the_agencys_crest_is_drawn_in_the_letterhead_when_it_has_one():
    assert _images(render_certificate(content())) == 0
    assert _images(render_certificate(content(crest_png=demo_crest_png()))) == 1


def test_the_licence_carries_a_visible_electronic_signature_mark_and_the_typed_code():
    pdf = render_certificate(content(verification_code="7K3Q-M9XD-2HTR-PW4A"))
    text = " ".join(text_of(pdf).split())
    assert "TTE" in text
    assert "Ditandatangani secara elektronik" in text
    assert "Kode verifikasi: 7K3Q-M9XD-2HTR-PW4A" in text


def test_the_licence_declares_indonesian_as_its_language():
    reader = pypdf.PdfReader(io.BytesIO(render_certificate(content())))
    assert reader.trailer["/Root"]["/Lang"] == "id-ID"
