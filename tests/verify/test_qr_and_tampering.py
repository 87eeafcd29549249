"""The QR code on the PDF leads to the page; changed ledger rows are caught."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from loket.documents.services import read_stored, verification_url
from loket.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def decode_qr_codes(pdf: bytes) -> list[str]:
    """Render the first page as a picture (PDFium) and read its QR codes (ZXing)."""
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_the_qr_code_carries_the_secret_code_and_opens_the_verification_page(
    issued, client, settings
):
    [text] = decode_qr_codes(read_stored(issued.pdf))
    code = issued.verification_code
    printed = f"{code[:4]}-{code[4:8]}-{code[8:12]}-{code[12:]}"
    assert text == verification_url(code) == f"{settings.PUBLIC_BASE_URL}/verify/?code={printed}"
    assert str(issued.id) not in text
    response = client.get(text.removeprefix(settings.PUBLIC_BASE_URL))
    assert response.status_code == 200
    assert issued.number in response.content.decode()


def test_changing_a_stored_ledger_entry_row_is_detected_by_ledger_verify(issued):
    call_command("ledger", "checkpoint")
    call_command("ledger", "verify")
    row = LedgerEntry.objects.get(index=issued.ledger_index)
    payload = row.payload | {"sha256": "f" * 64}
    LedgerEntry.objects.filter(pk=row.pk).update(payload=payload)
    with pytest.raises(CommandError, match=f"entry {issued.ledger_index}"):
        call_command("ledger", "verify")


def test_a_rewritten_entry_with_a_recomputed_leaf_no_longer_proves_against_the_signed_head(
    issue, download
):
    """Rewrite text and leaf hash consistently: the bundle served then fails offline."""
    from loket.ledger import merkle

    issue()
    document = issue()
    call_command("ledger", "checkpoint")
    row = LedgerEntry.objects.get(index=document.ledger_index)
    forged = row.canonical.replace('"capacity":"definitive"', '"capacity":"plt"')
    assert forged != row.canonical
    LedgerEntry.objects.filter(pk=row.pk).update(
        canonical=forged, leaf_hash=merkle.leaf_hash(forged.encode())
    )
    files = download(document)
    from tests.verify.test_offline import run_verify

    code, line = run_verify(files)
    assert code == 1
    assert "inclusion proof fails" in line
