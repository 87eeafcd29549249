"""Who runs this site: the agency's name and crest, for headers, receipts and licences.

A site normally serves one agency (`LOKET_SITE_AGENCY`, its code; by default the
only agency there is). Its crest is kept as a PNG in the database, re-encoded on
upload so nothing but pixels is served back (no SVG scripts, no metadata), and
served under its digest so browsers may keep it forever.
"""

from __future__ import annotations

import hashlib
import io
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from loket.core.errors import ValidationError
from loket.org.models import Agency

CREST_MAX_BYTES = 512 * 1024
CREST_MAX_SIDE = 512  # pixels: sharp in a 3 cm letterhead at 300 dpi is ~350


@dataclass(frozen=True)
class SiteAgency:
    code: str
    name: str
    crest_sha256: str

    @property
    def has_crest(self) -> bool:
        return bool(self.crest_sha256)


def site_agency() -> SiteAgency | None:
    """The agency this site speaks for, without loading its crest's bytes."""
    agencies = Agency.objects.only("code", "name", "crest_sha256")
    code = getattr(settings, "LOKET_SITE_AGENCY", "")
    if code:
        agency = agencies.filter(code=code).first()
    else:
        first_two = list(agencies.order_by("pk")[:2])
        agency = first_two[0] if len(first_two) == 1 else None
    if agency is None:
        return None
    return SiteAgency(agency.code, agency.name, agency.crest_sha256)


def clean_crest(data: bytes) -> bytes:
    """The uploaded image as a fresh PNG of at most 512 px a side; ValidationError if it
    is not a PNG or JPEG picture or is too large."""
    if len(data) > CREST_MAX_BYTES:
        raise ValidationError(_("The crest must be at most 512 KB."), field="crest_png")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in {"PNG", "JPEG"}:
                raise ValidationError(
                    _("The crest must be a PNG or JPEG picture."), field="crest_png"
                )
            if image.width * image.height > 4096 * 4096:
                raise ValidationError(_("The crest picture is too large."), field="crest_png")
            image.load()
            picture = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError(
            _("The crest must be a PNG or JPEG picture."), field="crest_png"
        ) from None
    picture.thumbnail((CREST_MAX_SIDE, CREST_MAX_SIDE))
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def set_crest(agency: Agency, png: bytes) -> None:
    """Store a crest already cleaned by `clean_crest` (or clear it with b"")."""
    agency.crest_png = png
    agency.crest_sha256 = hashlib.sha256(png).hexdigest() if png else ""
    agency.save(update_fields=["crest_png", "crest_sha256"])


# Every page's header names the site agency: each process keeps it for a minute (and
# forgets it at once when an agency is saved here), so a page costs no query for it.
SITE_AGENCY_TTL_SECONDS = 60.0
_site: tuple[float, SiteAgency | None] | None = None


def cached_site_agency() -> SiteAgency | None:
    global _site  # noqa: PLW0603  (one value per process)
    found = _site
    if found is not None and time.monotonic() - found[0] < SITE_AGENCY_TTL_SECONDS:
        return found[1]
    agency = site_agency()
    _site = (time.monotonic(), agency)
    return agency


def forget_site_agency(*args: object, **kwargs: object) -> None:
    global _site  # noqa: PLW0603
    _site = None


def context(request: object) -> dict[str, object]:
    """Template context processor: `site_agency` (looked up only if a template reads it)."""
    from django.utils.functional import SimpleLazyObject

    return {"site_agency": SimpleLazyObject(cached_site_agency)}


def demo_crest_png() -> bytes:
    """The demo agency's crest, drawn here (no one's real lambang): a blue shield with a
    gold five-pointed star over a counter's three steps, in a gold border."""
    from PIL import ImageDraw

    size = 256
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    shield = [(28, 20), (228, 20), (228, 130), (128, 240), (28, 130)]
    draw.polygon(shield, fill=(200, 160, 30, 255))
    inner = [(42, 34), (214, 34), (214, 124), (128, 220), (42, 124)]
    draw.polygon(inner, fill=(11, 79, 138, 255))
    star = [(128, 48), (139, 82), (175, 82), (146, 103), (157, 137), (128, 116),
            (99, 137), (110, 103), (81, 82), (117, 82)]  # fmt: skip
    draw.polygon(star, fill=(240, 200, 60, 255))
    for step, (left, right) in enumerate([(78, 178), (92, 164), (106, 150)]):
        top = 150 + step * 16
        draw.rectangle([left, top, right, top + 10], fill=(255, 255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
