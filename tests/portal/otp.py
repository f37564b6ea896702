"""Log a user in with a verified second factor, as django-otp's own login would leave it."""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def token_for(device: TOTPDevice) -> str:
    """The current code of device, computed from its key as the authenticator app would."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def force_login_verified(client: Client, user) -> Client:
    """force_login, then mark the session verified with the user's TOTP device."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_device(user).persistent_id
    session.save()
    return client
