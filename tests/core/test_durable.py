"""Files that must survive a power cut (`core.durable`): keys and secrets made on first start."""

from __future__ import annotations

import errno
import multiprocessing
import os
from pathlib import Path

import pytest

from loket.core import durable


def test_a_new_file_is_synced_then_linked_then_its_directory_synced(tmp_path, fsynced):
    path = tmp_path / "pii_key"
    assert durable.create_once(path, b"first") == b"first"
    assert path.read_bytes() == b"first"
    assert path.stat().st_mode & 0o777 == 0o600
    temporary, directory = fsynced
    # The bytes under a name nobody reads, then the directory that gained the key.
    assert Path(temporary).parent == tmp_path and Path(temporary).name.startswith(".pii_key.")
    assert directory == str(tmp_path)
    assert os.listdir(tmp_path) == ["pii_key"]  # no temporary file left


def test_an_existing_file_is_read_and_never_replaced(tmp_path, fsynced):
    path = tmp_path / "secret_key"
    path.write_bytes(b"kept")
    assert durable.create_once(path, b"other") == b"kept"
    assert path.read_bytes() == b"kept"
    assert fsynced == []


def test_the_mode_asked_for_is_the_mode_given(tmp_path):
    path = tmp_path / "public.txt"
    durable.create_once(path, b"x", mode=0o644)
    assert path.stat().st_mode & 0o777 == 0o644


def _race(path: str, content: bytes, start, results) -> None:  # type: ignore[no-untyped-def]
    start.wait()
    results.put(durable.create_once(Path(path), content))


def test_processes_creating_one_file_at_once_all_get_the_winners(tmp_path):
    context = multiprocessing.get_context("fork")
    for attempt in range(5):
        path = tmp_path / f"key{attempt}"
        start = context.Barrier(6)
        results = context.Queue()
        workers = [
            context.Process(target=_race, args=(str(path), f"p{n}".encode(), start, results))
            for n in range(6)
        ]
        for worker in workers:
            worker.start()
        seen = {results.get(timeout=30) for _ in workers}
        for worker in workers:
            worker.join(timeout=30)
            assert worker.exitcode == 0
        assert seen == {path.read_bytes()}
    assert sorted(os.listdir(tmp_path)) == [f"key{n}" for n in range(5)]


def test_a_secret_made_on_first_start_is_on_disk_before_anything_uses_it(
    tmp_path, monkeypatch, fsynced
):
    # A pii_key lost in a power cut after rows were encrypted with it: every NIK unreadable.
    from loket import settings as loket_settings

    monkeypatch.setattr(loket_settings, "DATA_DIR", tmp_path)
    made = iter(["s3cret", "never"])
    assert loket_settings._stored_secret("pii_key", lambda: next(made)) == "s3cret"
    temporary, directory = fsynced  # the bytes, then the directory's new entry
    assert Path(temporary).parent == tmp_path
    assert directory == str(tmp_path)
    assert (tmp_path / "pii_key").stat().st_mode & 0o777 == 0o600
    assert loket_settings._stored_secret("pii_key", lambda: next(made)) == "s3cret"


def _refusing(monkeypatch: pytest.MonkeyPatch, number: int, *, directories: bool) -> None:
    real = os.fsync

    def fsync(fd: int) -> None:
        if os.path.isdir(os.readlink(f"/proc/self/fd/{fd}")) == directories:
            raise OSError(number, os.strerror(number))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def test_a_file_system_that_cannot_sync_a_directory_still_takes_the_file(tmp_path, monkeypatch):
    _refusing(monkeypatch, errno.EINVAL, directories=True)
    assert durable.create_once(tmp_path / "key", b"k") == b"k"


def test_a_directory_that_fails_to_sync_is_an_error(tmp_path, monkeypatch):
    _refusing(monkeypatch, errno.EIO, directories=True)
    with pytest.raises(OSError, match="Input/output error"):
        durable.fsync_directory(tmp_path)


def test_a_file_that_fails_to_sync_is_not_linked(tmp_path, monkeypatch):
    # Its bytes may not be on disk: better no key (the start fails) than an empty one.
    _refusing(monkeypatch, errno.EIO, directories=False)
    with pytest.raises(OSError, match="Input/output error"):
        durable.create_once(tmp_path / "key", b"k")
    assert os.listdir(tmp_path) == []
