from django.db import migrations, models
from django.db.models import F


def clock_ran_from_submission(apps, schema_editor):
    """Cases opened before this migration ran their clock from submission: say so."""
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(due_at__isnull=False).update(complete_at=F("submitted_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_case_status_awaiting_payment"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="complete_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="declared complete at"),
        ),
        migrations.AddField(
            model_name="case",
            name="statutory_lapse_flagged_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="statutory deadline lapse flagged at"
            ),
        ),
        migrations.RunPython(clock_ran_from_submission, migrations.RunPython.noop),
    ]
