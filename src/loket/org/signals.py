"""React to edits of the organisation (admin included).

- Bump the organisation revision on every change to who may act for what: the
  cached appointments of every process are checked against it (ADR 0022's
  companion, `org/cache.py`).
- Drop this process's cached position titles and site agency (ADR 0023); other
  processes refresh theirs within minutes (display only, never authority).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from loket.org import branding, cache, titles
from loket.org.models import Agency, Appointment, Officer, Position


@receiver([post_save, post_delete], sender=Appointment)
@receiver([post_save, post_delete], sender=Officer)
@receiver([post_save, post_delete], sender=Position)
@receiver([post_save, post_delete], sender=Agency)
def organisation_changed(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    # In the saving transaction: the new revision commits with the change or not at all.
    cache.bump()


@receiver([post_save, post_delete], sender=get_user_model())
def account_changed(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    # A sign-in saves only `last_login` (update_fields): not an authority change, and
    # bumping there would empty every process's cache at each sign-in.
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "is_active" not in update_fields:
        return
    cache.bump()


@receiver([post_save, post_delete], sender=Position)
def position_changed(sender: type[Any], instance: Position, **kwargs: Any) -> None:
    titles.clear(int(instance.agency_id))


@receiver([post_save, post_delete], sender=Agency)
def agency_changed(sender: type[Any], instance: Agency, **kwargs: Any) -> None:
    branding.forget_site_agency()
