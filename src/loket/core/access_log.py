"""gunicorn's access log with control characters escaped.

gunicorn writes the decoded path (`%(U)s`), so a request for
`/x%0d%0a127.0.0.1 - "GET /admin/ HTTP/1.1" 200` would write a second, forged line.
Every value is written with control characters (and backslashes) escaped, so one
request is always one line.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"


def escape(value: str) -> str:
    return _CONTROL.sub(_escaped, value)


class SafeAccessLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {k: escape(v) if isinstance(v, str) else v for k, v in atoms.items()}
