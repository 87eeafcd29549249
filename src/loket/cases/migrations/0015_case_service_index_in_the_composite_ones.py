"""Case.service loses its own index: the (service, status) index begins with the service
and serves every look-up by service (and the foreign key), so the second index only cost
every case INSERT a page. Dropped by name, not by AlterField, which on SQLite copies the
whole cases table to drop one index."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "cases_case_service_id_d5119aeb"  # the name Django gave it (0001)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_event_case_index_in_the_unique_one"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="service",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="catalog.service",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX "{INDEX}" ON "cases_case" ("service_id")',
                ),
            ],
        ),
    ]
