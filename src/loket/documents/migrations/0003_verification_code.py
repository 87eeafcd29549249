"""Verification codes for issued documents; existing documents get one too.

Documents issued before this migration carry no code on paper; their holders
find the code on the application's tracking page, or verify by uploading the
PDF. The public ledger is not touched (it is append-only; docs/ledger.md).
"""

import hashlib
import secrets

from django.db import migrations, models

import loket.core.pii

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def give_codes(apps, schema_editor):
    # Frozen copies of loket.documents.codes: a migration must not change with the app.
    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    for document in IssuedDocument.objects.filter(verification_digest__isnull=True):
        code = "".join(secrets.choice(ALPHABET) for _ in range(16))
        document.verification_code = code
        document.verification_digest = hashlib.sha256(
            f"loket-verification-code:{code}".encode("ascii")
        ).hexdigest()
        document.save(update_fields=["verification_code", "verification_digest"])


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0002_ledger_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="issueddocument",
            name="verification_code",
            field=loket.core.pii.EncryptedTextField(blank=True, verbose_name="verification code"),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="verification_digest",
            field=models.CharField(
                blank=True,
                max_length=64,
                null=True,
                unique=True,
                verbose_name="verification code digest",
            ),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="commitment_salt",
            field=models.CharField(
                blank=True, max_length=44, verbose_name="ledger commitment salt"
            ),
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop),
    ]
