"""Uploads are judged by their content: type, size and structure."""

from __future__ import annotations

import contextlib
import hashlib
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from loket.core.errors import ValidationError
from loket.documents.uploads import CHUNK_SIZE, display_name, inspect

from .samples import (
    CountingReader,
    NamedBytesIO,
    encrypted_pdf_bytes,
    jpeg_bytes,
    pdf_bytes,
    pdf_with_open_action_script,
    png_bytes,
)

ALL = ["pdf", "jpeg", "png"]
MB = 1024 * 1024


@pytest.mark.parametrize(
    ("make", "kind", "content_type"),
    [(pdf_bytes, "pdf", "application/pdf"), (jpeg_bytes, "jpeg", "image/jpeg"),
     (png_bytes, "png", "image/png")],
)  # fmt: skip
def test_each_allowed_kind_is_recognised_from_its_content(make, kind, content_type):
    data = make()
    result = inspect(io.BytesIO(data), allowed_types=ALL, max_bytes=MB, field="ktp")
    assert result.kind == kind
    assert result.content_type == content_type
    assert result.size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()


def test_a_png_named_pdf_is_refused_saying_what_it_really_is():
    upload = NamedBytesIO(png_bytes(), "ktp.pdf")
    with pytest.raises(ValidationError) as refused:
        inspect(upload, allowed_types=["pdf"], max_bytes=MB, field="ktp")
    assert refused.value.field == "ktp"
    assert refused.value.message == "ktp.pdf: the file is a PNG image, not a PDF"


def test_the_message_lists_every_allowed_kind():
    upload = NamedBytesIO(b"GIF89a" + b"\x00" * 40, "foto.gif")
    with pytest.raises(ValidationError) as refused:
        inspect(upload, allowed_types=["jpeg", "png"], max_bytes=MB)
    assert (
        refused.value.message
        == "foto.gif: the file is a GIF image, not a JPEG image or a PNG image"
    )


def test_an_unrecognised_file_is_refused():
    with pytest.raises(ValidationError) as refused:
        inspect(NamedBytesIO(b"hello world", "surat.pdf"), allowed_types=["pdf"], max_bytes=MB)
    assert "not recognised" in refused.value.message


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as refused:
        inspect(NamedBytesIO(b"", "kosong.pdf"), allowed_types=ALL, max_bytes=MB)
    assert refused.value.message == "kosong.pdf: the file is empty"


def test_an_oversized_stream_is_refused_without_reading_it_all():
    data = b"%PDF-1.7\n" + b"0" * (5 * MB)
    reader = CountingReader(data)
    with pytest.raises(ValidationError) as refused:
        inspect(reader, allowed_types=["pdf"], max_bytes=2 * MB, field="ktp", name="ktp.pdf")
    assert refused.value.message == "ktp.pdf: too large: the limit is 2 MB"
    assert reader.bytes_read <= 2 * MB + CHUNK_SIZE


def test_a_declared_size_over_the_limit_is_refused_with_the_size():
    upload = NamedBytesIO(b"", "ktp.pdf")
    upload.size = int(3.2 * MB)  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as refused:
        inspect(upload, allowed_types=["pdf"], max_bytes=2 * MB)
    assert refused.value.message == "ktp.pdf: too large: 3.2 MB, the limit is 2 MB"
    assert refused.value.code == "upload_too_large"


def test_a_file_exactly_at_the_limit_is_accepted():
    data = png_bytes()
    assert inspect(io.BytesIO(data), allowed_types=["png"], max_bytes=len(data)).size == len(data)


def test_a_truncated_pdf_is_refused_as_damaged():
    data = pdf_bytes()
    with pytest.raises(ValidationError) as refused:
        inspect(NamedBytesIO(data[:120], "ktp.pdf"), allowed_types=["pdf"], max_bytes=MB)
    assert refused.value.message == "ktp.pdf: the PDF is damaged and cannot be opened"


def test_a_pdf_header_on_garbage_is_refused_as_damaged():
    with pytest.raises(ValidationError) as refused:
        inspect(io.BytesIO(b"%PDF-1.4\n" + b"x" * 500), allowed_types=["pdf"], max_bytes=MB)
    assert "damaged" in refused.value.message


