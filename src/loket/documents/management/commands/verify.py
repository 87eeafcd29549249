"""`loket verify FILE.pdf --ca CA.pem --log-key KEY.pem --bundle BUNDLE.json`: offline check.

Needs no database and no network: only the PDF, the agency's published CA
certificate, the ledger's public key and the proof bundle from the document's
verification page. Prints one line, ``VALID: ...`` (exit 0) or
``INVALID: <reason>`` (exit 1); unusable inputs (a missing file, a CA file
that holds no certificate) print ``ERROR: ...`` and exit 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from loket.documents import offline

EXIT_VALID, EXIT_INVALID, EXIT_ERROR = 0, 1, 2


class Command(BaseCommand):
    help = (
        "Check a downloaded certificate offline: PAdES signature against the CA, "
        "its hash in the ledger entry, the inclusion proof and the signed checkpoint."
    )
    # Offline by design: system checks would look at the database configuration.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pdf", metavar="FILE.pdf", help="the signed document")
        parser.add_argument("--ca", required=True, metavar="CA.pem", help="agency CA certificate")
        parser.add_argument(
            "--log-key", required=True, metavar="KEY.pem", help="ledger public key (Ed25519, PEM)"
        )
        parser.add_argument(
            "--bundle", required=True, metavar="BUNDLE.json", help="proof bundle of the document"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            pdf_bytes = _read(options["pdf"])
            trust_roots = offline.load_trust_roots(_read(options["ca"]))
            log_key = offline.load_log_key(_read(options["log_key"]))
            bundle = offline.parse_bundle(_read(options["bundle"]))
        except offline.MaterialError as error:
            self.stderr.write(f"ERROR: {error}")
            sys.exit(EXIT_ERROR)
        result = offline.verify_offline(
            pdf_bytes=pdf_bytes, trust_roots=trust_roots, log_key=log_key, bundle=bundle
        )
        if result.is_valid:
            self.stdout.write(result.line)
            return
        self.stdout.write(result.line)
        sys.exit(EXIT_INVALID)


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise offline.MaterialError(f"cannot read {path}: {exc.strerror}") from exc
