import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_allow_reverting_content"),
        ("org", "0003_translatable_field_names"),
    ]

    operations = [
        migrations.CreateModel(
            name="ArchiveClass",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=20, verbose_name="classification code")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("valid_from", models.DateField(blank=True, null=True, verbose_name="valid from")),
                ("valid_to", models.DateField(blank=True, null=True, verbose_name="valid to")),
                (
                    "retention_active_years",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="active retention (years)"
                    ),
                ),
                (
                    "retention_inactive_years",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="inactive retention (years)"
                    ),
                ),
                (
                    "disposition",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Not set"),
                            ("musnah", "Musnah (destroy)"),
                            ("permanen", "Permanen (transfer to the archival institution)"),
                            ("dinilai_kembali", "Dinilai kembali (review)"),
                        ],
                        max_length=16,
                        verbose_name="final disposition",
                    ),
                ),
                (
                    "retention_trigger",
                    models.CharField(
                        blank=True,
                        help_text="E.g. “after the licence expires or is revoked”.",
                        max_length=200,
                        verbose_name="retention counted from",
                    ),
                ),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="archive_classes",
                        to="org.agency",
                    ),
                ),
            ],
            options={
                "verbose_name": "archive classification",
                "verbose_name_plural": "archive classifications",
                "ordering": ["agency", "code"],
                "constraints": [
                    models.UniqueConstraint(fields=("agency", "code"), name="archive_code_unique"),
                    models.CheckConstraint(
                        condition=models.Q(("code__regex", "^[0-9]{3}(\\.[0-9]{1,2}){0,3}$")),
                        name="archive_code_format",
                    ),
                ],
            },
        ),
    ]
