"""Refusing hostile text at the edge: NUL bytes, lone surrogates, JSON nested too deep.

PostgreSQL cannot store a NUL byte in text and raises on it; a lone surrogate
(JSON's "\\ud800") is not encodable as UTF-8 and breaks encryption, hashing and
rendering; deeply nested JSON makes Python's parser recurse until it fails.
None of them is ever meaningful input to Loket, so they are refused once, where
the request is parsed, with a 400 naming the field, instead of being checked in
every service. `RefuseUnsafeInput` guards paths, query strings, headers, cookies
and url-encoded bodies; `loads` is the JSON parser of the API and of `data` fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from loket.core.errors import LoketError

DEFAULT_MAX_JSON_DEPTH = 32

# In a Python str every surrogate is a lone one: a valid pair decodes to one character.
_UNSAFE = re.compile("[\x00\ud800-\udfff]")
# JSON strings (with their escapes) are skipped when counting brackets.
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


class UnsafeInput(LoketError):
    """Text the platform never accepts (NUL, lone surrogate) or JSON nested too deeply."""

    status = 400
    title = "Bad request"


def is_unsafe(text: str) -> bool:
    """True when the text holds a NUL character or a lone surrogate."""
    return _UNSAFE.search(text) is not None


def unsafe_text(field: str) -> UnsafeInput:
    return UnsafeInput(
        _(
            "The field %(field)s contains a character that is not allowed "
            "(a NUL byte or an unpaired surrogate)."
        )
        % {"field": field},
        field=field,
        code="unsafe_characters",
    )


def check_text(value: str, *, field: str) -> str:
    """Return `value`, or raise UnsafeInput naming `field`."""
    if is_unsafe(value):
        raise unsafe_text(field)
    return value


def max_json_depth() -> int:
    return int(getattr(settings, "LOKET_MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH))


def too_deep(raw: str | bytes, limit: int) -> bool:
    """True when the JSON text nests arrays/objects deeper than `limit` (before parsing it)."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", data)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def loads(raw: str | bytes, *, field: str) -> Any:
    """Parse JSON refusing deep nesting, NUL and lone surrogates; raises UnsafeInput or
    ValueError (not JSON at all) for the caller to word."""
    limit = max_json_depth()
    if too_deep(raw, limit):
        raise UnsafeInput(
            _("The field %(field)s is nested more than %(limit)s levels deep.")
            % {"field": field or "body", "limit": limit},
            field=field or "body",
            code="too_deeply_nested",
        )
    try:
        value = json.loads(raw)
    except RecursionError:  # the scan above makes this unreachable; kept as a backstop
        raise ValueError("nested too deeply") from None
    check_tree(value, field=field)
    return value


def check_tree(value: Any, *, field: str) -> None:
    """Raise UnsafeInput naming the innermost field (e.g. `data.nama`) of a bad string."""
    stack: list[tuple[Any, str]] = [(value, field)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            check_text(item, field=where)
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{where}.{key}" if where else str(key)
                check_text(str(key), field=name)
                stack.append((child, name))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{i}]") for i, child in enumerate(item))


# -- the middleware ---------------------------------------------------------------------


class RefuseUnsafeInput:
    """Answer 400 naming the field before a NUL byte or lone surrogate reaches a view.

    Checks the path (naming the URL parameter it falls in), query string, headers,
    cookies and url-encoded bodies. JSON bodies are checked by the API's parser (`loads`),
    multipart ones by the views' forms (Django's form fields refuse NUL) and the
    API's `_form`: reading them here would fix the upload handlers before the
    views can choose theirs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            self._check(request)
        except UnsafeInput as exc:
            return _refusal(request, exc)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        if is_unsafe(request.path_info):
            raise unsafe_text(_path_field(request.path_info))
        _check_pairs(request.GET.lists(), "")
        for name, value in request.COOKIES.items():
            if is_unsafe(name) or is_unsafe(value):
                raise unsafe_text(f"cookie {name!r}")
        for key, value in request.META.items():
            # Headers the API reads (X-Access-Code, Idempotency-Key) end up in queries too.
            if key.startswith("HTTP_") and isinstance(value, str) and is_unsafe(value):
                raise unsafe_text(key[5:].replace("_", "-").title())
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if request.content_type == "application/x-www-form-urlencoded":
            _check_pairs(QueryDict(request.body, encoding=request.encoding).lists(), "")


def _check_pairs(pairs: Iterable[tuple[str, list[str]]], prefix: str) -> None:
    for key, values in pairs:
        field = f"{prefix}{key}"
        check_text(key, field=field)
        for value in values:
            check_text(value, field=field)


def _path_field(path: str) -> str:
    """The URL parameter a bad character falls in (e.g. `tracking_number`), else `path`."""
    try:
        match = resolve(path)
    except Resolver404:
        return "path"
    for name, value in match.kwargs.items():
        if isinstance(value, str) and is_unsafe(value):
            return name
    return "path"


def _refusal(request: HttpRequest, exc: UnsafeInput) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        # RFC 9457 problem+json like every other API error (core imports no app).
        field = exc.field or "body"
        body = {
            "type": f"{settings.PUBLIC_BASE_URL}/api/problems/{exc.code}",
            "title": _("Malformed request"),
            "status": exc.status,
            "detail": exc.message,
            "field": field,
            "errors": [{"field": field, "message": exc.message}],
            "invalid_params": [{"name": field, "reason": exc.message}],
        }
        return HttpResponse(
            json.dumps(body, ensure_ascii=False),
            status=exc.status,
            content_type="application/problem+json",
        )
    return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
