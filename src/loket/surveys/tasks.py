"""Background work of surveys: each task calls one operation."""

from __future__ import annotations

from django_tasks import task

from loket.surveys import services


@task()
def close_ended_periods() -> int:
    """Close survey periods past their last day, dropping their links to cases (the
    survey stays anonymous); run hourly by `loket worker`."""
    return services.close_ended_periods()
