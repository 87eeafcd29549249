from django.db import migrations

import loket.core.pii


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_access_lockout"),
    ]

    operations = [
        # Existing rows get an empty card and are served from their columns (cases.applicant_card).
        migrations.AddField(
            model_name="case",
            name="applicant_card",
            field=loket.core.pii.EncryptedJSONField(
                blank=True, default=dict, editable=False, verbose_name="applicant card (encrypted)"
            ),
        ),
    ]
