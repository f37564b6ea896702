"""The Django admin is for system administrators only, by their role."""

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


class SystemAdminPermissions:
    """Admin pages of a model open to system administrators by their role.

    Roles carry no Django permissions (docs/decisions.md, 2), so the admin's own permission
    checks would refuse a system administrator everything. Nothing is deleted here:
    accounts are deactivated and reference rows retired, because cases and the audit trail
    point at them. Mix in before the ModelAdmin or inline class.
    """

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_system_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_system_admin(request.user)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return is_system_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_system_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
