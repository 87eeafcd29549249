"""Who runs this site: the agency's crest and name in the header, receipts, licences and mail;
the crest configurable per agency in the admin, re-encoded so only pixels are served."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from loket.core.errors import ValidationError
from loket.org import branding
from loket.org.admin import AgencyForm
from loket.org.models import Agency

pytestmark = pytest.mark.django_db


def _png(size: tuple[int, int] = (64, 64), **info: str) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (11, 79, 138))
    from PIL.PngImagePlugin import PngInfo

    meta = PngInfo()
    for key, value in info.items():
        meta.add_text(key, value)
    image.save(out, format="PNG", pnginfo=meta)
    return out.getvalue()


def test_the_header_names_the_agency_with_its_crest_and_the_crest_is_served(demo_agency):
    page = Client().get("/").content.decode()

    assert 'data-testid="site-agency">Pemerintah Kota Contoh<' in page
    agency = Agency.objects.get(code=demo_agency.code)
    url = f"/instansi/{agency.code}/lambang-{agency.crest_sha256}.png"
    assert f'src="{url}"' in page
    crest = Client().get(url)
    assert crest.status_code == 200
    assert crest["Content-Type"] == "image/png"
    assert "immutable" in crest["Cache-Control"]
    assert Image.open(io.BytesIO(crest.content)).format == "PNG"
    assert Client().get(f"/instansi/{agency.code}/lambang-{'0' * 64}.png").status_code == 404


def test_the_footer_links_loket_complaints_and_lapor(demo_agency):
    page = Client().get("/").content.decode()
    assert 'href="/pengaduan/baru/"' in page
    assert 'href="https://www.lapor.go.id/"' in page


def test_an_uploaded_crest_is_re_encoded_without_its_metadata_and_bounded(demo_agency):
    cleaned = branding.clean_crest(_png((2000, 1000), Comment="<script>alert(1)</script>"))
    image = Image.open(io.BytesIO(cleaned))
    assert image.format == "PNG" and max(image.size) == branding.CREST_MAX_SIDE
    assert b"<script>" not in cleaned


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"not a picture",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
    ],
)
def test_anything_but_a_png_or_jpeg_picture_is_refused_as_a_crest(data):
    with pytest.raises(ValidationError) as refused:
        branding.clean_crest(data)
    assert refused.value.field == "crest_png"


def test_a_crest_over_512_kb_is_refused():
    with pytest.raises(ValidationError):
        branding.clean_crest(b"\x89PNG" + b"\x00" * (branding.CREST_MAX_BYTES + 1))


def test_the_admin_form_sets_and_removes_an_agencys_crest(demo_agency):
    from django.contrib.admin.sites import site

    agency = Agency.objects.get(code=demo_agency.code)
    fields = {name: getattr(agency, name) for name in AgencyForm.Meta.fields}
    fields["max_plt_days"] = fields["max_plt_days"] or ""
    fields["max_plh_days"] = fields["max_plh_days"] or ""
    upload = SimpleUploadedFile("lambang.png", _png(), content_type="image/png")
    form = AgencyForm(data=fields, files={"crest_upload": upload}, instance=agency)
    assert form.is_valid(), form.errors
    admin = site._registry[Agency]
    admin.save_model(None, form.save(commit=False), form, change=True)
    agency.refresh_from_db()
    assert Image.open(io.BytesIO(bytes(agency.crest_png))).size == (64, 64)
    old_digest = agency.crest_sha256

    bad = AgencyForm(
        data=fields, files={"crest_upload": SimpleUploadedFile("x.svg", b"<svg/>")}, instance=agency
    )
    assert not bad.is_valid() and "crest_upload" in bad.errors

    removed = AgencyForm(data={**fields, "remove_crest": "on"}, instance=agency)
    assert removed.is_valid(), removed.errors
    admin.save_model(None, removed.save(commit=False), removed, change=True)
    agency.refresh_from_db()
    assert agency.crest_sha256 == "" and old_digest
    assert 'class="crest"' not in Client().get("/").content.decode()


@pytest.fixture
def demo_agency(db: object) -> Agency:
    from loket.demo.agency import load_demo

    return load_demo().agency
