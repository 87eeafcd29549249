"""Files that must survive a power cut: synced before anything depends on them.

The page cache keeps written data for up to about half a minute. A key written without
a sync can be empty after a power cut while the database it encrypts already committed
rows with it: every NIK unreadable. Only the standard library here, so the settings
module can use it before Django is configured.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path


def fsync_directory(directory: str | os.PathLike[str]) -> None:
    """Make the entries of `directory` (a file created, linked or renamed in it) durable.

    Some file systems cannot sync a directory and say so with EINVAL or EBADF; there the
    file's own sync is all there is, as PostgreSQL also accepts (fsync_fname)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.EBADF):
            raise
    finally:
        os.close(fd)


def create_once(path: Path, content: bytes, mode: int = 0o600) -> bytes:
    """Create the file `path` holding `content`, unless it exists; its content either way.

    The content is written to a temporary file, synced, and linked to `path`: link()
    fails if the name exists, so a reader never sees a half-written file, and two
    processes creating it at once (the web workers and the worker, on first start)
    end up with the same one, the first linked. Then the directory is synced."""
    if path.exists():
        return path.read_bytes()
    # A fresh name each time (mode 0600 until told otherwise): a temporary file left by a
    # crash, or by a process of the same pid, is never in the way.
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won: theirs stands
        else:
            fsync_directory(path.parent)
    finally:
        temporary.unlink(missing_ok=True)
    return path.read_bytes()
