"""Inspect uploaded files: the type comes from the content, never from the name.

`inspect` reads a file in chunks, refuses it as soon as it grows past the
limit, recognises PDF, JPEG and PNG by their magic bytes and then checks that
the structure really opens (pyHanko's PDF reader, Pillow for images), so a
renamed, truncated or corrupt file is refused with a message that names the
file and what is wrong. Anything it refuses raises `ValidationError`; no other
exception escapes for any input.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.formats import number_format
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import Image

from loket.core.errors import ValidationError

CHUNK_SIZE = 64 * 1024
# Spooled copies of uploads stay in memory up to this size, then go to disk.
SPOOL_MEMORY_BYTES = 1024 * 1024
MEGABYTE = 1024 * 1024
# A phone photo of an ID card is 12-50 megapixels; more is a decompression bomb.
DEFAULT_MAX_IMAGE_PIXELS = 50_000_000


@dataclass(frozen=True)
class FileKind:
    code: str
    content_type: str
    extension: str
    label: str  # English source text (marked with N_), translated when a message is built


# The kinds a service definition may allow (`types: [pdf, jpeg, png]`).
KINDS: dict[str, FileKind] = {
    "pdf": FileKind("pdf", "application/pdf", "pdf", gettext_noop("a PDF")),
    "jpeg": FileKind("jpeg", "image/jpeg", "jpg", gettext_noop("a JPEG image")),
    "png": FileKind("png", "image/png", "png", gettext_noop("a PNG image")),
}

# Magic bytes of the accepted kinds, and of common kinds people upload by
# mistake so the message can say what the file actually is.
_SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", gettext_noop("a GIF image")),
    (b"GIF89a", gettext_noop("a GIF image")),
    (b"PK\x03\x04", gettext_noop("a ZIP archive or office document")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", gettext_noop("an old-style office document")),
    (b"II*\x00", gettext_noop("a TIFF image")),
    (b"MM\x00*", gettext_noop("a TIFF image")),
    (b"BM", gettext_noop("a BMP image")),
    (b"Rar!\x1a\x07", gettext_noop("a RAR archive")),
    (b"\x7fELF", gettext_noop("a program")),
    (b"MZ", gettext_noop("a program")),
]


@dataclass(frozen=True)
class Inspected:
    """What the content of an accepted upload is."""

    kind: str  # "pdf" | "jpeg" | "png"
    size: int  # bytes
    sha256: str  # hex digest of the content
    content_type: str


def inspect(
    fileobj: IO[bytes] | Any,
    *,
    allowed_types: Iterable[str],
    max_bytes: int,
    field: str = "file",
    name: str | None = None,
) -> Inspected:
    """Check an upload and say what it is; raise `ValidationError(field=field)` if refused.

    `fileobj` is read from its current position to the end; it is not closed.
    """
    inspected, spool = inspect_to_spool(
        fileobj, allowed_types=allowed_types, max_bytes=max_bytes, field=field, name=name
    )
    spool.close()
    return inspected


def inspect_to_spool(
    fileobj: IO[bytes] | Any,
    *,
    allowed_types: Iterable[str],
    max_bytes: int,
    field: str = "file",
    name: str | None = None,
) -> tuple[Inspected, IO[bytes]]:
    """Like `inspect`, also returning a rewound private copy of the content to store.

    The caller closes the copy. Reading the source once and keeping our own
    copy means a non-seekable stream (a request body) can be checked and stored.
    """
    allowed = _allowed_kinds(allowed_types)
    label = display_name(name if name is not None else getattr(fileobj, "name", "") or "")
    declared = getattr(fileobj, "size", None)
    # Django's upload handlers know the full size before the view runs: refuse
    # without reading anything when it is already over the limit.
    if isinstance(declared, int) and declared > max_bytes:
        raise _refuse(label, field, _too_large_message(declared, max_bytes), "too_large")
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115
    try:
        size, sha256 = _copy_limited(fileobj, spool, max_bytes, label, field)
        if size == 0:
            raise _refuse(label, field, _("the file is empty"), "empty")
        spool.seek(0)
        head = spool.read(16)
        kind = _kind_from_magic(head)
        if kind not in allowed:
            raise _refuse(label, field, _wrong_type_message(kind, allowed), "wrong_type")
        spool.seek(0)
        _check_structure(kind, spool, label, field)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return Inspected(kind, size, sha256, KINDS[kind].content_type), spool


def display_name(original_name: str) -> str:
    """A safe, short version of a user-supplied file name for messages and storage records.

    Keeps letters (any script), digits, dots, dashes and underscores; drops
    directories and control characters. Never empty.
    """
    base = original_name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    try:
        cleaned = get_valid_filename(base)
    except Exception:  # Django raises SuspiciousFileOperation for "", ".", ".."
        cleaned = ""
    cleaned = cleaned.lstrip(".")
    if len(cleaned) > 120:
        stem, ext = os.path.splitext(cleaned)
        cleaned = stem[: 120 - len(ext[:10])] + ext[:10]
    return cleaned or "file"


class CappedUploadHandler(TemporaryFileUploadHandler):
    """Stop keeping an uploaded file's bytes once it passes `LOKET_MAX_UPLOAD_BYTES`.

    Django still counts the remaining bytes (the request body has to be read),
    so the file's `size` is the true size and `inspect` refuses it at once,
    but an oversized upload never fills the disk. Install it in
    `FILE_UPLOAD_HANDLERS` or per view via `request.upload_handlers`.
    """

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        from django.conf import settings

        self.cap = int(getattr(settings, "LOKET_MAX_UPLOAD_BYTES", 10 * MEGABYTE))
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.cap:
            return None  # swallow: the size is recorded, the bytes are not
        return super().receive_data_chunk(raw_data, start)


# -- internals --------------------------------------------------------------


def _allowed_kinds(allowed_types: Iterable[str]) -> list[str]:
    allowed = [t.strip().lower() for t in allowed_types]
    allowed = ["jpeg" if t == "jpg" else t for t in allowed]
    unknown = [t for t in allowed if t not in KINDS]
    if unknown or not allowed:
        # A programming or definition error, not the applicant's: say so plainly.
        raise ValueError(f"unsupported upload types {unknown or allowed!r}; known: {list(KINDS)}")
    return allowed


def _copy_limited(
    source: Any, target: IO[bytes], max_bytes: int, label: str, field: str
) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while True:
        chunk = source.read(CHUNK_SIZE)
        if not chunk:
            break
        if isinstance(chunk, str):
            raise TypeError("uploads must be opened in binary mode")
        size += len(chunk)
        if size > max_bytes:
            raise _refuse(label, field, _too_large_message(None, max_bytes), "too_large")
        digest.update(chunk)
        target.write(chunk)
    return size, digest.hexdigest()


def _kind_from_magic(head: bytes) -> str:
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    return ""


def _check_structure(kind: str, content: IO[bytes], label: str, field: str) -> None:
    if kind == "pdf":
        _check_pdf(content, label, field)
    else:
        _check_image(kind, content, label, field)


def _check_pdf(content: IO[bytes], label: str, field: str) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    damaged = _("the PDF is damaged and cannot be opened")
    try:
        reader = PdfFileReader(content, strict=False)
        if reader.encrypted:
            # An owner-password-only PDF opens with the empty user password;
            # one that needs a password is useless to the officer reviewing it.
            result = reader.decrypt(b"")
            if getattr(result.status, "name", "") == "FAILED":
                raise _refuse(
                    label, field, _("the PDF is password-protected; upload it without a password"),
                    "encrypted",
                )  # fmt: skip
        pages = reader.root["/Pages"]
        page_count = int(pages["/Count"])
        # Resolving the first page proves the page tree is reachable, not just declared.
        if page_count < 1 or reader.find_page_for_modification(0) is None:
            raise _refuse(label, field, _("the PDF has no pages"), "damaged")
        if has_active_content(reader):
            raise _refuse(
                label, field,
                _("the PDF contains scripts or automatic actions; save it again as a plain "
                  "PDF (print to PDF) and upload that"),
                "active",
            )  # fmt: skip
    except ValidationError:
        raise
    except Exception as exc:
        # Parsers of untrusted input fail in many ways (PdfReadError, KeyError,
        # RecursionError...); to the applicant they all mean the same thing.
        raise _refuse(label, field, damaged, "damaged") from exc


# Keys and action types that make a PDF do something when opened or clicked: scripts,
# launching programs, sending form data, XFA forms, embedded media.
_ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/XFA", "/RichMedia"})
_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/Rendition"})
# Objects visited at most; a PDF with more is refused as active rather than let through
# unread (a scan of a few pages has far fewer).
_MAX_PDF_OBJECTS = 200_000


def has_active_content(reader: Any) -> bool:
    """True if any object reachable from the PDF's trailer is an action or script.

    Walks the object graph (through object streams, which raw-byte scanning would miss)
    without decoding content streams, visiting each indirect object once.
    """
    from pyhanko.pdf_utils import generic

    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.trailer_view]
    visited = 0
    while stack:
        node = stack.pop()
        visited += 1
        if visited > _MAX_PDF_OBJECTS:
            return True
        if isinstance(node, generic.IndirectObject):
            ref = (node.idnum, node.generation)
            if ref in seen:
                continue
            seen.add(ref)
            stack.append(node.get_object())
        elif isinstance(node, dict):
            if _ACTIVE_KEYS.intersection(node) or str(node.get("/S", "")) in _ACTIVE_ACTIONS:
                return True
            stack.extend(value for key, value in node.items() if key != "/Parent")
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _check_image(kind: str, content: IO[bytes], label: str, field: str) -> None:
    pil_format = {"jpeg": "JPEG", "png": "PNG"}[kind]
    limit = max_image_pixels()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(content, formats=[pil_format]) as image:
                # Opening reads only the header: refuse a decompression bomb before
                # decoding a single pixel.
                if image.width * image.height > limit:
                    raise _refuse(label, field, _too_many_pixels(image, limit), "too_large")
                image.verify()  # checksums (PNG) and structure
            content.seek(0)
            with Image.open(content, formats=[pil_format]) as image:
                image.load()  # decode every pixel: catches truncated JPEGs
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(label, field, _("the image has too many pixels"), "too_large") from exc
    except Exception as exc:
        # Translated only when refusing: most images pass.
        damaged = _("the image is damaged and cannot be opened")
        raise _refuse(label, field, damaged, "damaged") from exc


def max_image_pixels() -> int:
    from django.conf import settings

    return int(getattr(settings, "LOKET_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS))


def _too_many_pixels(image: Image.Image, limit: int) -> str:
    return _("the image is %(width)s × %(height)s pixels; the limit is %(limit)s megapixels") % {
        "width": image.width,
        "height": image.height,
        "limit": number_format(limit / 1_000_000, decimal_pos=0 if limit % 1_000_000 == 0 else 1),
    }


def _refuse(label: str, field: str, problem: str, code: str) -> ValidationError:
    return ValidationError(
        _("%(name)s: %(problem)s") % {"name": label, "problem": problem},
        field=field,
        code=f"upload_{code}",
    )


def format_megabytes(size: int) -> str:
    """Size in MB for people: one decimal, none when whole (3.2 MB, 2 MB), localised."""
    # Rounded up, so a file just over the limit never reads as "2 MB, the limit is 2 MB".
    tenths = math.ceil(size * 10 / MEGABYTE)
    if tenths % 10 == 0:
        return number_format(tenths // 10)
    return number_format(tenths / 10, decimal_pos=1)


def _too_large_message(size: int | None, max_bytes: int) -> str:
    limit = format_megabytes(max_bytes)
    if size is None:
        return _("too large: the limit is %(limit)s MB") % {"limit": limit}
    return _("too large: %(size)s MB, the limit is %(limit)s MB") % {
        "size": format_megabytes(size),
        "limit": limit,
    }


def _wrong_type_message(kind: str, allowed: list[str]) -> str:
    wanted = _or_list([_(KINDS[k].label) for k in allowed])
    if not kind:
        return _("the file type is not recognised; upload %(wanted)s") % {"wanted": wanted}
    actual = _(KINDS[kind].label) if kind in KINDS else _(kind)
    return _("the file is %(actual)s, not %(wanted)s") % {"actual": actual, "wanted": wanted}


def _or_list(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("%(first)s or %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


__all__ = [
    "KINDS",
    "CappedUploadHandler",
    "Inspected",
    "display_name",
    "format_megabytes",
    "inspect",
    "inspect_to_spool",
]
