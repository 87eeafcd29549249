"""Finding a service and reading its service standard."""

from __future__ import annotations

import pytest

from tests.portal.conftest import publish_computed_fee_reklame

pytestmark = pytest.mark.django_db


def test_home_lists_every_published_service_with_a_link_to_its_standard(demo, client):
    page = client.get("/").content.decode()

    assert 'href="/layanan/izin-usaha-mikro/"' in page
    assert "Izin Penyelenggaraan Reklame" in page
    assert "Surat Keterangan Domisili" in page


def test_home_leads_the_public_to_every_accountability_page(demo, client):
    import re

    from loket.complaints.categories import load_dir

    load_dir()  # the agency takes complaints once its categories are published
    body = client.get("/").content.decode()
    section = body[body.index('data-testid="accountability"') :]
    links = re.findall(r'href="([^"]+)"', section[: section.index("</section>")])
    assert "/pengaduan/baru/" in links and "/pengaduan/" in links
    assert "/kinerja/kota-contoh/" in links and "/ikm/kota-contoh/dpmptsp/" in links
    assert "/data/" in links and "/verify/" in links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_search_matches_either_language_and_leaves_out_the_rest(demo, client):
    page = client.get("/", {"q": "billboard"}).content.decode()

    assert "Izin Penyelenggaraan Reklame" in page
    assert "Fasilitasi Pendaftaran NIB" not in page


def test_search_without_a_match_says_so(demo, client):
    page = client.get("/", {"q": "paspor"}).content.decode()
    assert "Tidak ada layanan yang cocok" in page


def test_service_page_shows_requirements_with_types_and_sizes(demo, client):
    page = client.get("/layanan/izin-usaha-mikro/").content.decode()

    assert "KTP pemilik usaha" in page
    assert "PDF, JPEG atau PNG" in page
    assert "2 MB" in page and "5 MB" in page
    assert "Modal usaha (Rp)" in page


def test_service_page_lists_the_procedure_in_order_with_position_titles(demo, client):
    page = client.get("/layanan/izin-usaha-mikro/").content.decode()
    procedure = page.split('data-testid="procedure"')[1].split("</ol>")[0]

    order = [procedure.index(step) for step in
             ("Verifikasi berkas", "Kajian teknis", "Persetujuan Kepala Bidang")]  # fmt: skip
    assert order == sorted(order)
    assert "Petugas Front Office" in procedure
    assert "1 hari kerja" in procedure


def test_service_page_shows_time_fee_product_complaints_and_legal_basis(demo, client):
    page = client.get("/layanan/izin-usaha-mikro/").content.decode()

    assert "5 hari kerja" in page
    assert "Tidak dipungut biaya" in page
    assert "NIB diterbitkan oleh sistem OSS" in page
    assert "Peraturan Pemerintah Nomor 28 Tahun 2025" in page
    assert "SP4N-LAPOR!" in page
    assert "Undang-Undang Nomor 25 Tahun 2009" in page
    assert "Inspektorat Kota Contoh" in page  # internal supervision, another component


def test_computed_fee_is_explained_in_words_with_field_labels(demo, client):
    publish_computed_fee_reklame()
    page = client.get("/layanan/izin-reklame/").content.decode()
    fee = page.split('data-testid="service-fee"')[1].split("</dd>")[0]

    assert "Panjang bidang reklame (m)" in fee
    assert "×" in fee
    assert "double(" not in fee and "data." not in fee


def test_unknown_service_is_404(demo, client):
    assert client.get("/layanan/tidak-ada/").status_code == 404
    assert client.get("/layanan/tidak-ada/ajukan/").status_code == 404


def test_english_page_uses_the_english_texts_of_the_definition(demo, client):
    client.cookies["django_language"] = "en"
    page = client.get("/layanan/izin-usaha-mikro/", headers={"accept-language": "en"})
    text = page.content.decode()

    assert "NIB Registration Facilitation for Micro Businesses" in text
    assert "Document verification" in text
    assert "Free of charge" in text
