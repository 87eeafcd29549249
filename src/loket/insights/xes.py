"""The case event log as XES (IEEE 1849-2016) for process-mining tools.

Mapping (shared performance note): trace `concept:name` = tracking number;
event `concept:name` = step id (the event kind for events outside a step);
`time:timestamp`; `org:resource` = the position code, never a person. No
names, NIK, reasons or payloads leave: reasons are free text and may carry
personal data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">
<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
<global scope="trace"><string key="concept:name" value="__INVALID__"/></global>
<global scope="event"><string key="concept:name" value="__INVALID__"/>
<date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/></global>
<classifier name="Activity" keys="concept:name"/>
"""


@dataclass(frozen=True)
class LogEvent:
    tracking_number: str
    service: str
    at: dt.datetime
    kind: str
    step_id: str
    action: str
    position: str
    capacity: str


def _string(key: str, value: str) -> str:
    return f"<string key={quoteattr(key)} value={quoteattr(value)}/>"


def _timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def _event(event: LogEvent) -> str:
    parts = [
        _string("concept:name", event.step_id or event.kind),
        _string("lifecycle:transition", "complete"),
        f'<date key="time:timestamp" value="{_timestamp(event.at)}"/>',
        _string("loket:kind", event.kind),
    ]
    if event.action:
        parts.append(_string("loket:action", event.action))
    if event.position:
        parts.append(_string("org:resource", event.position))
    if event.capacity:
        parts.append(_string("loket:capacity", event.capacity))
    return "<event>" + "".join(parts) + "</event>\n"


def write(events: Iterable[LogEvent]) -> Iterator[str]:
    """XES text in pieces; `events` ordered by case then sequence (one trace per case)."""
    yield HEADER
    current: str | None = None
    for event in events:
        if event.tracking_number != current:
            if current is not None:
                yield "</trace>\n"
            current = event.tracking_number
            yield (
                "<trace>"
                + _string("concept:name", event.tracking_number)
                + _string("loket:service", event.service)
                + "\n"
            )
        yield _event(event)
    if current is not None:
        yield "</trace>\n"
    yield "</log>\n"
