"""The one place that asks for the second factor, on every URL of the site."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .otp import is_verified, needs_second_factor, second_factor_url

# URL names an unverified user may still reach: the second-factor pages themselves, logging
# out, and the JavaScript translation catalog those pages load (no data in it).
OPEN_URL_NAMES = ("otp_verify", "otp_enrol", "logout", "javascript-catalog")


def _is_open(path: str) -> bool:
    if path in {reverse(name) for name in OPEN_URL_NAMES}:
        return True
    # Static and media files carry no case data. An unset MEDIA_URL reads as "/" (Django adds
    # the script prefix), which would open every URL: only a real prefix counts.
    for url in (settings.STATIC_URL, settings.MEDIA_URL):
        if url and url.strip("/") and path.startswith(url):
            return True
    return False


class SecondFactorMiddleware:
    """Send a logged-in user who needs a second factor and has not given it to verify or enrol.

    Runs after django_otp's OTPMiddleware (which adds user.is_verified()). Views need no mixin
    of their own: this guards the viewflow applications, the admin, the audit pages and
    whatever is added later alike.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and needs_second_factor(user)
            and not is_verified(user)
            and not _is_open(request.path_info)
        ):
            # Come back to the page asked for; a form post is not replayed, so it goes home.
            next_url = request.get_full_path() if request.method in ("GET", "HEAD") else None
            return redirect(second_factor_url(user, next_url))
        return self.get_response(request)
