"""Images that are small on disk but huge in memory are refused before they are decoded."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image

from loket.core.errors import ValidationError
from loket.documents.uploads import inspect

from .samples import png_bytes

MB = 1024 * 1024


def _blank_png(width: int, height: int) -> bytes:
    # One bit per pixel and all zeros: a few hundred kilobytes for tens of megapixels.
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def test_an_88_megapixel_png_is_refused_by_pixel_count_without_decoding_it():
    data = _blank_png(11_000, 8_000)  # 88 MP: under Pillow's own bomb threshold
    assert len(data) < 2 * MB
    started = time.monotonic()

    with pytest.raises(ValidationError) as caught:
        inspect(io.BytesIO(data), allowed_types=["png"], max_bytes=10 * MB, field="foto_lokasi")

    assert caught.value.field == "foto_lokasi"
    assert caught.value.code == "upload_too_large"
    assert "11000 × 8000" in caught.value.message
    assert time.monotonic() - started < 1.5  # only the header was read


def test_the_pixel_limit_is_a_setting(settings):
    settings.LOKET_MAX_IMAGE_PIXELS = 1_000

    with pytest.raises(ValidationError) as caught:
        inspect(io.BytesIO(png_bytes((40, 30))), allowed_types=["png"], max_bytes=MB)

    assert caught.value.code == "upload_too_large"


def test_an_image_within_the_pixel_limit_is_accepted(settings):
    settings.LOKET_MAX_IMAGE_PIXELS = 1_200

    inspected = inspect(io.BytesIO(png_bytes((40, 30))), allowed_types=["png"], max_bytes=MB)

    assert inspected.kind == "png"
