"""Fixtures for verification: an issued document and the files a verifier downloads."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from loket.documents.models import IssuedDocument
from loket.documents.services import issue_certificate, read_stored
from tests.conftest import english_client

# The documents app's fixtures: English messages, private storage, Kota Contoh, cases.
from tests.documents.conftest import english_messages, make_case, org, storage_dir  # noqa: F401

AT = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
FIELDS = [
    ("Nomor permohonan", "IUM-2026-000123"),
    ("Nama pemohon", "Sri Wahyuni"),
    ("Nama usaha", "Warung Bu Sri"),
]


@pytest.fixture
def client():
    """An anonymous visitor who chose English (the source language)."""

    return english_client()


@pytest.fixture
def issue(org, make_case, storage_dir):  # noqa: F811
    def make(**overrides) -> IssuedDocument:
        values = {"case": make_case(), "fields": FIELDS, "officer": org["Budi Santoso"],
                  "position": org["kabid"], "at": AT}  # fmt: skip
        return issue_certificate(**values | overrides)

    return make


@pytest.fixture
def issued(issue) -> IssuedDocument:
    return issue()


@dataclass
class Downloads:
    """What a verifier saves from the verification page, next to the PDF they hold."""

    pdf: Path
    ca: Path
    log_key: Path
    bundle: Path

    def args(self) -> list[str]:
        return [str(self.pdf), "--ca", str(self.ca), "--log-key", str(self.log_key),
                "--bundle", str(self.bundle)]  # fmt: skip

    def edit_bundle(self, change) -> None:
        bundle = json.loads(self.bundle.read_text())
        change(bundle)
        self.bundle.write_text(json.dumps(bundle))


@pytest.fixture
def download(client, tmp_path):
    """Fetch bundle, CA and log key over HTTP as an anonymous visitor; save them with the PDF."""

    def fetch(document: IssuedDocument) -> Downloads:
        folder = tmp_path / f"download-{document.id}"
        folder.mkdir()
        files = Downloads(
            folder / "dokumen.pdf", folder / "ca.pem", folder / "log-key.pem", folder / "b.json"
        )
        files.pdf.write_bytes(read_stored(document.pdf))
        for target, url in [
            (files.bundle, f"/verify/bundle.json?code={document.verification_code}"),
            (files.ca, "/verify/ca.pem"),
            (files.log_key, "/verify/log-key.pem"),
        ]:
            response = client.get(url)
            assert response.status_code == 200, url
            target.write_bytes(response.content)
        return files

    return fetch
