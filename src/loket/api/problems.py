"""RFC 9457 problem details."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse


def problem(
    status: int, title: str, detail: str, *, code: str | None = None, **extra: Any
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": f"https://loket.example/problems/{code}" if code else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/problem+json"
    )
