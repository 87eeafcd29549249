"""Shared test set-up. The environment (data directory, limits) is set earlier, by
tests/environment.py, loaded with `-p` before pytest-django imports the settings."""

from __future__ import annotations

import os

pytest_plugins = ["tests.conftest_smtp"]  # the `smtp_server` fixture (real SMTP on loopback)


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def django_db_modify_db_settings_tox_suffix() -> None:
    """Put the SQLite test database in a file instead of shared memory.

    Shared-memory SQLite fails concurrent writers at once ("table is locked")
    instead of queueing them as a file database in WAL mode with IMMEDIATE
    transactions does, so the concurrency tests need the file. (This fixture
    runs before pytest-django adds the xdist suffix to the name; we use no tox.)
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        data_dir = os.environ["LOKET_DATA_DIR"]
        database.setdefault("TEST", {})["NAME"] = os.path.join(data_dir, "test.sqlite3")


_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _brake_counters_start_at_zero(request: pytest.FixtureRequest) -> None:
    """Empty the cache before every test that uses the database.

    The brakes on abuse count in the cache (a database table by default). A
    transactional test's flush does not empty that table, so without this the
    submissions of earlier tests would count against later ones.
    """
    if not (
        _DB_FIXTURES & set(request.fixturenames) or request.node.get_closest_marker("django_db")
    ):
        return
    request.getfixturevalue("django_db_setup")
    from django.core.cache import cache

    with request.getfixturevalue("django_db_blocker").unblock():
        cache.clear()
    # Per-process caches keyed by ids: a rolled-back test may reuse an id (SQLite).
    from loket.org import branding, titles

    titles.clear()
    branding.forget_site_agency()
