"""The second factor (TOTP through django-otp): who needs it, where to send them, the QR code.

The rule lives here and is enforced in one place, SecondFactorMiddleware
(advocacy/accounts/middleware.py); the pages that take the code are in otp_views.py.
"""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.plugins.otp_totp.models import TOTPDevice

from advocacy.accounts.models import User
from advocacy.accounts.roles import Role, has_role


def otp_for_staff() -> bool:
    """Whether everyone else needs a second factor too (settings.ADVOCACY_OTP_FOR_STAFF)."""
    return bool(getattr(settings, "ADVOCACY_OTP_FOR_STAFF", False))


def needs_second_factor(user: User | AnonymousUser) -> bool:
    """Professionals and 支援会議 outside members always; with ADVOCACY_OTP_FOR_STAFF on,
    every other account too.

    "Staff" here is everyone the city and the Council give an account: caseworkers,
    supervisors, committee members and, above all, system administrators.
    """
    if not user.is_authenticated:
        return False
    # The setting first: with it on, no role needs reading on every request.
    return otp_for_staff() or has_role(user, Role.PROFESSIONAL, Role.MEETING_MEMBER)


def is_verified(user: User | AnonymousUser) -> bool:
    """Whether this session gave a code of a device that still exists (OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def safe_next(request: HttpRequest, url: str | None) -> str | None:
    """url if it stays on this site (no open redirect through ?next=), else None."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def otp_url(name: str, next_url: str | None = None) -> str:
    """The URL of the second-factor page name, carrying next along."""
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def second_factor_url(user: User, next_url: str | None = None) -> str:
    """Where an unverified user goes: verify with their device, or enrol one first."""
    return otp_url("otp_verify" if has_confirmed_device(user) else "otp_enrol", next_url)


def secret_text(device: TOTPDevice) -> str:
    """The device's secret in base32, in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an inline SVG QR code (CSP allows img-src data:)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4)
