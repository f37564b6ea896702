from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent

if TYPE_CHECKING:
    # Generic for the checker only (django-stubs); Django's class takes no subscript.
    _ModelAdmin = admin.ModelAdmin[AuditEvent]
else:
    _ModelAdmin = admin.ModelAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(_ModelAdmin):
    """Read-only: the trail is written by the system and never by hand."""

    list_display = [
        "chain",
        "sequence",
        "time",
        "action",
        "actor",
        "organisation",
        "content_type",
        "label",
    ]
    list_filter = ["action", "organisation"]
    list_select_related = ["actor", "organisation", "content_type"]
    search_fields = ["=object_id", "=label", "=request_id"]
    date_hierarchy = "time"
    # Counting millions of rows on every page is the slowest part of a plain changelist.
    show_full_result_count = False
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_view_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        # The admin site lets in system administrators only (accounts.admin).
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
