"""Admin pages that open to whoever the admin site lets in.

The site itself lets in system administrators only
(``accounts.admin.restrict_admin_to_system_admins``);
every model admin defers to that one check, so this module needs no role and any package's
admin may use it, whatever its layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite
    from django.db import models


class SystemAdminPermissions:
    """Admin pages of a model open to system administrators by their role.

    Roles carry no Django permissions (docs/decisions.md, 2), so the admin's own permission
    checks would refuse a system administrator everything. Nothing is deleted here:
    accounts are deactivated and reference rows retired, because cases and the audit trail
    point at them. Mix in before the ModelAdmin or inline class.
    """

    admin_site: AdminSite  # the ModelAdmin's or inline's

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False
