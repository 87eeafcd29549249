"""Read-only queries of the applicant portal."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from loket.cases.models import Case
from loket.catalog import selectors as catalog_selectors
from loket.catalog.models import Service


def cases_of_user(user: Any) -> QuerySet[Case]:
    """The applications a signed-in applicant submitted, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return (
        Case.objects.filter(applicant_user_id=user.pk)
        .select_related("service")
        .order_by("-submitted_at", "-pk")
    )


def search_services(query: str) -> QuerySet[Service]:
    """Published services whose name (either language) or code contains every word of `query`."""
    services = catalog_selectors.published_services()
    for word in query.split()[:8]:
        services = services.filter(
            Q(name__icontains=word) | Q(name_en__icontains=word) | Q(code__icontains=word)
        )
    return services
