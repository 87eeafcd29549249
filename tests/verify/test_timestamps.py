"""`loket verify` and the verification page show a licence's RFC 3161 timestamp and
whether its signature stays valid after the signing certificate expires."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from loket.documents.services import read_stored
from tests.documents.conftest import test_pki, tsa_signing  # noqa: F401
from tests.verify.test_offline import run_verify

pytestmark = pytest.mark.django_db


def test_loket_verify_names_the_trusted_timestamp(tsa_signing, issue, download):  # noqa: F811
    code, line = run_verify(download(issue()))

    assert code == 0, line
    assert "timestamped 20" in line
    assert "stays valid after the certificate expires" in line


def test_loket_verify_says_when_a_licence_has_no_timestamp(issued, download):
    code, line = run_verify(download(issued))

    assert code == 0, line
    assert "no timestamp: valid only while the signing certificate is" in line


def test_the_page_for_an_uploaded_licence_shows_its_timestamp(
    tsa_signing,  # noqa: F811
    issue,
    client,
):
    pdf = read_stored(issue().pdf)

    page = client.post("/verify/", {"pdf": SimpleUploadedFile("izin.pdf", pdf)})

    assert page.status_code == 200
    text = page.content.decode()
    assert "Trusted timestamp" in text and "<time datetime=" in text
    assert "Yes: a trusted timestamp proves it was signed" in text


def test_the_page_opened_by_the_code_shows_the_timestamp_of_the_stored_licence(
    tsa_signing,  # noqa: F811
    issue,
    client,
):
    document = issue()

    page = client.get("/verify/", {"code": document.verification_code})

    assert page.status_code == 200
    text = page.content.decode()
    stamp = text[text.index('data-testid="timestamp"') :]
    assert stamp.startswith('data-testid="timestamp"><time datetime="20')
    assert "(RFC 3161)" in stamp
    assert "Yes: a trusted timestamp proves it was signed" in text


def test_the_page_opened_by_the_code_says_when_a_licence_has_no_timestamp(issued, client):
    text = client.get("/verify/", {"code": issued.verification_code}).content.decode()
    assert 'data-testid="timestamp">none<' in text
    assert "No: without a trusted timestamp the signature holds only" in text
