from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_case_completeness_and_statutory_lapse"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="respond_by",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="applicant to respond by"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="archive_code",
            field=models.CharField(
                blank=True, max_length=20, verbose_name="archive classification code"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="access_class",
            field=models.CharField(
                default="terbatas", max_length=16, verbose_name="access class (SKKAAD)"
            ),
        ),
    ]
