"""`loket verify FILE.pdf --ca --log-key --bundle`: the offline check, and tampering it catches."""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loket.documents import offline
from loket.documents.services import read_stored, revoke
from tests.verify.conftest import AT

pytestmark = pytest.mark.django_db
LOKET = Path(sys.executable).with_name("loket")


def run_verify(files) -> tuple[int, str]:
    """Run the command in-process; (exit code, its one line of output)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify", *files.args(), stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    lines = (out.getvalue() + err.getvalue()).strip().splitlines()
    assert len(lines) == 1, lines
    return code, lines[0]


def test_a_downloaded_certificate_verifies_offline(issued, download):
    code, line = run_verify(download(issued))
    assert code == 0
    assert line.startswith("VALID: Izin Usaha Mikro 503/0001/IUM/DPMPTSP/2026 issued")
    assert f"ledger entry {issued.ledger_index}" in line


def test_the_installed_command_needs_no_database(issued, download):
    files = download(issued)
    # Any attempt to reach this database would fail: nothing listens on port 9.
    env = os.environ | {"DATABASE_URL": "postgres://nobody@127.0.0.1:9/none"}
    env["LOKET_DATA_DIR"] = str(files.pdf.parent / "empty-data-dir")
    done = subprocess.run(
        [str(LOKET), "verify", *files.args()],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("VALID: ")

    files.pdf.write_bytes(files.pdf.read_bytes() + b"%")
    done = subprocess.run(
        [str(LOKET), "verify", *files.args()],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout.startswith("INVALID: ") and done.stdout.count("\n") == 1


@pytest.fixture
def material(issued, download):
    files = download(issued)
    return {
        "pdf": files.pdf.read_bytes(),
        "trust_roots": offline.load_trust_roots(files.ca.read_bytes()),
        "log_key": offline.load_log_key(files.log_key.read_bytes()),
        "bundle": offline.parse_bundle(files.bundle.read_bytes()),
    }


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_changing_any_byte_of_the_pdf_is_detected(material, data):
    pdf = bytearray(material["pdf"])
    position = data.draw(st.integers(0, len(pdf) - 1), label="position")
    pdf[position] ^= data.draw(st.integers(1, 255), label="xor")
    result = offline.verify_offline(**{**_args(material), "pdf_bytes": bytes(pdf)})
    assert not result.is_valid
    assert "\n" not in result.line


def _args(material):
    return {
        "pdf_bytes": material["pdf"],
        "trust_roots": material["trust_roots"],
        "log_key": material["log_key"],
        "bundle": material["bundle"],
    }


def test_a_flipped_byte_makes_the_command_exit_1(issued, download):
    files = download(issued)
    pdf = bytearray(files.pdf.read_bytes())
    pdf[len(pdf) // 2] ^= 0x01
    files.pdf.write_bytes(bytes(pdf))
    code, line = run_verify(files)
    assert code == 1
    assert line.startswith("INVALID: ")


def test_a_revoked_document_is_invalid_with_its_date_but_not_the_officers_reason(
    issued, org, download
):
    revoke(document=issued, officer=org["Budi Santoso"], reason="Data tidak benar",
           at=AT + dt.timedelta(days=2))  # fmt: skip
    files = download(issued)
    code, line = run_verify(files)
    assert code == 1
    assert line.startswith("INVALID: revoked since 2026-11-25")
    assert "Data tidak benar" not in line + files.bundle.read_text()


def test_another_ca_is_not_trusted(issued, download, tmp_path):
    from tests.verify.pki import self_signed_ca_pem

    files = download(issued)
    files.ca.write_bytes(self_signed_ca_pem("Some Other CA"))
    code, line = run_verify(files)
    assert (code, line.split(":")[1].strip()) == (1, "signature")


def test_another_log_key_does_not_open_the_checkpoint(issued, download):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    files = download(issued)
    files.log_key.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    code, line = run_verify(files)
    assert code == 1
    assert "checkpoint is not signed by the log key" in line


def _replace_root(bundle):
    lines = bundle["checkpoint"].split("\n")
    lines[2] = base64.b64encode(b"\x07" * 32).decode()
    bundle["checkpoint"] = "\n".join(lines)


def _bump_size(bundle):
    lines = bundle["checkpoint"].split("\n")
    lines[1] = str(int(lines[1]) + 1)
    bundle["checkpoint"] = "\n".join(lines)


def _forge_payload_hash(bundle):
    bundle["entry"]["canonical"] = bundle["entry"]["canonical"].replace(
        '"document_type":"Izin', '"document_type":"Izon'
    )
    bundle["entry"].pop("leaf_hash")


def _corrupt_proof_node(bundle):
    node = bytearray(base64.b64decode(bundle["inclusion_proof"]["path"][0]))
    node[0] ^= 1
    bundle["inclusion_proof"]["path"][0] = base64.b64encode(bytes(node)).decode()


def _claim_another_file_hash(bundle):
    bundle["document"]["sha256"] = "0" * 64


def _other_salt(bundle):
    bundle["document"]["commitment_salt"] = base64.b64encode(b"\x01" * 32).decode()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_replace_root, "checkpoint is not signed by the log key"),
        (_bump_size, "checkpoint is not signed by the log key"),
        (_forge_payload_hash, "inclusion proof fails"),
        (_corrupt_proof_node, "inclusion proof fails"),
        (_claim_another_file_hash, "SHA-256 differs"),
        (lambda bundle: bundle.update(format="other/1"), "format"),
        (lambda bundle: bundle.pop("entry"), "no entry"),
        (lambda bundle: bundle["document"].update(number="503/9999/X"), "about another document"),
        (lambda bundle: bundle["document"].pop("commitment_salt"), "about another document"),
        (_other_salt, "about another document"),
    ],
)
def test_a_tampered_bundle_is_invalid(issue, download, change, reason):
    issue()
    files = download(issue())  # the second entry: its inclusion proof has a node
    files.edit_bundle(change)
    code, line = run_verify(files)
    assert code == 1
    assert line.startswith("INVALID: ") and reason in line


def test_documents_later_in_a_longer_log_verify_too(issue, download):
    documents = [issue() for _ in range(3)]
    for document in documents:
        bundle = download(document)
        assert run_verify(bundle)[0] == 0


def test_unreadable_inputs_are_errors_not_verdicts(issued, download):
    files = download(issued)
    files.ca.write_text("not a certificate")
    code, line = run_verify(files)
    assert code == 2
    assert line.startswith("ERROR: ")


def test_the_pdf_validates_in_pyhanko_against_the_published_ca(issued, download):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    files = download(issued)
    roots = offline.load_trust_roots(files.ca.read_bytes())
    [signature] = PdfFileReader(io.BytesIO(read_stored(issued.pdf))).embedded_signatures
    status = validate_pdf_signature(
        signature, ValidationContext(trust_roots=roots, allow_fetching=False)
    )
    assert status.bottom_line


def test_a_document_whose_entry_predates_commitments_still_verifies_offline(issue, download):
    """Entries appended before the public-data rule named the document by id; bundles follow."""
    from django.db import transaction

    from loket.ledger import services as ledger

    document = issue()
    with transaction.atomic():
        entry = ledger.append(kind="document.issued", payload={
            "document": str(document.id), "number": document.number,
            "document_type": document.document_type, "sha256": document.sha256,
            "issued_at": document.issued_at, "agency": "kota-contoh",
            "position": "kabid-perizinan", "capacity": "definitive",
            "tracking_number": document.case.tracking_number,
        })  # fmt: skip
    type(document).objects.filter(pk=document.pk).update(
        ledger_index=entry.index, commitment_salt=""
    )
    document.refresh_from_db()
    files = download(document)
    files.edit_bundle(lambda bundle: bundle.update(format="loket-proof-bundle/1"))
    code, line = run_verify(files)
    assert code == 0, line
    files.edit_bundle(lambda bundle: bundle["document"].update(id="x"))
    code, line = run_verify(files)
    assert code == 1 and "about another document" in line
