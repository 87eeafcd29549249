from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce


def number_from_history(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    newest = (
        CaseEvent.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(last=Max("sequence"))
        .values("last")
    )
    Case.objects.update(last_event_sequence=Coalesce(Subquery(newest), 0))


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_case_revision")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="last_event_sequence",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(number_from_history, migrations.RunPython.noop),
    ]
