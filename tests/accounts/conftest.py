import pytest


@pytest.fixture(autouse=True)
def _accounts_settings(settings):
    # Links in mail use this address; a fast hasher keeps the many sign-ins quick.
    settings.PUBLIC_BASE_URL = "https://loket.example.id"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
