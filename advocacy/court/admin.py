from django.contrib import admin

from advocacy.admin_site import SystemAdminPermissions

from . import services
from .models import SubsidyRule


@admin.register(SubsidyRule)
class SubsidyRuleAdmin(SystemAdminPermissions, admin.ModelAdmin):
    """One fiscal year's subsidy rules a row; a new year is a new row (the old stays)."""

    list_display = [
        "fiscal_year",
        "asset_ceiling_yen",
        "monthly_cap_home_yen",
        "monthly_cap_facility_yen",
    ]

    def save_model(self, request, obj, form, change):
        services.subsidy_rule_save(actor=request.user, rule=obj)
