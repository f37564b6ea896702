"""The shell: the home redirect by role and error pages that reveal nothing."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from advocacy.accounts.roles import Role, has_role, is_case_staff, is_system_admin


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to the home page of their role."""
    user = request.user
    if is_case_staff(user):
        return redirect("inbox:index")
    if has_role(user, Role.PROFESSIONAL):
        return redirect("portal:index")
    if has_role(user, Role.COMMITTEE_MEMBER):
        return redirect("stats:index")
    if has_role(user, Role.MEETING_MEMBER):
        return redirect("meetings:pack:index")
    if is_system_admin(user):
        return redirect("admin:index")
    return render(request, "no_role.html", status=403)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors here: the failure may be in them.
    return render(request, "500.html", status=500, using=None)
