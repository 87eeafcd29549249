"""The application receipt (bukti pendaftaran) as a printable PDF with a QR code.

Like the "bukti pendaftaran" of OSS and MPP Digital: who received what and when,
the tracking number large enough to read over the phone, what happens next and
how to follow the application. The QR code carries the tracking page's address.
It holds no NIK and no access code: a receipt gets printed, photographed and
left on counters, and the access code is the applicant's secret.

Fixed text is Bahasa Indonesia with an English line under each heading, since
the applicant chose their language but the office reading it works in Indonesian.
It is a tagged PDF/UA-1 document, drawn from `documents/receipt_pdf.html`
(loket.documents.tagged; docs/decisions/0025).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from loket.documents import tagged


@dataclass(frozen=True)
class ReceiptContent:
    """Everything printed on a receipt; public data of the application only."""

    agency_name: str
    unit_name: str
    tracking_number: str
    service_name: str
    applicant_name: str
    submitted_at: str  # "05-12-2026 14:30 WIB": formatted in the agency's zone by the caller
    due_by: str  # "" until the application is declared complete
    track_url: str  # what the QR code carries
    recover_url: str  # where a lost access code is replaced
    next_steps: list[tuple[str, str]] = field(default_factory=list)  # (step, who · how long)
    fee: str = ""
    contact: str = ""
    language: str = "id"
    crest_png: bytes = b""


def render_receipt(content: ReceiptContent) -> bytes:
    """The receipt as a tagged PDF/UA-1 document (headings, a table of the facts, the
    QR code and the crest with their text), in Indonesian with English labels."""
    return tagged.render(
        "documents/receipt_pdf.html",
        {
            "c": content,
            "qr": tagged.qr_svg(content.track_url),
            "crest": tagged.data_uri(content.crest_png, "image/png") if content.crest_png else "",
        },
    )
