"""How Loket writes numbers and picks the reader's language, in one place."""

from __future__ import annotations

from django.utils.translation import get_language


def group_digits(value: int) -> str:
    """Indonesian digit grouping: 50000000 -> "50.000.000"."""
    return f"{value:,}".replace(",", ".")


def ui_language() -> str:
    """The active UI language reduced to the two Loket speaks: "id" (default) or "en"."""
    return "en" if (get_language() or "id").startswith("en") else "id"
