"""The REST API: one NinjaAPI; routers live in the domain apps and are added here."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from loket.api import validation
from loket.api.problems import problem
from loket.api.responses import PROBLEM_SCHEMA, LocalTimeEncoder
from loket.core import safeinput
from loket.core.errors import LoketError, MalformedRequest, UnsupportedMediaType


class LocalTimeRenderer(JSONRenderer):
    encoder_class = LocalTimeEncoder


class SafeJSONParser(Parser):
    """JSON bodies only (else 415), well-formed (else 400), without NUL, lone surrogates
    or deep nesting (400 naming the field)."""

    def parse_body(self, request: HttpRequest) -> Any:
        content_type = request.content_type or ""
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise UnsupportedMediaType(
                _("Send the body as JSON, with the header Content-Type: application/json."),
                field="Content-Type",
                code="unsupported_media_type",
            )
        try:
            return safeinput.loads(request.body, field="")
        except ValueError:  # json.JSONDecodeError, UnicodeDecodeError
            raise MalformedRequest(
                _("The body is not valid JSON."), field="body", code="malformed_json"
            ) from None


class LoketAPI(NinjaAPI):
    """Every operation documents the 400 that `RefuseUnsafeInput` and the parser may give."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        refused = {
            "description": "Malformed request: a NUL byte or unpaired surrogate in a field, "
            "or JSON nested too deeply",
            "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}},
        }
        unsupported = {
            "description": "The body is not in the format the operation takes (JSON or "
            "multipart/form-data, as documented)",
            "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}},
        }
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.get("responses") if isinstance(operation, dict) else None
                if responses is not None:
                    # ninja keys its own responses by int, openapi_extra by str: one key
                    # per status (the explicit extra wins), else the JSON has it twice.
                    for status in [k for k in responses if isinstance(k, int)]:
                        documented = responses.pop(status)
                        responses.setdefault(str(status), documented)
                if responses is not None and "400" not in responses:
                    responses["400"] = refused
                if responses is not None and "requestBody" in operation:
                    responses.setdefault("415", unsupported)
        return schema


api = LoketAPI(
    parser=SafeJSONParser(),
    renderer=LocalTimeRenderer(),
    title="Loket API",
    version="1",
    description="Public services as code: service standards, applications, officer tasks, "
    "the public ledger. Errors are RFC 9457 problem+json.",
    urls_namespace="api",
)


@api.exception_handler(LoketError)
def _domain_error(request: HttpRequest, exc: LoketError) -> HttpResponse:
    return problem(
        exc.status, exc.title, exc.message, code=exc.code, field=exc.field, errors=exc.field_errors
    )


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": validation.field_name(err), "message": validation.message(err)}
        for err in exc.errors
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(422, "Invalid input", detail, code="validation_error", errors=errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(
        401,
        "Not signed in",
        _("Send a bearer token from POST /api/v1/auth/token, or an API key."),
        code="unauthenticated",
        field="Authorization",
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, LoketError):
        # ninja wraps every parser failure in "Cannot parse request body"; ours name the field.
        return _domain_error(request, exc.__cause__)
    return problem(exc.status_code, "Error", str(exc), code="http_error")


def _register_routers() -> None:
    """Routers are imported late so an app can be worked on without the others."""
    from importlib import import_module

    for module, prefix in [
        ("loket.catalog.api", "/services"),
        ("loket.ledger.api", "/ledger"),
        ("loket.api.auth", "/auth"),
        ("loket.cases.api.routers:applications", "/applications"),
        ("loket.documents.api:applicant_router", "/applications"),
        ("loket.cases.api.routers:tasks", "/tasks"),
        ("loket.cases.api.routers:cases", "/cases"),
        ("loket.documents.api:officer_router", "/cases"),
        ("loket.payments.api", "/payments"),
        ("loket.surveys.api", "/surveys"),
        ("loket.complaints.api", "/complaints"),
        ("loket.notify.api", "/webhooks"),
    ]:
        module_path, _sep, name = module.partition(":")
        router = getattr(import_module(module_path), name or "router")
        api.add_router(prefix, router)


_register_routers()
