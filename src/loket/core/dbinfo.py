"""Which database this process uses, said without its password (for operators' messages)."""

from __future__ import annotations

from django.db import connection


def describe_database() -> str:
    """'SQLite /path/loket.sqlite3' or 'PostgreSQL db@host:port' (never credentials)."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite {settings_dict['NAME']}"
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or ""
    return f"{connection.display_name} {settings_dict['NAME']}@{host}{':' if port else ''}{port}"
