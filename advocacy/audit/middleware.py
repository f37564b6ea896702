"""Give every request an id and make it, the address and the user known to audit_record."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import client_ip, new_request_id, request_context, set_request_id

REQUEST_ID_HEADER = "X-Request-ID"


class RequestContextMiddleware:
    """Assign a request id (uuid4 hex) and bind it for the request's audit events.

    Place it after AuthenticationMiddleware, so that request.user exists.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id()
        set_request_id(request, request_id)
        ip_address = client_ip(request)
        with request_context(
            request_id=request_id, ip_address=ip_address, user=getattr(request, "user", None)
        ):
            response = self.get_response(request)
        # Lets staff quote the id when they report a problem, so it can be found in the trail.
        response[REQUEST_ID_HEADER] = request_id
        return response
