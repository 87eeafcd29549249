"""/verify/?code=: status, minimal facts, ledger proof, downloads; 404 for an unknown code."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from cryptography.x509 import load_pem_x509_certificates

from loket.documents.services import revoke
from loket.ledger import services as ledger
from loket.ledger.models import TreeHead
from tests.verify.conftest import AT

pytestmark = pytest.mark.django_db


def page_of(document) -> str:
    return f"/verify/?code={document.verification_code}"


def bundle_of(document) -> str:
    from loket.documents.codes import formatted

    return f"/verify/bundle.json?code={formatted(document.verification_code)}"


def test_the_code_shows_a_valid_document_with_type_number_position_date_and_masked_holder(
    client, issued
):
    response = client.get(page_of(issued))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Valid" in page
    for text in ["Izin Usaha Mikro", issued.number, "Pemerintah Kota Contoh",
                 "Kepala Bidang Perizinan", "23 November 2026", issued.sha256]:  # fmt: skip
        assert text in page
    holder = re.search(r'<dd data-testid="holder">([^<]*)</dd>', page)
    assert holder is not None
    assert holder.group(1) == "S** W******"
    for personal in ["Sri Wahyuni", "Warung Bu Sri", issued.case.applicant_nik, "IUM-2026-000123"]:
        assert personal not in page


def test_the_signer_name_position_and_capacity_come_first_but_never_the_nip(client, issued):
    # Issue 17: people check who signed before anything else. The name is printed on
    # the document the code came from; the NIP stays on the PDF only.
    page = client.get(page_of(issued)).content.decode()
    signer = page.index('data-testid="signer"')
    assert signer < page.index("Document type") < page.index('data-testid="technical-details"')
    assert re.search(r'data-testid="signer-name">Budi Santoso<', page)
    assert re.search(r'data-testid="signer-position">Kepala Bidang Perizinan<', page)
    assert "Definitive holder of the position" in page
    assert issued.issued_by.nip not in page


def test_an_acting_signer_is_shown_with_plt_and_what_it_means(client, issued):
    type(issued).objects.filter(pk=issued.pk).update(issued_capacity="plt")
    page = client.get(page_of(issued)).content.decode()
    assert re.search(r'data-testid="signer-position">Plt\. Kepala Bidang Perizinan<', page)
    assert "acting holder while the position is vacant" in page


def test_the_signer_position_is_in_the_readers_language(client, issued):
    position = issued.issued_position
    position.title_en = "Head of Licensing"
    position.save(update_fields=["title_en"])
    english = client.get(page_of(issued) + "&lang=en", follow=True).content.decode()
    assert 'data-testid="signer-position">Head of Licensing<' in english
    indonesian = client.get(page_of(issued) + "&lang=id", follow=True).content.decode()
    assert 'data-testid="signer-position">Kepala Bidang Perizinan<' in indonesian
    assert "Pemegang jabatan definitif" in indonesian


def test_the_ledger_detail_and_hash_sit_behind_technical_details(client, issued):
    page = client.get(page_of(issued)).content.decode()
    details = re.search(
        r'<details class="technical" data-testid="technical-details">(.*)</details>\s*</article>',
        page,
        re.S,
    )
    assert details is not None
    inside = details.group(1)
    assert issued.sha256 in inside and "Public ledger" in inside and "Proof bundle" in inside
    assert issued.sha256 not in page.replace(inside, "")


def test_the_page_shows_the_ledger_index_root_size_and_a_collapsible_proof(client, issued):
    page = client.get(page_of(issued)).content.decode()
    head = TreeHead.objects.get()  # signed on demand: none covered the new entry
    root = ledger.inclusion_proof(issued.ledger_index, head.size).root_hash
    import base64

    assert base64.b64encode(root).decode() in page
    assert re.search(rf"<dd>{issued.ledger_index}</dd>", page)
    assert re.search(rf"<dd>{head.size}</dd>", page)
    assert re.search(r"<details class=\"proof\">\s*<summary>Inclusion proof", page)
    assert ledger.checkpoint_text(head).splitlines()[0] in page


def test_the_page_links_the_bundle_the_ca_and_the_log_key(client, issued):
    page = client.get(page_of(issued)).content.decode()
    for url in [bundle_of(issued), "/verify/ca.pem", "/verify/log-key.pem"]:
        assert f'href="{url}"' in page


def test_a_revoked_document_says_since_when_but_not_the_officers_reason(client, issued, org):
    revoke(document=issued, officer=org["Siti Rahmawati"], reason="Usaha sudah tutup",
           at=AT + dt.timedelta(days=30))  # fmt: skip
    page = client.get(page_of(issued)).content.decode()
    assert "Revoked since 23 December 2026" in page
    assert "Usaha sudah tutup" not in page
    # (the signature section's "Valid after the certificate expires" is not a verdict)
    assert '<p class="verdict">Valid' not in page


def test_the_page_works_in_indonesian(client, issued, org):
    from django.utils import translation

    with translation.override("id"):
        response = client.get(page_of(issued) + "&lang=id", follow=True)
    assert response.status_code == 200
    assert issued.number in response.content.decode()


@pytest.mark.parametrize(
    "code", ["0000-0000-0000-0000", "not-a-code", "12345", "0" * 99, "\u2713", "a/b"]
)
def test_an_unknown_or_malformed_code_is_a_404_that_says_unknown_document(client, issued, code):
    response = client.get("/verify/", {"code": code})
    assert response.status_code == 404
    assert "Unknown document" in response.content.decode()
    assert client.get("/verify/bundle.json", {"code": code}).status_code == 404


def test_the_form_takes_a_code_typed_from_paper(client, issued):
    code = issued.verification_code
    typed = f" {code[:4]} {code[4:8]}-{code[8:]} ".lower()
    response = client.get("/verify/", {"code": typed})
    assert response.status_code == 200
    assert issued.number in response.content.decode()


def test_the_form_asks_for_the_code_or_the_pdf(client):
    page = client.get("/verify/").content.decode()
    assert 'name="code"' in page
    assert 'name="pdf"' in page and 'enctype="multipart/form-data"' in page


def test_the_ca_download_is_the_root_the_documents_chain_to(client, issued):
    response = client.get("/verify/ca.pem")
    [certificate] = load_pem_x509_certificates(response.content)
    assert "Loket Demo Root CA" in certificate.subject.rfc4514_string()


def test_the_log_key_download_is_the_ed25519_key_that_signs_checkpoints(client, issued):
    client.get(page_of(issued))
    key = load_pem_public_key(client.get("/verify/log-key.pem").content)
    assert isinstance(key, Ed25519PublicKey)
    from loket.ledger.signing import open_checkpoint

    head = TreeHead.objects.get()
    checkpoint = open_checkpoint(ledger.checkpoint_text(head), head.origin, key)
    assert checkpoint.size == head.size


def test_the_bundle_uses_the_latest_head_when_it_covers_the_entry(client, issued):
    first = ledger.sign_tree_head()
    bundle = client.get(bundle_of(issued)).json()
    assert bundle["inclusion_proof"]["tree_size"] == first.size
    assert TreeHead.objects.count() == 1


def test_the_bundle_carries_public_facts_entry_proof_and_checkpoint(client, issued):
    response = client.get(bundle_of(issued))
    assert response["Content-Disposition"].startswith("attachment")
    bundle = response.json()
    assert bundle["format"] == "loket-proof-bundle/2"
    assert bundle["document"]["sha256"] == issued.sha256
    assert bundle["document"]["position"] == {"code": "kabid-perizinan",
                                              "title": "Kepala Bidang Perizinan"}  # fmt: skip
    assert bundle["entry"]["index"] == issued.ledger_index
    assert '"kind":"document.issued"' in bundle["entry"]["canonical"]
    assert bundle["checkpoint"].startswith(TreeHead.objects.get().origin + "\n")
    assert bundle["revocation"] is None
    text = response.content.decode()
    for personal in ["Budi Santoso", "Sri Wahyuni", "Warung Bu Sri", str(issued.id),
                     issued.case.applicant_nik, issued.verification_code]:  # fmt: skip
        assert personal not in text
    assert bundle["document"]["holder"] == "S** W******"
