"""The applicant's tracking GET bodies, kept per process (docs/decisions/0030).

Applicants repeat the same GET while nothing about their case changes; making its body
(decrypting the applicant card, decoding the read model, naming steps and positions,
writing the moments in the local zone, encoding the JSON) was most of the request's
own work. A body is kept here under a key made of everything it is made from
(`serializers.tracked_response` makes the key), so a key seen again can only stand
for the same body. Bounded: the least recently used body goes first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

MAX_BODIES = 1024

_bodies: OrderedDict[Hashable, bytes] = OrderedDict()
_lock = threading.Lock()


def get(key: Hashable) -> bytes | None:
    """The body kept under `key`, or None."""
    try:
        with _lock:
            body = _bodies.get(key)
            if body is not None:
                _bodies.move_to_end(key)
    except TypeError:  # a value of the row that cannot be hashed: never kept
        return None
    return body


def put(key: Hashable, body: bytes) -> None:
    """Keep `body` under `key`, forgetting the least recently used beyond MAX_BODIES."""
    try:
        with _lock:
            _bodies[key] = body
            _bodies.move_to_end(key)
            while len(_bodies) > MAX_BODIES:
                _bodies.popitem(last=False)
    except TypeError:
        return


def clear() -> None:
    with _lock:
        _bodies.clear()
