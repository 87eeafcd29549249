"""The open-data pages in Chromium, at 1366 px and 390 px: browse, search, preview and
download a dataset; axe finds no serious problem and no page needs a script."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from loket.complaints.categories import load_dir
from loket.demo.agency import load_demo
from loket.opendata import services
from loket.opendata.models import Dataset
from tests.browser.conftest import CheckPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def published(transactional_db: object) -> Dataset:
    load_demo()
    load_dir()
    services.publish_all()
    return Dataset.objects.get(slug="kota-contoh-penanganan-pengaduan")


def test_browse_search_preview_and_download(
    page: Page, published: Dataset, check_page: CheckPage
) -> None:
    for size, suffix in ((WIDE, ""), (PHONE, "-390")):
        page.set_viewport_size(size)
        page.goto("/data/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Data terbuka")
        expect(page.get_by_test_id("dataset-list").locator("li")).to_have_count(
            Dataset.objects.count()
        )
        check_page(page, f"opendata-index{suffix}")
        page.get_by_label("Cari dataset").fill("pengaduan")
        page.get_by_label("Topik").select_option("pengaduan")
        page.get_by_role("button", name="Cari").click()
        results = page.get_by_test_id("dataset-list").locator("li")
        expect(results).to_have_count(1)
        check_page(page, f"opendata-search{suffix}")
        results.get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(published.title)
        expect(page.get_by_test_id("indicator")).to_contain_text("Creative Commons Attribution 4.0")
        expect(page.get_by_test_id("preview")).to_be_visible()
        check_page(page, f"opendata-dataset{suffix}")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "kota-contoh-penanganan-pengaduan.csv"


def test_a_search_without_results_says_so(
    page: Page, published: Dataset, check_page: CheckPage
) -> None:
    page.goto("/data/?q=tidak-ada-yang-cocok")
    expect(page.get_by_test_id("dataset-list")).to_contain_text("Tidak ada dataset")
    check_page(page, "opendata-empty")


def test_nothing_here_needs_a_script(page: Page, published: Dataset) -> None:
    for path in ("/data/", f"/data/{published.slug}/"):
        page.goto(path)
        assert page.locator("main script").count() == 0
