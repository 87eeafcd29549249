"""File storage that encrypts every file at rest, like NIK in the database.

Uploads are scans of identity cards and family cards; issued documents carry NIK
and addresses. Each file is encrypted with the personal-data keys (`core/pii.py`,
Fernet: AES-128-CBC + HMAC-SHA256, authenticated) before it touches the disk, and
is written with mode 0600 in directories of mode 0700 (settings
FILE_UPLOAD_PERMISSIONS / FILE_UPLOAD_DIRECTORY_PERMISSIONS). A file stored in
clear before encryption was introduced is still read as it is.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.fernet import InvalidToken
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils._os import safe_makedirs

from loket.core import pii
from loket.core.durable import fsync_directory

# Every Fernet token starts with version byte 0x80, which base64 writes as "gAAAAA".
_TOKEN_PREFIX = b"gAAAAA"


class EncryptedFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        content.seek(0)
        token = pii.fernet().encrypt(content.read())
        # _save/_open are the documented hooks of a custom storage; django-stubs omit them.
        saved: str = super()._save(name, ContentFile(token, name=name))  # type: ignore[misc]
        return saved

    def write_new(self, name: str, data: bytes) -> str:
        """Encrypt `data` into a new file `name`, which the caller made unique (random);
        FileExistsError if it is taken. Returns the name, as `save` would. Durable when
        it returns (see `write_new_all`)."""
        return self.write_new_all([(name, data)])[0]

    def write_new_all(self, files: Sequence[tuple[str, bytes]]) -> list[str]:
        """`write_new` for several files: each encrypted into its new file, then all of
        them flushed to disk, then the directories that gained an entry. Returns the names.

        `save` validates the name, probes it for a free variant, checks the directory,
        streams chunks and stats the result: most of a submission's file-writing time for
        a name that cannot collide. This is one exclusive open per file, with the same
        modes and group as `save` gives.

        Durable: the caller records the files in a transaction that commits after this
        returns, and a committed row must not outlive its bytes in a power cut (the page
        cache keeps written data for up to half a minute). So every file is fsynced, and
        so is its directory, as PostgreSQL does for its own files; a directory created
        here is synced in its parent too. Syncing after all the writes lets one journal
        commit cover the files written before it (two uploads: ~0.9 ms, not ~1.8).
        If a write fails, the files already written are removed and the error raised."""
        written: list[tuple[int, str]] = []
        directories: set[str] = set()
        try:
            for name, data in files:
                full_path = self.path(name)  # refuses a name that leaves the storage
                token = pii.fernet().encrypt(data)
                fd = self._create(full_path, directories)
                written.append((fd, full_path))
                if self.file_permissions_mode is not None:
                    os.fchmod(fd, self.file_permissions_mode)
                view = memoryview(token)
                while view:  # os.write may write less than asked
                    view = view[os.write(fd, view) :]
                self._ensure_location_group_id(full_path)  # type: ignore[attr-defined]
            for fd, _path in written:
                os.fsync(fd)
            for directory in sorted(directories, key=len, reverse=True):
                fsync_directory(directory)
        except BaseException:
            for fd, path in written:
                os.close(fd)
                with contextlib.suppress(OSError):
                    os.unlink(path)
            raise
        for fd, _path in written:
            os.close(fd)
        return [name for name, _data in files]

    def _create(self, full_path: str, directories: set[str]) -> int:
        """Open a new file exclusively; adds to `directories` those whose entries changed."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        directory = os.path.dirname(full_path)
        try:
            fd = os.open(full_path, flags, 0o666)
        except FileNotFoundError:
            # Each level made now is a new entry in the level above it.
            missing = directory
            root = os.path.abspath(self.location)
            while not os.path.isdir(missing) and (
                missing == root or missing.startswith(root + os.sep)
            ):
                directories.add(os.path.dirname(missing))
                missing = os.path.dirname(missing)
            self._save_directory(directory)
            fd = os.open(full_path, flags, 0o666)
        directories.add(directory)
        return fd

    def _save_directory(self, directory: str) -> None:
        # As FileSystemStorage._save: os.makedirs applies no mode to intermediate levels.
        if self.directory_permissions_mode is not None:
            safe_makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)

    def _open(self, name: str, mode: str = "rb") -> File[Any]:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("encrypted files are written through save(), not opened for writing")
        with super()._open(name, "rb") as stored:  # type: ignore[misc]
            raw = stored.read()
        return File(io.BytesIO(_decrypt(raw)), name=name)


def _decrypt(raw: bytes) -> bytes:
    if not raw.startswith(_TOKEN_PREFIX):
        return raw  # stored in clear before encryption at rest (PDF, PNG and JPEG never start so)
    try:
        return pii.fernet().decrypt(raw)
    except InvalidToken as exc:  # a key was removed before rotation finished
        raise ValueError("a stored file cannot be decrypted with the configured keys") from exc


def rotate_files(storage: Any) -> int:
    """Re-encrypt every file under an encrypted storage with the newest key (and encrypt
    any still in clear); returns how many files were rewritten. Each file is replaced
    atomically, so a crash leaves either the old or the new copy."""
    if not isinstance(storage, EncryptedFileSystemStorage):
        return 0
    rewritten = 0
    for directory, _dirs, files in os.walk(storage.location):
        for filename in files:
            path = Path(directory) / filename
            raw = path.read_bytes()
            if raw.startswith(_TOKEN_PREFIX):
                token = pii.fernet().rotate(raw)
            else:
                token = pii.fernet().encrypt(raw)
            fd, temporary = tempfile.mkstemp(dir=directory, prefix=".rotate-")  # mode 0600
            with os.fdopen(fd, "wb") as handle:
                handle.write(token)
                handle.flush()
                # On disk before it replaces the old copy: else a power cut after the
                # rename can leave an empty file where the old one was.
                os.fsync(handle.fileno())
            os.replace(temporary, path)
            fsync_directory(directory)
            rewritten += 1
    return rewritten
