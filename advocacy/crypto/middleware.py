"""Request-scoped cache of unwrapped data keys."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .keycache import key_cache


class KeyCacheMiddleware:
    """Give each request its own data-key cache and wipe it when the response is ready."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with key_cache():
            return self.get_response(request)
