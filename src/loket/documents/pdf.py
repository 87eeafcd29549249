"""The issued document as a PDF: letterhead, number, applicant data, decision, QR, signer.

The document itself is in Bahasa Indonesia whatever the reader's interface
language: official documents of Indonesian agencies must be (UU 24/2009), so
its fixed text is not passed through gettext. It is a tagged PDF/UA-1 document
drawn from `documents/certificate_pdf.html` by WeasyPrint (loket.documents.tagged;
docs/decisions/0025): a screen reader gets headings, the data as a table, the
crest and the QR code with their text, and the language; fonts (Bitstream Vera)
are embedded so the file renders the same everywhere and can be archived. Output
is the same bytes for the same input, which keeps tests and re-renders comparable.
pyHanko signs the rendered file (loket.documents.signing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from loket.documents import tagged

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

# How an acting holder signs: "Plt. Kepala Dinas ...", "Plh. Kepala Dinas ...".
CAPACITY_PREFIX = {"definitive": "", "plt": "Plt. ", "plh": "Plh. "}


@dataclass(frozen=True)
class CertificateContent:
    """Everything printed on an issued document."""

    agency_name: str  # e.g. "Pemerintah Kota Contoh"
    unit_name: str  # e.g. "Dinas Penanaman Modal dan PTSP"
    agency_address: str
    document_type: str  # title, e.g. "Izin Usaha Mikro"
    number: str
    applicant_fields: list[tuple[str, str]]  # (label, value), public data only
    decision: str  # the operative text: what is granted, to whom
    place: str  # city where signed, e.g. "Kota Contoh"
    issued_on: date
    position_title: str
    officer_name: str
    officer_nip: str
    verification_url: str  # what the QR code carries: the page with the code in its query
    capacity: str = "definitive"  # definitive | plt | plh
    validity: str = ""
    agency_contact: str = ""  # phone, e-mail, website on one line
    signature_issuer: str = ""  # who issued the signing certificate, for the footer
    legal_basis: list[str] = field(default_factory=list)  # printed as "Dasar:"
    notes: list[str] = field(default_factory=list)
    verification_code: str = ""  # the holder's secret, printed for typing at /verify/
    watermark: str = ""  # drawn across every page (a signer's preview: "PRATINJAU")
    crest_png: bytes = b""  # the agency's lambang beside the letterhead (org.branding)


def indonesian_date(day: date) -> str:
    """23 November 2026."""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def render_certificate(content: CertificateContent) -> bytes:
    """Render the document as an unsigned, tagged A4 PDF."""
    return tagged.render(
        "documents/certificate_pdf.html",
        {
            "c": content,
            "footer": footer_text(content),
            "issued_on": indonesian_date(content.issued_on),
            "capacity_prefix": CAPACITY_PREFIX.get(content.capacity, ""),
            "qr": tagged.qr_svg(content.verification_url),
            "crest": tagged.data_uri(content.crest_png, "image/png") if content.crest_png else "",
        },
    )


def footer_text(content: CertificateContent) -> str:
    """The electronic-signature notice printed at the foot of every page (BSrE practice)."""
    issuer = (
        f" yang diterbitkan oleh {content.signature_issuer}" if content.signature_issuer else ""
    )
    return (
        "Dokumen ini ditandatangani secara elektronik menggunakan sertifikat elektronik"
        f"{issuer}. Sesuai Undang-Undang Nomor 11 Tahun 2008 tentang Informasi dan "
        "Transaksi Elektronik Pasal 5 ayat (1), informasi elektronik dan/atau hasil "
        "cetaknya merupakan alat bukti hukum yang sah. Keaslian dokumen dapat diperiksa "
        f"dengan memindai kode QR atau di {_form_url(content)}{_with_code(content)}"
    )


def _form_url(content: CertificateContent) -> str:
    # The typed route: the form, without the code the QR's query string carries.
    return content.verification_url.split("?", 1)[0]


def _with_code(content: CertificateContent) -> str:
    if not content.verification_code:
        return ""
    return f" dengan kode verifikasi {content.verification_code}"
