"""Django's message framework for the pages only: the JSON API has no use for it.

`MessageMiddleware` builds a cookie-and-session message store on every request and asks
it to write itself out on every response. No API view adds or shows a message (they answer
JSON or problem+json), so the REST API's requests skip both; a page that shows messages
finds none set on such a request, as it would find none queued.
"""

from __future__ import annotations

from django.contrib.messages.middleware import MessageMiddleware
from django.http import HttpRequest

API_PREFIX = "/api/v1/"


class PageMessageMiddleware(MessageMiddleware):
    # Django's process_response already leaves a request without a store alone.
    def process_request(self, request: HttpRequest) -> None:
        if not request.path_info.startswith(API_PREFIX):
            super().process_request(request)
