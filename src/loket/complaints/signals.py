"""Open311 rows follow their agency's time zone when it changes (admin edits too).

The rows are pre-rendered with times in the agency's zone (`public_rows`); the org app
cannot call complaints, so complaints watches the agency. Rendering every row again
can take minutes at a million complaints, so it runs in the worker, after the change
commits; `loket complaint-rows refresh` does the same by hand."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from loket.org.models import Agency


@receiver(pre_save, sender=Agency)
def note_zone_before(sender: type[Any], instance: Agency, **kwargs: Any) -> None:
    if kwargs.get("raw") or instance.pk is None:
        return
    fields = kwargs.get("update_fields")
    if fields is not None and "time_zone" not in fields:
        return
    before = Agency.objects.filter(pk=instance.pk).values_list("time_zone", flat=True).first()
    instance._complaint_zone_before = before  # type: ignore[attr-defined]


@receiver(post_save, sender=Agency)
def render_rows_again(sender: type[Any], instance: Agency, **kwargs: Any) -> None:
    before = getattr(instance, "_complaint_zone_before", None)
    instance.__dict__.pop("_complaint_zone_before", None)
    if kwargs.get("created") or before is None or before == instance.time_zone:
        return
    from loket.complaints.tasks import refresh_agency_rows

    agency_id = instance.pk
    transaction.on_commit(lambda: refresh_agency_rows.enqueue(agency_id))
