"""Read-only questions about accounts."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from loket.org.models import Officer


def is_officer(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the account belongs to an officer (active or not): such accounts sign in
    through the workspace, never the applicant portal."""
    if user.pk is None:
        return False
    return Officer.objects.filter(user_id=user.pk).exists()


def active_officer(user: AbstractBaseUser | AnonymousUser) -> Officer | None:
    """The user's officer record if both the record and the account are active."""
    if user.pk is None or not user.is_active:
        return None
    return Officer.objects.filter(user_id=user.pk, is_active=True).select_related("agency").first()
