from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Professional, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "short_name"]


class ProfessionalInline(admin.StackedInline):
    model = Professional
    can_delete = False
    extra = 0
    filter_horizontal = ["areas"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "last_name", "first_name", "organisation", "is_active"]
    list_filter = ["organisation", "groups", "is_active"]
    list_select_related = ["organisation"]
    inlines = [ProfessionalInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("氏名と連絡先"), {"fields": ("last_name", "first_name", "email")}),
        (_("所属と役割"), {"fields": ("organisation", "groups", "is_active", "is_staff")}),
        (_("日時"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2", "organisation", "groups")}),
    )
    # Individual permissions are not offered: roles are groups, case access is per object.
    filter_horizontal = ["groups"]


@admin.register(Professional)
class ProfessionalAdmin(admin.ModelAdmin):
    list_display = ["user", "profession", "registration_body", "capacity", "active"]
    list_filter = ["profession", "active", "areas"]
    list_select_related = ["user"]
    filter_horizontal = ["areas"]
