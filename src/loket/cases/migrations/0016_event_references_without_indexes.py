"""CaseEvent's task, officer, position and actor user lose their indexes: no query of the
application looks events up by them, and each cost every event INSERT a B-tree page.
Their only reader was the PROTECT check when a task, officer, position or user is
deleted, which now scans the events table once (ADR 0032). Dropped by name, not by
AlterField, which on SQLite copies the whole events table per field."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (field, column, the name Django gave its index in 0001)
DROPPED = [
    ("task", "task_id", "cases_caseevent_task_id_e21f0317"),
    ("officer", "officer_id", "cases_caseevent_officer_id_776f8618"),
    ("position", "position_id", "cases_caseevent_position_id_9099ab9a"),
    ("actor_user", "actor_user_id", "cases_caseevent_actor_user_id_ecebd4b2"),
]
TARGETS = {
    "task": ("cases.task", "events"),
    "officer": ("org.officer", "+"),
    "position": ("org.position", "+"),
    "actor_user": (settings.AUTH_USER_MODEL, "+"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0015_case_service_index_in_the_composite_ones"),
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="caseevent",
                    name=field,
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name=TARGETS[field][1],
                        to=TARGETS[field][0],
                    ),
                )
                for field, _column, _index in DROPPED
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX "{index}" ON "cases_caseevent" ("{column}")',
                )
                for _field, column, index in DROPPED
            ],
        ),
    ]
