"""The satisfaction survey in a real browser: from the closing e-mail's link on a 390 px
phone, then the unit's public IKM page; axe finds no serious problem on either."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from loket.cases import services as case_services
from loket.demo.agency import load_demo
from loket.notify.services import deliver_due
from loket.org.models import Unit
from loket.surveys import services
from loket.surveys.models import Response
from tests.browser.conftest import CheckPage
from tests.workspace.conftest import apply, officer, open_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(transactional_db: object) -> object:
    return load_demo()


def test_survey_from_the_closing_email_on_a_phone_then_the_public_page(
    demo: Any, browser: Browser, live_server: Any, smtp_server: Any, settings: Any,
    check_page: CheckPage,
) -> None:  # fmt: skip
    settings.PUBLIC_BASE_URL = live_server.url
    unit = Unit.objects.get(code="dpmptsp")
    today = timezone.localdate()
    period = services.define_period(
        unit=unit, code="now", name="Triwulan berjalan",
        starts_on=today - dt.timedelta(days=10), ends_on=today + dt.timedelta(days=10),
    )  # fmt: skip
    case = apply()
    case_services.decide(
        task_id=open_task(case).pk, officer=officer("andi"), decision="reject",
        reason="Berkas tidak lengkap.",
    )  # fmt: skip
    deliver_due()
    [mail] = [m for m in smtp_server.messages if "/survei/" in m.text]
    assert case.tracking_number in mail["Subject"]
    found = re.search(r"http://\S+/survei/\S+/", mail.text)
    assert found is not None
    link = found.group(0)

    context = browser.new_context(viewport=PHONE, locale="id-ID", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    phone = context.new_page()
    try:
        phone.goto(link)
        expect(phone.get_by_role("heading", level=1)).to_have_text("Survei kepuasan")
        check_page(phone, "survey-phone")
        for index in range(1, 10):
            phone.get_by_role("group", name=re.compile(rf"^{index}\. ")).get_by_role("radio").nth(
                2 if index != 4 else 3
            ).check()
        phone.get_by_label("Pendidikan").select_option("sma")
        phone.get_by_label("Saran Anda (opsional)").fill("Ruang tunggu perlu kipas angin.")
        phone.get_by_test_id("survey-submit").click()
        expect(phone.get_by_test_id("survey-message")).to_contain_text("tanpa nama")

        stored = Response.objects.get()
        assert [stored.u1, stored.u4, stored.u9, stored.education] == [3, 4, 3, "sma"]
        phone.goto(link)  # the link works once
        expect(phone.get_by_test_id("survey-message")).to_contain_text("sudah")

        services.publish_result(period=period)
        phone.goto(f"{live_server.url}/ikm/kota-contoh/dpmptsp/")
        # (8 x 3 + 4) / 9 x 25 = 77.78 -> B
        expect(phone.get_by_test_id("ikm-value")).to_have_text("77,78")
        expect(phone.get_by_test_id("ikm-grade")).to_have_text("B")
        expect(phone.get_by_role("table").first).to_contain_text("Triwulan berjalan")
        check_page(phone, "survey-public")
    finally:
        context.close()
