"""CaseEvent.case loses its own index: the unique (case, sequence) index begins with the
case and serves every look-up by case (and the foreign key), so the second index only
cost every event INSERT a page. Dropped by name, not by AlterField, which on SQLite
copies the whole events table to drop one index."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "cases_caseevent_case_id_6c6031ac"  # the name Django gave it (0001)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_case_applicant_card"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="caseevent",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="cases.case",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX "{INDEX}" ON "cases_caseevent" ("case_id")',
                ),
            ],
        ),
    ]
