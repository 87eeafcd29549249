"""Cursor (keyset) pagination for API lists, with the next page in an RFC 8288 `Link`.

Offsets skip and repeat rows when a queue changes between pages and get slower the
deeper one pages; a keyset cursor carries the sort key of the last row returned, so
the next page starts right after it with an index range scan. The cursor is signed:
an integrator treats it as opaque, and a tampered or foreign cursor is a clear 422
instead of a wrong page. It also carries the query's filters and a snapshot moment, so
the order (overdue first) stays the one the first page was cut from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from loket.core.errors import ValidationError

M = TypeVar("M", bound=Model)
MAX_CURSOR_LENGTH = 600


class InvalidCursor(ValidationError):
    title = "Invalid cursor"


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


@dataclass(frozen=True)
class CursorState:
    """What a cursor carries: the last row's sort key, the query and its snapshot moment."""

    after: tuple[Any, ...] | None
    query: dict[str, str]
    at: dt.datetime | None


def _encode(value: Any) -> Any:
    return {"dt": value.isoformat()} if isinstance(value, dt.datetime) else value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"dt"}:
        return dt.datetime.fromisoformat(value["dt"])
    return value


def read_cursor(cursor: str, *, salt: str, query: dict[str, str]) -> CursorState:
    """The state in `cursor` (empty: the first page); InvalidCursor if it was not made by
    this list for the same filters."""
    if not cursor:
        return CursorState(after=None, query=query, at=None)
    try:
        raw = signing.loads(cursor, salt=f"loket.cursor.{salt}")
        after = tuple(_decode(v) for v in raw["k"])
        at = dt.datetime.fromisoformat(raw["at"]) if raw.get("at") else None
        carried = dict(raw["q"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise InvalidCursor(
            _("The cursor is not valid: use the one from the previous page's Link header."),
            code="invalid_cursor",
            field="cursor",
        ) from error
    if carried != query:
        raise InvalidCursor(
            _("The cursor belongs to a list with other filters: keep the filters while paging."),
            code="cursor_query_mismatch",
            field="cursor",
        )
    return CursorState(after=after, query=carried, at=at)


def after_key(order: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows after `values` in `order` (all fields non-null, the last unique; a leading "-"
    sorts that field descending): (a > x) or (a = x and b > y) or ... — the row-value
    comparison, spelled for the ORM. It starts with the first field's bound (a >= x)
    alone: the same rows, but the planners of SQLite and PostgreSQL see an index range
    there instead of scanning past every row of an OR."""
    fields = [name.removeprefix("-") for name in order]
    past = ["lt" if name.startswith("-") else "gt" for name in order]
    condition = Q()
    for index, name in enumerate(fields):
        step = Q(**{f"{name}__{past[index]}": values[index]})
        for prior, value in zip(fields[:index], values[:index], strict=True):
            step &= Q(**{prior: value})
        condition |= step
    bound = Q(**{f"{fields[0]}__{past[0]}e": values[0]})
    return bound & condition


def keyset_page(
    queryset: QuerySet[M],
    *,
    order: Sequence[str],
    limit: int,
    state: CursorState,
    salt: str,
    offset: int = 0,
) -> Page[M]:
    """One page of `queryset` ordered by `order` after the cursor's key, and the next cursor.

    `offset` (for lists that offered offsets before cursors) skips rows of the first page
    only: a cursor already says where its page starts."""
    if state.after is not None:
        if len(state.after) != len(order):
            raise InvalidCursor(
                _("The cursor is not valid: use the one from the previous page's Link header."),
                code="invalid_cursor",
                field="cursor",
            )
        queryset = queryset.filter(after_key(order, state.after))
    rows = list(queryset.order_by(*order)[offset : offset + limit + 1])
    items, more = rows[:limit], len(rows) > limit
    if not more:
        return Page(items=items, next_cursor=None)
    last = items[-1]
    payload = {
        "k": [_encode(getattr(last, name.removeprefix("-"))) for name in order],
        "q": state.query,
        "at": state.at.isoformat() if state.at else "",
    }
    return Page(items=items, next_cursor=signing.dumps(payload, salt=f"loket.cursor.{salt}"))


def next_link(request: HttpRequest, cursor: str, *, drop: Sequence[str] = ()) -> str:
    """`Link` header value for the next page: this request's URL with `cursor` replaced
    (and the parameters in `drop`, which only a first page takes, left out)."""
    params = request.GET.copy()
    for name in drop:
        params.pop(name, None)
    params["cursor"] = cursor
    return f'<{request.build_absolute_uri(request.path)}?{params.urlencode()}>; rel="next"'
