"""`loket purge-orphan-files`: delete uploads that were never attached to anything.

An applicant may upload a file and never submit the form; such files, and
bytes left in storage by a transaction that rolled back, are removed once
they are older than the grace period (a day by default).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from loket.documents.models import StoredFile
from loket.documents.selectors import orphan_files, referenced_storage_names

# Only names that `store_upload` makes (YYYY/MM/<32 hex>.<ext>) are ever
# deleted from storage, so files other apps keep there are left alone.
OUR_NAME = re.compile(r"^\d{4}/\d{2}/[0-9a-f]{32}\.(pdf|jpg|png)$")


class Command(BaseCommand):
    help = "Delete stored files that nothing refers to and that are older than the grace period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than-hours", type=float, default=24.0)
        parser.add_argument("--dry-run", action="store_true", help="Only list what would go.")

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = timezone.now() - dt.timedelta(hours=options["older_than_hours"])
        dry_run: bool = options["dry_run"]
        rows = 0
        for stored in orphan_files(created_before=cutoff).iterator():
            rows += 1
            self.stdout.write(f"orphan record {stored.id} {stored.storage_name}")
            if not dry_run:
                self._delete_record(stored, cutoff)
        strays = self._stray_names(cutoff)
        for name in strays:
            self.stdout.write(f"stray file {name}")
            if not dry_run:
                default_storage.delete(name)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"{verb} {rows} orphan record(s) and {len(strays)} stray file(s)")

    @staticmethod
    def _delete_record(stored: StoredFile, cutoff: dt.datetime) -> None:
        # Re-check under the transaction: the file may have been attached since.
        with transaction.atomic():
            still_orphan = orphan_files(created_before=cutoff).filter(pk=stored.pk).exists()
            if still_orphan:
                stored.delete()
                transaction.on_commit(lambda: default_storage.delete(stored.storage_name))

    def _stray_names(self, cutoff: dt.datetime) -> list[str]:
        """Our files in storage with no record, left by rolled-back transactions."""
        candidates = [
            name
            for name in _walk("")
            if OUR_NAME.match(name) and default_storage.get_modified_time(name) < cutoff
        ]
        referenced = referenced_storage_names(candidates)
        return [name for name in candidates if name not in referenced]


def _walk(directory: str) -> Iterator[str]:
    try:
        subdirs, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{directory}/{name}" if directory else name
    for sub in subdirs:
        yield from _walk(f"{directory}/{sub}" if directory else sub)
