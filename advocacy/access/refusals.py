"""How a refusal is audited: one middleware sees every answer and records each refusal once.

A refusal is any 403 (a role that may not open a screen, a case it may not change, viewflow's
application door, a CSRF failure) and any answer to a request a view marked with
``refusal_note`` — the 404 that makes "missing" and "not yours" look alike
(``cases.guards.denied``). Views never write the event themselves, so no refusal is recorded
twice and none is forgotten by a view written tomorrow.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse

from advocacy.access.services import access_denied_record

# Where refusal_note leaves the refused object on the request (what:id, never a value typed).
_NOTE = "_advocacy_refusal"


def refusal_note(request: HttpRequest, what: str, object_id: object) -> None:
    """Mark request as a refused attempt at what:object_id; the middleware records it."""
    setattr(request, _NOTE, f"{what}:{str(object_id)[:36]}")


def refusal_target(request: HttpRequest) -> str | None:
    """The what:id a view marked as refused, or None."""
    return getattr(request, _NOTE, None)


class RefusalAuditMiddleware:
    """Record ACCESS_DENIED once for every refused request: the URL name, never the query.

    Place it after RequestContextMiddleware (the request id and address) and outside the
    views: a PermissionDenied raised anywhere below has become a 403 response by the time
    the response passes here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        target = refusal_target(request)
        if target is not None or response.status_code == HTTPStatus.FORBIDDEN:
            match = getattr(request, "resolver_match", None)
            access_denied_record(
                actor=request.user,
                target=target,
                view_name=match.view_name if match else "",
                status=response.status_code,
                request=request,
            )
        return response
