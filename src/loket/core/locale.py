"""Which language a request is answered in.

Pages (portal, workspace, admin, verification) speak Bahasa Indonesia unless the visitor
chose English: with the language switch in the header (its cookie), or by following a
link that says so (`?lang=en`, which the mails to an applicant who chose English carry;
it is remembered in the same cookie). A browser's Accept-Language does not choose for
them: most browsers in Indonesia send `en-US` because that is how the computer came, and
the service's own words (its standard, its forms, the README's tour) are Indonesian.

Machine interfaces (the REST API, CKAN, Open311, DCAT, CSW) keep HTTP content
negotiation: a client sends `Accept-Language: en` and gets English titles and messages,
as docs/api.md says.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.encoding import escape_uri_path

# Paths answered to programs, not people reading pages.
MACHINE_PREFIXES = ("/api/", "/open311/", "/csw", "/data.json", "/catalog.")
QUERY_PARAMETER = "lang"


def chosen_language(value: str | None) -> str | None:
    """One of settings.LANGUAGES' codes for a cookie or query value, else None."""
    if not value:
        return None
    code = value.strip().lower()[:8]
    return code if code in {c for c, _name in settings.LANGUAGES} else None


def is_machine_path(path: str) -> bool:
    return path.startswith(MACHINE_PREFIXES)


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware for the machine interfaces; the visitor's own choice,
    else Indonesian, for pages (see the module's docstring)."""

    def process_request(self, request: HttpRequest) -> HttpResponseBase | None:  # type: ignore[override]
        if is_machine_path(request.path_info):
            super().process_request(request)
            return None
        from_link = chosen_language(request.GET.get(QUERY_PARAMETER))
        language = (
            from_link
            or chosen_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
            or settings.LANGUAGE_CODE
        )
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        request._language_from_link = from_link  # type: ignore[attr-defined]
        if from_link and request.method in ("GET", "HEAD"):
            # On to the same page without the parameter, the choice now in the cookie:
            # the address bar, bookmarks and the language switch's own `next` then carry
            # no language that would undo a later switch.
            return HttpResponseRedirect(_without_language(request))
        return None

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if is_machine_path(request.path_info):
            return super().process_response(request, response)
        language = translation.get_language()
        # The page depends on the cookie, never on Accept-Language.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        from_link = getattr(request, "_language_from_link", None)
        if from_link and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != from_link:
            # Remembered as the switch does, so the next page keeps the language.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                from_link,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=cast(Any, settings.LANGUAGE_COOKIE_SAMESITE),
            )
        return response


def link_in(url: str, language: str) -> str:
    """A page's link that opens in `language` (mails to an applicant who chose English);
    Indonesian, the default, needs nothing."""
    code = chosen_language(language)
    if code is None or code == settings.LANGUAGE_CODE:
        return url
    return f"{url}{'&' if '?' in url else '?'}{QUERY_PARAMETER}={code}"


def _without_language(request: HttpRequest) -> str:
    """This request's path and query, less `lang`: always a path of this site. The page
    is redirected before any URL is resolved, so a path such as `//evil.example/` (which
    a browser reads as another host) is made `/evil.example/` first: no open redirect."""
    query = request.GET.copy()
    query.pop(QUERY_PARAMETER, None)
    encoded = query.urlencode()
    path = "/" + escape_uri_path(request.path).lstrip("/\\")
    return path + (f"?{encoded}" if encoded else "")
