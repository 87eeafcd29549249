from django.db import migrations

import loket.core.pii


def encrypt_existing_rows(apps, schema_editor):
    """Rows written before this migration hold the name and e-mail in clear: encrypt them."""
    from loket.core.pii import encrypt

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, applicant_name, applicant_email FROM cases_case")
        for pk, name, email in cursor.fetchall():
            values = [
                encrypt(str(v)) if v and not str(v).startswith("gAAAAA") else (v or "")
                for v in (name, email)
            ]
            cursor.execute(
                "UPDATE cases_case SET applicant_name = %s, applicant_email = %s WHERE id = %s",
                [*values, pk],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_case_archive_metadata"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="applicant_name",
            field=loket.core.pii.EncryptedTextField(verbose_name="applicant name (encrypted)"),
        ),
        migrations.AlterField(
            model_name="case",
            name="applicant_email",
            field=loket.core.pii.EncryptedTextField(
                blank=True, verbose_name="applicant e-mail (encrypted)"
            ),
        ),
        migrations.RunPython(encrypt_existing_rows, migrations.RunPython.noop),
    ]
