"""`{% complaints_on_case case %}`: the complaints filed about an application.

Officers of the case see that there is a complaint and its stage, not its content;
the applicant (who filed it) sees it with a link to follow it.
"""

from __future__ import annotations

from typing import Any

from django import template

from loket.complaints import selectors

register = template.Library()


@register.inclusion_tag("complaints/_on_case.html")
def complaints_on_case(case: Any, *, for_applicant: bool = False) -> dict[str, Any]:
    return {
        # The case row says whether there are any: no query on most tracking pages.
        "complaints": selectors.complaints_on_case(case.pk)
        if getattr(case, "has_complaints", True)
        else [],
        "for_applicant": for_applicant,
    }
