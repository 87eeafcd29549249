"""Small real files of each kind, made on the fly."""

from __future__ import annotations

import io

from PIL import Image
from reportlab.pdfgen.canvas import Canvas


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def pdf_bytes(text: str = "KTP pemohon") -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=True)
    canvas.drawString(72, 720, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def encrypted_pdf_bytes(password: str = "rahasia") -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=True, encrypt=password)
    canvas.drawString(72, 720, "secret")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


class NamedBytesIO(io.BytesIO):
    """A file-like object with a name, as Django's uploaded files have."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


class CountingReader(io.BytesIO):
    """Records how many bytes were read, to prove reading stops early."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def pdf_with_open_action_script(script: str = "app.alert('pwned')") -> bytes:
    """A valid PDF that runs JavaScript when opened (/OpenAction), added the way an
    editing tool would: as an incremental update."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes()))
    action = generic.DictionaryObject(
        {
            generic.NameObject("/S"): generic.NameObject("/JavaScript"),
            generic.NameObject("/JS"): generic.TextStringObject(script),
        }
    )
    writer.root[generic.NameObject("/OpenAction")] = writer.add_object(action)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
