"""`loket rotate-pii-keys`: re-encrypt all personal data under the newest key."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import transaction

from loket.core.pii import EncryptedTextField, encrypt
from loket.core.storage import rotate_files


class Command(BaseCommand):
    help = "Re-encrypt every encrypted personal-data column under the first key in LOKET_PII_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        for model in apps.get_models():
            fields = [f for f in model._meta.fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            names = [f.name for f in fields]
            count = 0
            # Reading decrypts with any configured key; writing encrypts with the first.
            for pk in model._default_manager.values_list("pk", flat=True).iterator():
                with transaction.atomic():
                    row = model._default_manager.select_for_update().only(*names).get(pk=pk)
                    model._default_manager.filter(pk=pk).update(
                        **{name: _raw(getattr(row, name)) for name in names}
                    )
                count += 1
            self.stdout.write(
                f"{model._meta.label}: {count} rows re-encrypted ({', '.join(names)})"
            )
        files = rotate_files(default_storage)
        self.stdout.write(f"stored files: {files} re-encrypted")


def _raw(value: str | None) -> Any:
    # .update() bypasses get_prep_value on some backends for expressions; encrypt explicitly
    # and wrap so the field does not encrypt twice.
    from django.db.models import Value
    from django.db.models.fields import TextField

    if not value:
        return value
    return Value(encrypt(value), output_field=TextField())
