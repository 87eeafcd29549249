"""Bump the catalogue revision on every change the catalogue shows (admin edits too)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from loket.catalog import cache
from loket.catalog.models import Service, ServiceVersion
from loket.org.models import Agency, Unit


@receiver([post_save, post_delete], sender=Service)
@receiver([post_save, post_delete], sender=ServiceVersion)
@receiver([post_save, post_delete], sender=Agency)
@receiver([post_save, post_delete], sender=Unit)
def catalogue_changed(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    # In the saving transaction: the new revision commits with the change or not at all.
    cache.bump()
