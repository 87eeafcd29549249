"""Read-only queries of the applicant portal."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from loket.cases.models import Case
from loket.catalog import selectors as catalog_selectors
from loket.catalog.models import Service, ServiceVersion


def cases_of_user(user: Any) -> QuerySet[Case]:
    """The applications a signed-in applicant submitted, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return (
        Case.objects.filter(applicant_user_id=user.pk)
        .select_related("service")
        .order_by("-submitted_at", "-pk")
    )


def search_services(query: str) -> list[tuple[Service, ServiceVersion]]:
    """Published services (with their current version) whose name in either language
    or code contains every word of `query`; the catalogue comes from the cache."""
    words = [word.casefold() for word in query.split()[:8]]
    found = []
    for service, version in catalog_selectors.published_catalogue():
        text = " ".join((service.name, service.name_en, service.code)).casefold()
        if all(word in text for word in words):
            found.append((service, version))
    return found
