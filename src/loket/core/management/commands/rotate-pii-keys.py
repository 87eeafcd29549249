"""`loket rotate-pii-keys`: re-encrypt all personal data under the newest key.

Every encrypted column (text and JSON alike: names, NIK, contacts, submitted data, the
applicant card, saved drafts) and every stored file is rewritten under the first key
of LOKET_PII_KEYS. Tokens already under that key are left alone, so a run that stopped
half-way (a crash, a deploy) is simply run again and finishes the rest; only when it
reports nothing left undecryptable may the old key be removed.
"""

from __future__ import annotations

from typing import IO, Any, cast

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from loket.core import pii
from loket.core.pii import EncryptedJSONField, EncryptedTextField
from loket.core.storage import rotate_files

# Rows locked and rewritten per transaction: short locks, few commits.
CHUNK = 500


class Command(BaseCommand):
    help = "Re-encrypt every encrypted personal-data column under the first key in LOKET_PII_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout), force_terminal=False)
        newest = Fernet(settings.PII_KEYS[0].encode())
        failures: list[str] = []
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            for model, columns in encrypted_columns():
                total = model._base_manager.count()
                bar = progress.add_task(model._meta.label, total=total)
                rewritten = 0
                for chunk in _pk_chunks(model):
                    rewritten += _rotate_rows(model, columns, chunk, newest, failures)
                    progress.advance(bar, len(chunk))
                progress.console.print(
                    f"{model._meta.label}: {rewritten} rows re-encrypted of {total} "
                    f"({', '.join(columns)})"
                )
        files = rotate_files(default_storage)
        self.stdout.write(f"stored files: {files} re-encrypted")
        if failures:
            shown = "; ".join(failures[:10])
            raise CommandError(
                f"{len(failures)} values cannot be decrypted with the configured keys "
                f"(was a key removed before rotation finished?): {shown}. "
                "Keep every old key configured until this command reports no failure."
            )


def encrypted_columns() -> list[tuple[type[models.Model], list[str]]]:
    """Each concrete model with encrypted fields, and their column names."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [
            str(field.column)
            for field in model._meta.local_concrete_fields
            if isinstance(field, EncryptedTextField | EncryptedJSONField)
        ]
        if columns:
            found.append((model, columns))
    return found


def _pk_chunks(model: type[models.Model]) -> Any:
    """The primary keys in order, CHUNK at a time (a keyset walk, not one big read); the
    base manager, so a default manager that hides rows cannot leave them unrotated."""
    last = None
    while True:
        rows = model._base_manager.order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        chunk = list(rows.values_list("pk", flat=True)[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


def _rotate_rows(
    model: type[models.Model],
    columns: list[str],
    pks: list[Any],
    newest: Fernet,
    failures: list[str],
) -> int:
    """Rewrite the stored tokens of `pks` that are not under the newest key yet.

    Works on the ciphertext itself (decrypt with any key, encrypt with the first), so
    no field converts, re-serialises or re-validates anything on the way."""
    quote = connection.ops.quote_name
    pk_field = model._meta.pk
    assert pk_field is not None and pk_field.column is not None
    table, pk = quote(model._meta.db_table), quote(pk_field.column)
    listed = ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(pks))
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    rewritten = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk}, {listed} FROM {table} WHERE {pk} IN ({marks}){lock}",  # noqa: S608
            pks,
        )
        for row_pk, *values in cursor.fetchall():
            changes = {}
            for column, token in zip(columns, values, strict=True):
                if not token:
                    continue
                try:
                    newest.decrypt(token.encode())
                    continue  # already under the newest key
                except InvalidToken:
                    pass
                try:
                    changes[column] = pii.rotate(token)
                except InvalidToken:
                    failures.append(f"{model._meta.label} {row_pk} {column}")
            if changes:
                assignments = ", ".join(f"{quote(c)} = %s" for c in changes)
                cursor.execute(
                    f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608
                    [*changes.values(), row_pk],
                )
                rewritten += 1
    return rewritten
