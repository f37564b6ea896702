from django.contrib import admin

from advocacy.admin_site import SystemAdminPermissions

from .models import (
    Area,
    FamilyCourt,
    GrantedAct,
    GuardianshipScheme,
    GuardianshipType,
    MainConcern,
    PersonCategory,
)


@admin.register(Area, PersonCategory, MainConcern)
class OrderedChoiceAdmin(SystemAdminPermissions, admin.ModelAdmin):
    list_display = ["name", "code", "sort_order", "active"]
    list_editable = ["sort_order", "active"]


class GuardianshipTypeInline(SystemAdminPermissions, admin.TabularInline):
    model = GuardianshipType
    extra = 0


class GrantedActInline(SystemAdminPermissions, admin.TabularInline):
    model = GrantedAct
    extra = 0


@admin.register(GuardianshipScheme)
class GuardianshipSchemeAdmin(SystemAdminPermissions, admin.ModelAdmin):
    list_display = ["name", "code", "valid_from", "valid_until"]
    inlines = [GuardianshipTypeInline, GrantedActInline]


@admin.register(FamilyCourt)
class FamilyCourtAdmin(SystemAdminPermissions, admin.ModelAdmin):
    list_display = ["name", "code", "main_office", "sort_order", "active"]
    list_editable = ["sort_order", "active"]
    list_filter = ["active"]
    search_fields = ["name", "code"]
