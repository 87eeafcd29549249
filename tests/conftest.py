"""Shared test set-up. The environment (data directory, limits) is set earlier, by
tests/environment.py, loaded with `-p` before pytest-django imports the settings."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

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
    if database["ENGINE"] in ("django.db.backends.sqlite3", "loket.core.sqlite"):
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


# -- the demo agency, loaded once per test module --------------------------------------


def _is_transactional(item: pytest.Item) -> bool:
    """Whether pytest-django runs `item` with real commits (TransactionTestCase)."""
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(
        {"transactional_db", "live_server", "django_db_reset_sequences"} & fixtures
        or (marker is not None and marker.kwargs.get("transaction"))
    )


@pytest.fixture
def demo(request: pytest.FixtureRequest, demo_world: Any, demo_extras: Any, db: None) -> Any:
    """The demo agency with its officers and published services (see `demo_world`)."""
    return demo_for_test(request, demo_world, demo_extras)


@pytest.fixture(scope="module")
def demo_extras() -> tuple[Callable[[], object], ...]:
    """What a test area loads beside the demo agency (complaints: their categories)."""
    return ()


@pytest.fixture(scope="module")
def demo_world(
    request: pytest.FixtureRequest,
    django_db_setup: None,
    django_db_blocker: Any,
    demo_extras: tuple[Callable[[], object], ...],
) -> Iterator[Any]:
    """The demo agency, loaded once for a test module inside a transaction that its tests'
    own transactions nest in (rolled back to it after each test, and at the module's end
    to nothing), the way Django's TestCase.setUpTestData works.

    Loading it for each test cost about 0.15 s of CPU (some 300 statements), 350 times
    in each suite. A transactional test (live server, threads, concurrency) cannot run
    inside a transaction: for one, this yields None and `demo` loads as before. pytest-django
    runs a module's transactional tests after every other test, so a module's transaction
    is never open while they run. (The item that sets this fixture up is not in pytest's
    public API; `_pyfuncitem` is the documented-in-source way to reach it.)
    """
    if _is_transactional(request._pyfuncitem):  # type: ignore[attr-defined]
        yield None
        return
    from django.db import DEFAULT_DB_ALIAS, transaction
    from django.test import override_settings

    from loket.demo.agency import load_demo

    with django_db_blocker.unblock():
        atomic = transaction.atomic(using=DEFAULT_DB_ALIAS)
        # Like TestCase's own: code under test may still open `durable` blocks.
        atomic._from_testcase = True  # type: ignore[attr-defined]
        atomic.__enter__()
        try:
            # The demo's dozen accounts: a real password hash for each is slow; every
            # area that signs demo officers in uses this hasher too.
            with override_settings(PASSWORD_HASHERS=[MD5_HASHER]):
                summary = load_demo()
                for extra in demo_extras:
                    extra()
        except BaseException:
            transaction.set_rollback(True, using=DEFAULT_DB_ALIAS)
            atomic.__exit__(None, None, None)
            raise
    try:
        yield summary
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True, using=DEFAULT_DB_ALIAS)
            atomic.__exit__(None, None, None)


MD5_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def demo_for_test(
    request: pytest.FixtureRequest, world: Any, demo_extras: tuple[Callable[[], object], ...]
) -> Any:
    """The demo for one test: the module's (objects read afresh, so a test that changes
    one in memory changes nothing for the next), or loaded now for a transactional test."""
    from loket.demo.agency import DemoSummary, load_demo
    from loket.org.models import Agency

    if world is not None and _is_transactional(request.node):
        pytest.fail("a transactional test ran while its module's demo transaction was open")
    if world is None:
        summary = load_demo()
        for extra in demo_extras:
            extra()
        return summary
    return DemoSummary(
        agency=Agency.objects.get(pk=world.agency.pk),
        officers=list(world.officers),
        published=list(world.published),
    )


@pytest.fixture
def fsynced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the files and directories `os.fsync` is called on, in order; the real
    fsync still runs (a spy on what the code makes durable, not a stand-in for the disk)."""
    paths: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        paths.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return paths


def english_client(**defaults: Any) -> Any:
    """A Django test client of a visitor who chose English with the language switch
    (pages follow that choice, not Accept-Language: loket.core.locale)."""
    from django.conf import settings
    from django.test import Client

    client = Client(**defaults)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
