"""Tagged PDF (PDF/UA-1) from an HTML template, with WeasyPrint (docs/decisions/0025).

A screen reader reads a tagged PDF in order, with headings, tables and the text
of its pictures (the crest's and the QR code's `alt`); `<html lang>` becomes the
document's /Lang and `<title>` its title, shown instead of the file name.

Nothing is fetched while rendering: the fonts (Bitstream Vera, as on the
licence) and pictures go in as data: URIs and every other address is refused,
so a value printed on a document can never make the renderer read a file or
the network. Output is the same bytes for the same input.
"""

from __future__ import annotations

import atexit
import base64
import threading
from functools import cache
from pathlib import Path
from typing import Any

import reportlab
import segno
from django.template.loader import render_to_string
from PIL import ImageFile

PDF_VARIANT = "pdf/ua-1"
_FONTS = Path(reportlab.__file__).parent / "fonts"
# A fixed mask, as on the licence: segno would otherwise score all eight.
QR_MASK = 0


class RendererUnavailable(RuntimeError):
    """WeasyPrint's system libraries (Pango) are missing: scripts/ensure-pango."""


def data_uri(content: bytes, mime_type: str) -> str:
    return f"data:{mime_type};base64,{base64.b64encode(content).decode('ascii')}"


def qr_svg(data: str) -> str:
    """A QR code as an SVG data URI: vector squares, sharp in print and at any zoom."""
    qr = segno.make(data, error="m", micro=False, mask=QR_MASK)
    return str(qr.svg_data_uri(scale=4, border=4, dark="#000", light="#fff"))


@cache
def font_faces() -> str:
    """@font-face rules for the embedded fonts (read once per process)."""
    faces = []
    for file, weight, style in (
        ("Vera.ttf", "normal", "normal"),
        ("VeraBd.ttf", "bold", "normal"),
        ("VeraIt.ttf", "normal", "italic"),
        ("VeraBI.ttf", "bold", "italic"),
    ):
        uri = data_uri((_FONTS / file).read_bytes(), "font/ttf")
        faces.append(
            f'@font-face {{ font-family: "Loket Vera"; src: url("{uri}"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(faces)


def _weasyprint() -> tuple[Any, Any]:
    """WeasyPrint's HTML and URLFetcher, imported on first use (its import loads Pango).

    Importing it sets Pillow's process-wide LOAD_TRUNCATED_IMAGES to True, which
    would let a truncated JPEG through the upload checks (loket.documents.uploads):
    the setting is put back. Loket only gives WeasyPrint pictures it made or checked.
    """
    truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except OSError as exc:  # cffi could not open Pango
        raise RendererUnavailable(f"WeasyPrint cannot load its libraries: {exc}") from exc
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated
    return HTML, URLFetcher


def no_fetching() -> Any:
    """Only data: URIs; anything else stops the rendering."""
    _html, url_fetcher = _weasyprint()
    return url_fetcher(allowed_protocols=("data",), fail_on_errors=True)


_PER_THREAD = threading.local()


@atexit.register
def _drop_fonts() -> None:
    # While the modules are still there: a font configuration cleans up in __del__.
    _PER_THREAD.__dict__.pop("fonts", None)


def _fonts() -> tuple[Any, Any]:
    """The @font-face stylesheet and the font configuration it loaded, made once per
    thread: parsing the embedded fonts was a quarter of every rendering, and a font
    configuration is not shared between threads."""
    made = getattr(_PER_THREAD, "fonts", None)
    if made is None:
        _weasyprint()
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        css = CSS(string=font_faces(), font_config=font_config, url_fetcher=no_fetching())
        made = _PER_THREAD.fonts = (css, font_config)
    return made


def render(template: str, context: dict[str, Any]) -> bytes:
    """The template (auto-escaped) as a tagged PDF/UA-1 document."""
    html_document, _url_fetcher = _weasyprint()
    css, font_config = _fonts()
    html = render_to_string(template, context)
    document = html_document(string=html, url_fetcher=no_fetching())
    pdf: bytes = document.write_pdf(
        stylesheets=[css],
        font_config=font_config,
        pdf_variant=PDF_VARIANT,
        uncompressed_pdf=False,
    )
    return pdf
