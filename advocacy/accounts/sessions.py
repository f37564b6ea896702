"""The idle expiry of a session, renewed on activity without a write on every request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

# Where the session keeps when its expiry was last moved (seconds since the epoch).
RENEWED_KEY = "_advocacy_renewed"


def renew_seconds() -> int:
    """How long a session's expiry may stand still while it is used (decision 105)."""
    return int(getattr(settings, "ADVOCACY_SESSION_RENEW_SECONDS", 60))


class SessionRenewalMiddleware:
    """Move a used session's idle expiry forward at most once a minute (decision 105).

    Django's SESSION_SAVE_EVERY_REQUEST writes the session row on every request (a
    transaction of three round trips) only to move its expiry. This marks the session changed
    when its expiry was last moved more than ``renew_seconds()`` ago, so the row is written
    then, with a new expiry of SESSION_COOKIE_AGE from now. A session therefore idles out
    between SESSION_COOKIE_AGE − renew_seconds() and SESSION_COOKIE_AGE after its last use:
    never later than before. Changes to the session are saved as always. Place it right
    after SessionMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        # A request without a session cookie has nothing to renew (and gets no session).
        if session is not None and session.session_key is not None and not session.is_empty():
            now = time.time()
            renewed = session.get(RENEWED_KEY)
            # An expired or unknown session loads empty and loses its key: nothing to renew.
            stale = (
                not isinstance(renewed, (int, float)) or not 0 <= now - renewed < renew_seconds()
            )
            if stale and session.session_key is not None:
                session[RENEWED_KEY] = now
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="session_renewed_at_login")
def stamp_at_login(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """A login saves its new session with a fresh expiry: that is its first renewal."""
    session = getattr(request, "session", None)
    if session is not None:
        session[RENEWED_KEY] = time.time()