def test_a_password_protected_pdf_is_refused():
    upload = NamedBytesIO(encrypted_pdf_bytes(), "rahasia.pdf")
    with pytest.raises(ValidationError) as refused:
        inspect(upload, allowed_types=["pdf"], max_bytes=MB)
    assert "password" in refused.value.message


def test_a_truncated_jpeg_is_refused_as_damaged():
    buffer = io.BytesIO()
    Image.effect_noise((300, 300), 80).convert("RGB").save(buffer, format="JPEG")
    data = buffer.getvalue()
    with pytest.raises(ValidationError) as refused:
        inspect(NamedBytesIO(data[: len(data) // 2], "foto.jpg"), allowed_types=["jpeg"],
                max_bytes=MB)  # fmt: skip
    assert refused.value.message == "foto.jpg: the image is damaged and cannot be opened"


def test_a_png_with_a_broken_checksum_is_refused():
    data = bytearray(png_bytes())
    data[-20] ^= 0xFF  # inside the image data chunk
    with pytest.raises(ValidationError):
        inspect(io.BytesIO(bytes(data)), allowed_types=["png"], max_bytes=MB)


def test_an_image_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(ValidationError) as refused:
        inspect(io.BytesIO(png_bytes((50, 50))), allowed_types=["png"], max_bytes=MB)
    assert "too many pixels" in refused.value.message


def test_an_unknown_allowed_type_is_a_programming_error():
    with pytest.raises(ValueError, match="unsupported upload types"):
        inspect(io.BytesIO(b"x"), allowed_types=["docx"], max_bytes=MB)


@pytest.mark.parametrize(
    ("given_name", "shown"),
    [("../../etc/passwd", "passwd"), ("C:\\Users\\sri\\KTP Sri.pdf", "KTP_Sri.pdf"),
     ("", "file"), ("..", "file"), ("a\x00b.png", "ab.png"), (".htaccess", "htaccess")],
)  # fmt: skip
def test_file_names_are_reduced_to_a_safe_label(given_name, shown):
    assert display_name(given_name) == shown


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from([b"", b"%PDF-", b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"]),
    body=st.binary(max_size=4096),
)
def test_random_bytes_only_ever_raise_validation_error(prefix, body):
    try:
        result = inspect(io.BytesIO(prefix + body), allowed_types=ALL, max_bytes=2048)
    except ValidationError as refused:
        assert refused.message
    else:
        assert result.kind in ALL


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_mutated_real_files_only_ever_raise_validation_error(data):
    original = bytearray(data.draw(st.sampled_from([pdf_bytes(), png_bytes(), jpeg_bytes()])))
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(original) - 1))
        original[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(original)))
    with contextlib.suppress(ValidationError):
        inspect(io.BytesIO(bytes(original[:cut])), allowed_types=ALL, max_bytes=MB)


def test_the_capped_upload_handler_keeps_no_bytes_past_the_cap_but_knows_the_size(settings):
    from loket.documents.uploads import CappedUploadHandler

    settings.LOKET_MAX_UPLOAD_BYTES = 1000
    handler = CappedUploadHandler()
    handler.new_file("ktp", "ktp.pdf", "application/pdf", None)
    for start in range(0, 5000, 500):
        handler.receive_data_chunk(b"x" * 500, start)
    uploaded = handler.file_complete(5000)
    uploaded.seek(0)
    assert len(uploaded.read()) <= 1000
    with pytest.raises(ValidationError) as refused:
        inspect(uploaded, allowed_types=["pdf"], max_bytes=1000)
    assert "too large" in refused.value.message
    uploaded.close()


def test_a_pdf_that_runs_a_script_when_opened_is_refused():
    upload = NamedBytesIO(pdf_with_open_action_script(), "ktp.pdf")
    with pytest.raises(ValidationError) as refused:
        inspect(upload, allowed_types=["pdf"], max_bytes=MB, field="ktp")
    assert refused.value.field == "ktp"
    assert refused.value.code == "upload_active"
    assert "scripts" in refused.value.message
