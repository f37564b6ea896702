"""Who is acting, from where, in which request: known to code that has no request at hand."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from advocacy.accounts.models import User

# The attribute of a request that holds its audit request id.
_REQUEST_ID_ATTRIBUTE = "audit_request_id"


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip_address: str = ""
    # The request's lazy user; read only when an event needs it.
    user: object = None


_current: ContextVar[RequestContext | None] = ContextVar("audit_request_context", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_of(request: HttpRequest) -> str:
    """Return the audit request id given to request, or "" if it has none yet."""
    request_id: str = getattr(request, _REQUEST_ID_ATTRIBUTE, "")
    return request_id


def set_request_id(request: HttpRequest, request_id: str) -> None:
    """Give request its audit request id (HttpRequest declares no such attribute)."""
    setattr(request, _REQUEST_ID_ATTRIBUTE, request_id)


def client_ip(request: HttpRequest) -> str:
    """Return the client's address as the web server saw it, or "" if it is not an address."""
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client wrote unless a proxy we trust
    # rewrote it, and the proxy set-up is the operator's to configure.
    value = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def current_context() -> RequestContext | None:
    return _current.get()


def current_user() -> User | None:
    """Return the authenticated user of the current request, or None."""
    context = _current.get()
    user = getattr(context, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        authenticated: User = user
        return authenticated
    return None


@contextmanager
def request_context(
    *, request_id: str | None = None, ip_address: str = "", user: object = None
) -> Iterator[RequestContext]:
    """Bind a request id (and optionally an address and user) for the block's audit events."""
    context = RequestContext(
        request_id=request_id or new_request_id(), ip_address=ip_address, user=user
    )
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
