from django.conf import settings
from django.db import migrations


def render_in_agency_zone(apps, schema_editor):
    # Rows were rendered in the site's zone; agencies in another zone (WITA, WIT) get
    # theirs again in their own (loket.complaints.public_rows).
    from loket.complaints import public_rows

    Agency = apps.get_model("org", "Agency")
    Complaint = apps.get_model("complaints", "Complaint")
    for agency in Agency.objects.exclude(time_zone=settings.TIME_ZONE):
        zone = public_rows.zone_named(agency.time_zone)
        pending = Complaint.objects.filter(agency_id=agency.pk).order_by("pk")
        last = 0
        while batch := list(pending.filter(pk__gt=last)[:2000]):
            for complaint in batch:
                public_rows.refresh(complaint, zone)
            Complaint.objects.bulk_update(batch, ["public_json", "public_xml"])
            last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0003_unit_counts"),
        ("org", "0005_agency_time_zone"),
    ]

    operations = [migrations.RunPython(render_in_agency_zone, migrations.RunPython.noop)]
