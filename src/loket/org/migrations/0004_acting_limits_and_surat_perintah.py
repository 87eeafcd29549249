from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0003_translatable_field_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="agency",
            name="max_plt_days",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Empty: no limit. With a limit, a Plt designation needs an end date.",
                null=True,
                verbose_name="longest Plt appointment (days)",
            ),
        ),
        migrations.AddField(
            model_name="agency",
            name="max_plh_days",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Empty: no limit. With a limit, a Plh designation needs an end date.",
                null=True,
                verbose_name="longest Plh appointment (days)",
            ),
        ),
        migrations.AddField(
            model_name="agency",
            name="acting_warning_days",
            field=models.PositiveIntegerField(
                default=14,
                verbose_name="warn acting officials this many days before their appointment ends",
            ),
        ),
        migrations.AlterField(
            model_name="appointment",
            name="decree_number",
            field=models.CharField(
                blank=True,
                max_length=120,
                verbose_name="number of the SK (definitive) or Surat Perintah (Plt/Plh)",
            ),
        ),
    ]
