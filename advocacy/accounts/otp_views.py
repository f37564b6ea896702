"""The second-factor pages: enrol an authenticator app, then give its code at each login.

They sit beside the login page (/accounts/otp/), outside every viewflow application, so
that professionals and staff alike can reach them; SecondFactorMiddleware sends users here.
"""

from __future__ import annotations

import django_otp
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from . import services
from .forms import TokenForm
from .otp import (
    has_confirmed_device,
    is_verified,
    needs_second_factor,
    otp_url,
    qr_data_uri,
    safe_next,
    secret_text,
)

MSG_LOCKED = gettext_lazy(
    "誤ったコードが続いたため、しばらくコードを確認できません。時間をおいてもう一度入力してください。"
)


def _next(request: HttpRequest) -> str | None:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"))


def _onward(request: HttpRequest) -> HttpResponse:
    """Back to where the user was going, or home."""
    return redirect(_next(request) or reverse("home"))


class _SecondFactorView(LoginRequiredMixin, View):
    template_name = ""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        # Nothing to do here for a verified session or a user who needs no second factor.
        if user.is_authenticated and (is_verified(user) or not needs_second_factor(user)):
            return _onward(request)
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request, context: dict, status: int = 200) -> HttpResponse:
        return render(
            request, self.template_name, {**context, "next": _next(request) or ""}, status=status
        )


class OtpVerifyView(_SecondFactorView):
    """Give the current code of the enrolled authenticator app."""

    template_name = "accounts/otp_verify.html"

    def get(self, request):
        if not has_confirmed_device(request.user):
            return redirect(otp_url("otp_enrol", _next(request)))
        return self._render(request, {"form": TokenForm()})

    def post(self, request):
        form = TokenForm(request.POST)
        if form.is_valid():
            check = services.second_factor_verify(
                actor=request.user, token=form.cleaned_data["token"], request=request
            )
            if check.device is not None:
                django_otp.login(request, check.device)
                return _onward(request)
            # A refused code is not shown again: the page may stay on a shared screen.
            form.data = form.data.copy()
            form.data["token"] = ""
            if check.locked:
                form.add_error("token", MSG_LOCKED)
                context = {"form": form, "locked_until": check.locked_until}
                return self._render(request, context, status=429)
            form.add_error("token", _("コードが正しくありません。"))
        return self._render(request, {"form": form}, status=422)


class OtpEnrolView(_SecondFactorView):
    """Set up the authenticator app: a QR code rendered here, then one code to confirm."""

    template_name = "accounts/otp_enrol.html"

    def _context(self, request, form, device=None) -> dict:
        device = device or services.totp_device_for_enrolment(user=request.user)
        return {
            "form": form,
            "qr": qr_data_uri(device),
            "secret": secret_text(device),
            "device": device,
        }

    def get(self, request):
        if has_confirmed_device(request.user):
            # Replacing a device is an administrator's job (the admin's reset), not a session's.
            return redirect(otp_url("otp_verify", _next(request)))
        return self._render(request, self._context(request, TokenForm()))

    def post(self, request):
        if has_confirmed_device(request.user):
            return redirect(otp_url("otp_verify", _next(request)))
        form = TokenForm(request.POST)
        device = services.totp_device_for_enrolment(user=request.user)
        if form.is_valid() and services.second_factor_confirm(
            actor=request.user, device=device, token=form.cleaned_data["token"], request=request
        ):
            django_otp.login(request, device)
            return _onward(request)
        form.add_error(None, _("コードが正しくありません。"))
        return self._render(request, self._context(request, form, device), status=422)
