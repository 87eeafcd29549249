"""OutboxMessage.recipient_user loses its own index: notify_inbox_idx (recipient_user,
channel, read_at) begins with the user and serves every look-up by user (the inbox and
the foreign key's CASCADE), so the second index only cost every outbox INSERT a page.
Dropped by name, not by AlterField, which on SQLite copies the whole outbox table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEX = "notify_outboxmessage_recipient_user_id_5dcf6d16"  # the name Django gave it (0001)


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0003_outbox_body_encrypted"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="outboxmessage",
                    name="recipient_user",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recipient user",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=(
                        f'CREATE INDEX "{INDEX}" ON "notify_outboxmessage" ("recipient_user_id")'
                    ),
                ),
            ],
        ),
    ]
