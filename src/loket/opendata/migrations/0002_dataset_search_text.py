from typing import Any

from django.db import migrations, models


def fill_search_text(apps: Any, schema_editor: Any) -> None:
    # As opendata.models.search_text wrote it when this migration was made (frozen here).
    Dataset = apps.get_model("opendata", "Dataset")
    for dataset in Dataset.objects.all().iterator():
        parts = [dataset.title, dataset.description, dataset.slug, *dataset.keywords]
        dataset.search_text = "\n".join(part.lower() for part in parts)
        dataset.save(update_fields=["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("opendata", "0001_datasets_and_resources"),
    ]

    operations = [
        migrations.AddField(
            model_name="dataset",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]
