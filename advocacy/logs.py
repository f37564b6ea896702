"""Log lines that carry the request's ids, and one line per request.

A line names the request id (the one sent back in X-Request-ID and stored with the request's
audit events), the user's id and the user's organisation id. It never holds a name, a form
value or a query string: the request line gives the route pattern (`app/cases/<uuid:pk>/`), not
the path, so even a value typed into a URL stays out of the log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from advocacy.audit.context import current_context

request_logger = logging.getLogger("advocacy.request")


def _evaluated_user(user: object) -> object:
    # The request's user is lazy; a log line must not be what loads it (a query, perhaps in
    # the middle of handling an error), so only a user already loaded is named.
    wrapped = getattr(user, "_wrapped", user)
    return None if wrapped is empty else wrapped


class RequestContextFilter(logging.Filter):
    """Add request_id, user_id and organisation_id ("" outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current_context()
        user = _evaluated_user(context.user) if context is not None else None
        authenticated = bool(getattr(user, "is_authenticated", False))
        record.request_id = context.request_id if context is not None else ""
        record.user_id = getattr(user, "pk", "") if authenticated else ""
        organisation_id = getattr(user, "organisation_id", None) if authenticated else None
        record.organisation_id = organisation_id or ""
        return True


class RequestLogMiddleware:
    """One INFO line per request: method, route pattern, status, duration.

    Place it right after RequestContextMiddleware, whose context gives the line its ids.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        request_logger.info(
            "request",
            extra={
                "method": request.method,
                # The pattern, not the path: no id or typed value of the URL is logged.
                "route": match.route if match is not None else "",
                "view": match.view_name if match is not None else "",
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - start) * 1000, 1),
            },
        )
        return response
