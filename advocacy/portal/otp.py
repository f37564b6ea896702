"""The second factor (TOTP, django-otp): who needs it, and the mixin that asks for it."""

from __future__ import annotations

import segno
from django.conf import settings
from django.shortcuts import redirect
from django_otp.plugins.otp_totp.models import TOTPDevice

from advocacy.access.roles import has_role, is_case_staff
from advocacy.accounts.models import User
from advocacy.accounts.roles import Role


def needs_second_factor(user: User) -> bool:
    """Professionals always; case staff when PORTAL_OTP_FOR_STAFF is on."""
    if has_role(user, Role.PROFESSIONAL):
        return True
    return bool(getattr(settings, "PORTAL_OTP_FOR_STAFF", False)) and is_case_staff(user)


def is_verified(user: User) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


class SecondFactorRequiredMixin:
    """Send a logged-in user who needs a second factor and has not given it to verify/enrol.

    Professionals see nothing outside the portal (every other application refuses them), so
    guarding the portal's views guards all they can reach.
    """

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and needs_second_factor(user) and not is_verified(user):
            if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                return redirect("portal:otp_verify")
            return redirect("portal:otp_enrol")
        return super().dispatch(request, *args, **kwargs)


def qr_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an inline SVG QR code (CSP allows img-src data:)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4)
