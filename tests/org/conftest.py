from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """Assertions read the English source messages; the default language is Indonesian."""
    with translation.override("en"):
        yield
