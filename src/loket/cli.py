"""The `loket` command.

Every subcommand is a Django management command (`loket demo`, `loket serve`,
`loket worker`, `loket services validate PATH`, `loket verify FILE`, and
Django's own such as `loket migrate`), so operators need no manage.py.
"""

from __future__ import annotations

import os
import sys
import tempfile


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loket.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "loket"
    if args[1:2] == ["verify"] and "LOKET_DATA_DIR" not in os.environ:
        # Offline verification needs no installation state: don't create ./var and
        # secrets in whatever folder a citizen downloaded their certificate to.
        os.environ["LOKET_DATA_DIR"] = tempfile.mkdtemp(prefix="loket-verify-")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
