"""The `loket` command.

Every subcommand is a Django management command (`loket demo`, `loket serve`,
`loket worker`, `loket services validate PATH`, `loket verify FILE`, and
Django's own such as `loket migrate`), so operators need no manage.py.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loket.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "loket"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
