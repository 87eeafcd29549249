"""django-csp's middleware with the policy built once per settings, not twice per response.

`csp.middleware.CSPMiddleware.process_response` builds the enforced policy and the
report-only one from the settings on every response (dataclass copies, a walk over
every known directive, a join), although without a per-view override or a nonce both
strings only depend on the settings. Loket uses neither, so the common response gets the
strings built once; a response with an override (`csp_update`, `csp_replace`,
`csp_exempt`...) or a request that asked for a nonce goes through django-csp unchanged.
"""

from __future__ import annotations

from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as _DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

# Attributes django-csp's decorators set on a response: any of them means "not the default".
_OVERRIDES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


class _Built:
    """The two header values for one pair of settings objects (identity: an
    override_settings in tests swaps the objects, so the strings are built again)."""

    __slots__ = ("enforced", "prefixes", "prefixes_ro", "report_only", "sources")

    def __init__(self, sources: tuple[Any, Any]) -> None:
        enforced, report_only = sources
        self.sources = sources
        self.enforced = build_policy()
        self.report_only = build_policy(report_only=True)
        self.prefixes = tuple((enforced or {}).get("EXCLUDE_URL_PREFIXES", None) or ())
        self.prefixes_ro = tuple((report_only or {}).get("EXCLUDE_URL_PREFIXES", None) or ())


class CSPMiddleware(_DjangoCSPMiddleware):
    """The same headers as django-csp's, from strings built once per settings."""

    _built: _Built | None = None

    def _policies(self) -> _Built:
        sources = (
            getattr(settings, "CONTENT_SECURITY_POLICY", None),
            getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None),
        )
        built = self._built
        if (
            built is None
            or built.sources[0] is not sources[0]
            or built.sources[1] is not sources[1]
        ):
            built = self._built = _Built(sources)
        return built

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in _OVERRIDES
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response  # django-csp leaves Django's debug pages alone
        built = self._policies()
        path = request.path_info
        if built.enforced and HEADER not in response and not path.startswith(built.prefixes):
            response[HEADER] = built.enforced
        if (
            built.report_only
            and HEADER_REPORT_ONLY not in response
            and not path.startswith(built.prefixes_ro)
        ):
            response[HEADER_REPORT_ONLY] = built.report_only
        # As django-csp does: a nonce asked for after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
