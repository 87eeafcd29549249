"""Drop this process's cached position titles and site agency when they are edited here."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from loket.org import branding, titles
from loket.org.models import Agency, Position


@receiver([post_save, post_delete], sender=Position)
def position_changed(sender: type[Any], instance: Position, **kwargs: Any) -> None:
    titles.clear(int(instance.agency_id))


@receiver([post_save, post_delete], sender=Agency)
def agency_changed(sender: type[Any], instance: Agency, **kwargs: Any) -> None:
    branding.forget_site_agency()
