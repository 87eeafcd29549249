"""Keep personal data out of logs (UU PDP): NIK-like and phone-like numbers are masked."""

from __future__ import annotations

import logging
import re

# 16-digit NIK, 18-digit NIP are public-ish but NIK is personal; phones are 9-14 digits
# with an optional +62/0 prefix. Mask all long digit runs: better one false mask than a leak.
# Except what an operator needs to read and is never personal, matched first and kept
# whole: a UUID (task and job ids: "6b4d4512-3456-471d-…" has a run "4512-3456-471"), a
# date with its time ("2026-12-03 14:28:01" is a run too), and a hex digest.
_KEEP = (
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?"
    r"|(?<![0-9A-Za-z])(?=[0-9a-f]*[a-f])[0-9a-f]{32,}(?![0-9A-Za-z])"
)
_LONG_DIGITS = re.compile(rf"(?P<keep>{_KEEP})|(?<!\d)(?P<run>\+?\d[\d -]{{8,}}\d)(?!\d)")


def _mask(found: re.Match[str]) -> str:
    run = found.group("run")
    if run is None:
        return found.group("keep")
    return run[:2] + "*" * (len(run) - 4) + run[-2:]


def mask_digits(text: str) -> str:
    return _LONG_DIGITS.sub(_mask, text)


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_digits(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class DropWorkerChatter(logging.Filter):
    """`loket worker` runs django-tasks-db's worker in short batches; drop the start/stop
    lines each batch logs so the log shows the tasks, not the polling."""

    _CHATTER = ("Starting worker worker_id=", "No more tasks to run for worker_id=")

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self._CHATTER)
