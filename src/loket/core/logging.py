"""Keep personal data out of logs (UU PDP): NIK-like and phone-like numbers are masked."""

from __future__ import annotations

import logging
import re

# 16-digit NIK, 18-digit NIP are public-ish but NIK is personal; phones are 9-14 digits
# with an optional +62/0 prefix. Mask all long digit runs: better one false mask than a leak.
_LONG_DIGITS = re.compile(r"(?<!\d)(\+?\d[\d -]{8,}\d)(?!\d)")


def mask_digits(text: str) -> str:
    return _LONG_DIGITS.sub(
        lambda m: m.group(1)[:2] + "*" * (len(m.group(1)) - 4) + m.group(1)[-2:], text
    )


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
