"""Who is acting, from where, in which request: known to code that has no request at hand."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip_address: str = ""
    # The request's lazy user; read only when an event needs it.
    user: object = None


_current: ContextVar[RequestContext | None] = ContextVar("audit_request_context", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


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


def current_user():
    """Return the authenticated user of the current request, or None."""
    context = _current.get()
    user = getattr(context, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user
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
