"""Officer sign-in in a real browser: enrolment with QR code, then password + code."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from loket.workspace.otp import code_for
from tests.accounts.factories import PASSWORD, make_officer
from tests.browser.conftest import CheckPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password_step(page: Page, username: str) -> None:
    page.goto("/workspace/")
    expect(page).to_have_url(re.compile(r"/workspace/login/\?next="))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Lanjutkan").click()


def test_officer_enrols_an_authenticator_then_signs_in_again(
    page: Page, check_page: CheckPage
) -> None:
    make_officer("rina", enrolled=False)
    page.goto("/workspace/login/")
    check_page(page, "workspace-login")
    _password_step(page, "rina")

    expect(page.get_by_role("heading", level=1)).to_have_text("Siapkan aplikasi autentikator Anda")
    expect(page.locator("figure.qr svg")).to_be_visible()
    check_page(page, "workspace-enrol")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.locator("#id_code").fill(str(totp(key)).zfill(6))
    page.get_by_role("button", name="Konfirmasi dan masuk").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ruang kerja")
    expect(page.locator("main")).to_contain_text("Analis Perizinan")
    check_page(page, "workspace-home")
    assert TOTPDevice.objects.get(user__username="rina").confirmed

    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk petugas")
    _password_step(page, "rina")
    expect(page.get_by_role("heading", level=1)).to_have_text("Masukkan kode Anda")
    check_page(page, "workspace-code")
    # The enrolment code was used; the app's next code is accepted (one step of clock drift).
    page.locator("#id_code").fill(str(totp(key, drift=1)).zfill(6))
    page.get_by_role("button", name="Masuk").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ruang kerja")


def test_enrolled_officer_in_english_and_a_wrong_code(page: Page, check_page: CheckPage) -> None:
    account = make_officer("andi")
    page.goto("/workspace/login/")
    page.get_by_label("Bahasa").select_option("en")
    page.get_by_role("button", name="Ganti").click()
    page.locator("#id_username").fill("andi")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    page.locator("#id_code").fill("000000")
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    expect(page.locator("#id_code")).to_have_attribute("aria-invalid", "true")
    check_page(page, "workspace-code-error-en")
    assert page.get_by_role("button", name="Sign out").count() == 0
    assert account.device is not None
    assert code_for(account.device)


def test_applicant_login_page_sends_officers_to_the_workspace(page: Page) -> None:
    make_officer("andi@kotacontoh.go.id")
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("andi@kotacontoh.go.id")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Masuk").click()
    page.get_by_role("link", name="Ke halaman masuk ruang kerja").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk petugas")
