"""Page weight of the apply and track pages: HTML plus the CSS and JavaScript they load.

Applicants are often on slow, metered mobile connections, so the two pages
they use most have a budget. The numbers are printed (run with -s) for the README.
"""

from __future__ import annotations

import gzip
import re

import pytest
from django.test import Client

from tests.portal.conftest import APPLY, submit

pytestmark = pytest.mark.django_db

ASSETS = re.compile(r'<(?:link rel="(?:stylesheet|icon)" href|script src)="([^"]+)"')
# Bytes, uncompressed and gzip-compressed (as WhiteNoise serves static files in production).
BUDGET_RAW = 100_000
BUDGET_GZIP = 30_000


def _weigh(client: Client, url: str) -> tuple[int, int, list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content
    bodies = [html]
    assets = ASSETS.findall(html.decode())
    for asset in assets:
        static = client.get(asset)
        assert static.status_code == 200, asset
        bodies.append(b"".join(static.streaming_content) if static.streaming else static.content)
    raw = sum(len(body) for body in bodies)
    compressed = sum(len(gzip.compress(body, 6)) for body in bodies)
    return raw, compressed, assets


def test_apply_and_track_pages_stay_within_the_page_weight_budget(demo, client, capsys):
    case, _code = submit(client)
    results = {
        "apply (izin-usaha-mikro)": _weigh(client, APPLY),
        "apply step 3 of 3 (documents)": _weigh(client, APPLY + "langkah/3/"),
        "track (case page)": _weigh(client, f"/lacak/{case.tracking_number}/"),
    }
    with capsys.disabled():
        for page, (raw, compressed, assets) in results.items():
            print(f"\npage weight {page}: {raw:,} B raw, {compressed:,} B gzip; "
                  f"{len(assets)} assets: {', '.join(assets)}")  # fmt: skip
    for raw, compressed, _assets in results.values():
        assert raw < BUDGET_RAW
        assert compressed < BUDGET_GZIP
