"""Prepare a benchmark database: migrate, cache table, the demo agency and its services.

python bench/prepare.py --database-url URL --data-dir DIR --out r.json
"""

from __future__ import annotations

import argparse
import time

from harness import setup_django, write_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    started = time.perf_counter()
    setup_django(args.database_url, args.data_dir)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    from loket.demo.agency import load_demo

    summary = load_demo()
    if connection.vendor == "sqlite":
        # Fold the WAL into the main file so a plain file copy is a complete database.
        with connection.cursor() as cur:
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    write_result(
        args.out,
        {
            "part": "prepare",
            "published": summary.published,
            "seconds": round(time.perf_counter() - started, 1),
        },
    )


if __name__ == "__main__":
    main()
