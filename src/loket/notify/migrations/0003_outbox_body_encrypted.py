"""Outbox bodies encrypted at rest: they carry names, access codes and survey links."""

from typing import Any

from django.db import migrations

import loket.core.pii


def _rewrite(apps: Any, schema_editor: Any, *, forward: bool) -> None:
    # Raw rows: the historical model would already treat the column as encrypted.
    connection = schema_editor.connection
    table = connection.ops.quote_name("notify_outboxmessage")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, body FROM {table}")  # noqa: S608 - fixed identifier
        rows = cursor.fetchall()
        for pk, body in rows:
            if not body:
                continue
            try:
                plain = loket.core.pii.decrypt(body)
                encrypted = True
            except ValueError:
                plain, encrypted = body, False
            if forward and not encrypted:
                new = loket.core.pii.encrypt(body)
            elif not forward and encrypted:
                new = plain
            else:
                continue
            cursor.execute(f"UPDATE {table} SET body = %s WHERE id = %s", [new, pk])  # noqa: S608


def encrypt_bodies(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, schema_editor, forward=True)


def decrypt_bodies(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0002_webhook_subscription"),
    ]

    operations = [
        migrations.AlterField(
            model_name="outboxmessage",
            name="body",
            field=loket.core.pii.EncryptedTextField(verbose_name="body"),
        ),
        migrations.RunPython(encrypt_bodies, decrypt_bodies),
    ]
