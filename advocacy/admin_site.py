"""The Django admin is for system administrators only."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from advocacy.access.roles import is_system_admin


def restrict_admin_to_system_admins(admin_site: AdminSite) -> None:
    """Let only active system administrators (or superusers) into ``admin_site``."""

    def has_permission(request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and user.is_staff and is_system_admin(user)

    admin_site.has_permission = has_permission
    admin_site.site_header = _("権利擁護支援 中核機関 システム管理")
    admin_site.site_title = _("システム管理")
