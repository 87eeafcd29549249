"""Applicant account pages in a real browser: register, confirm, sign in, reset, lockout."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, Page, expect

from tests.accounts.factories import PASSWORD, make_applicant
from tests.browser.conftest import CheckPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VERIFY_PATH = re.compile(r"(/accounts/verify/[^/\s]+/)")
RESET_PATH = re.compile(r"(/accounts/reset/[^/\s]+/[^/\s]+/)")


def _register(page: Page, email: str, submit: str) -> None:
    page.locator("#id_name").fill("Sari Dewi")
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name=submit).click()


def test_applicant_registers_confirms_and_signs_in_in_indonesian(
    page: Page, check_page: CheckPage, mailoutbox: list
) -> None:
    page.goto("/")
    page.get_by_role("link", name="Daftar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Buat akun")
    check_page(page, "register")

    _register(page, "Sari@Example.id", "Buat akun")
    expect(page.get_by_role("heading", level=1)).to_have_text("Periksa email Anda")
    expect(page.locator("main")).to_contain_text("sari@example.id")
    check_page(page, "register-done")

    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Konfirmasi alamat email Anda untuk Loket"
    page.goto(VERIFY_PATH.search(mailoutbox[0].body).group(1))
    expect(page.get_by_role("status")).to_contain_text("sudah dikonfirmasi")
    check_page(page, "login")

    page.locator("#id_username").fill("sari@example.id")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("navigation", name="Utama")).to_contain_text("Sari Dewi")
    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("status")).to_contain_text("Anda telah keluar")


def test_applicant_switches_to_english_and_registers(
    page: Page, check_page: CheckPage, mailoutbox: list
) -> None:
    page.goto("/accounts/register/")
    page.get_by_label("Bahasa").select_option("en")
    page.get_by_role("button", name="Ganti").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    check_page(page, "register-en")

    _register(page, "budi@example.id", "Create account")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    assert mailoutbox[0].subject == "Confirm your e-mail address for Loket"
    page.goto(VERIFY_PATH.search(mailoutbox[0].body).group(1))
    expect(page.get_by_role("status")).to_contain_text("Your e-mail address is confirmed")
    page.locator("#id_username").fill("budi@example.id")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert get_user_model().objects.get(username="budi@example.id").is_active


def test_form_errors_are_tied_to_their_fields(page: Page, check_page: CheckPage) -> None:
    page.goto("/accounts/register/")
    page.locator("#id_password1").fill("12345678")
    page.locator("#id_password2").fill("12345678")
    page.get_by_role("button", name="Buat akun").click()
    expect(page.get_by_role("alert")).to_contain_text("Mohon perbaiki hal berikut")
    name = page.locator("#id_name")
    expect(name).to_have_attribute("aria-invalid", "true")
    described = name.get_attribute("aria-describedby") or ""
    assert "id_name_error" in described.split()
    expect(page.locator("#id_name_error")).not_to_be_empty()
    expect(page.locator("#id_password1")).to_have_attribute("aria-invalid", "true")
    check_page(page, "register-errors")


def test_language_switch_and_sign_in_work_without_javascript(browser: Browser, live_server) -> None:
    make_applicant("sari@example.id")
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="id-ID"
    )
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Bahasa").select_option("en")
        page.get_by_role("button", name="Ganti").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        page.locator("#id_username").fill("sari@example.id")
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("main").get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    finally:
        context.close()


def test_five_wrong_passwords_show_the_lockout_page(page: Page, check_page: CheckPage) -> None:
    make_applicant("sari@example.id")
    page.goto("/accounts/login/")
    for _ in range(5):
        page.locator("#id_username").fill("sari@example.id")
        page.locator("#id_password").fill("salah-salah-salah")
        page.get_by_role("main").get_by_role("button", name="Masuk").click()
        if page.get_by_role("heading", name="Masuk ditangguhkan sementara").count():
            break
        expect(page.get_by_role("alert")).to_contain_text("Alamat email atau kata sandi salah")
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk ditangguhkan sementara")
    expect(page.locator("main")).to_contain_text("15 menit")
    check_page(page, "locked-out")


def test_password_reset_pages(page: Page, check_page: CheckPage, mailoutbox: list) -> None:
    make_applicant("sari@example.id")
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Lupa kata sandi?").click()
    check_page(page, "password-reset")
    page.locator("#id_email").fill("sari@example.id")
    page.get_by_role("button", name="Kirim tautan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Periksa email Anda")
    check_page(page, "password-reset-sent")

    page.goto(RESET_PATH.search(mailoutbox[0].body).group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Buat kata sandi baru")
    check_page(page, "password-reset-confirm")
    page.locator("#id_new_password1").fill("teh-manis-hangat-9")
    page.locator("#id_new_password2").fill("teh-manis-hangat-9")
    page.get_by_role("button", name="Simpan kata sandi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kata sandi diubah")
    check_page(page, "password-reset-complete")


def test_resend_confirmation_page(page: Page, check_page: CheckPage, mailoutbox: list) -> None:
    make_applicant("baru@example.id", active=False)
    page.goto("/accounts/verify-again/")
    check_page(page, "verify-again")
    page.locator("#id_email").fill("baru@example.id")
    page.get_by_role("button", name="Kirim tautan").click()
    expect(page.get_by_role("status")).to_contain_text("tautan baru")
    assert len(mailoutbox) == 1


def test_home_page_layout(page: Page, check_page: CheckPage) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Langsung ke konten")
    expect(skip).to_be_focused()
    check_page(page, "home")
