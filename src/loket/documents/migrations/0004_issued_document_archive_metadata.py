from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0003_verification_code"),
    ]

    operations = [
        migrations.AddField(
            model_name="issueddocument",
            name="archive_code",
            field=models.CharField(
                blank=True, max_length=20, verbose_name="archive classification code"
            ),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="access_class",
            field=models.CharField(
                default="biasa", max_length=16, verbose_name="access class (SKKAAD)"
            ),
        ),
    ]
