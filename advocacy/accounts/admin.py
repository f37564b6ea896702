from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.contrib.admin import AdminSite, helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from advocacy.accounts.roles import is_system_admin
from advocacy.admin_site import SystemAdminPermissions

from .models import Organisation, Professional, User
from .services import second_factor_reset, user_deactivate, user_reactivate

if TYPE_CHECKING:

    class AdminRequest(HttpRequest):
        """A request the admin site let in (restrict_admin_to_system_admins): a logged-in user."""

        user: User


@admin.register(Organisation)
class OrganisationAdmin(SystemAdminPermissions, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "short_name"]


class ProfessionalInline(SystemAdminPermissions, admin.StackedInline):
    model = Professional
    can_delete = False
    extra = 0
    filter_horizontal = ["areas"]


@admin.register(User)
class UserAdmin(SystemAdminPermissions, DjangoUserAdmin):
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
    actions = ["reset_second_factor", "deactivate_users", "reactivate_users"]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        # An account is deactivated only through the action below (user_deactivate), which
        # also takes away its grants and open tasks; a ticked box here would do neither.
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "is_active"] if obj is not None else readonly

    def has_second_factor_reset_permission(self, request: HttpRequest) -> bool:
        # The one way round the second factor: system administrators only.
        return is_system_admin(request.user)

    @admin.action(description=_("二要素認証をリセット"), permissions=["second_factor_reset"])
    def reset_second_factor(self, request: AdminRequest, queryset: QuerySet) -> HttpResponse | None:
        """Ask for confirmation first (a page listing the users), then delete their devices."""
        if request.POST.get("post") != "yes":
            return TemplateResponse(
                request,
                "accounts/second_factor_reset_confirm.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("二要素認証をリセットしますか？"),
                    "opts": self.model._meta,
                    "users": queryset,
                    "devices": TOTPDevice.objects.filter(user__in=queryset).count(),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "action_name": "reset_second_factor",
                },
            )
        # One service call, one transaction and one audit event per user.
        for user in queryset:
            second_factor_reset(actor=request.user, user=user, request=request)
        self.message_user(
            request,
            _t("{count}人の二要素認証をリセットしました。").format(count=len(queryset)),
            messages.SUCCESS,
        )
        return None

    @admin.action(description=_("アカウントを無効にする（異動・退職）"))
    def deactivate_users(self, request: AdminRequest, queryset: QuerySet) -> HttpResponse | None:
        """Ask for confirmation first, then deactivate each account (one service call each)."""
        queryset = queryset.exclude(pk=request.user.pk)
        if request.POST.get("post") != "yes":
            return TemplateResponse(
                request,
                "accounts/user_deactivate_confirm.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("アカウントを無効にしますか？"),
                    "opts": self.model._meta,
                    "users": queryset,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "action_name": "deactivate_users",
                },
            )
        for user in queryset:
            user_deactivate(actor=request.user, user=user, request=request)
        self.message_user(
            request,
            _t(
                "{count}人のアカウントを無効にしました。担当していたタスクは組織の未割当に戻り、"
                "ケースの閲覧権限は取り消されました。"
            ).format(count=len(queryset)),
            messages.SUCCESS,
        )
        return None

    @admin.action(description=_("アカウントを再び有効にする"))
    def reactivate_users(self, request: AdminRequest, queryset: QuerySet) -> HttpResponse | None:
        """Let the accounts log in again (they get no case back by themselves)."""
        for user in queryset.filter(is_active=False):
            user_reactivate(actor=request.user, user=user, request=request)
        self.message_user(
            request,
            _t("選んだアカウントを有効にしました。ケースの担当は改めて設定してください。"),
            messages.SUCCESS,
        )
        return None


@admin.register(Professional)
class ProfessionalAdmin(SystemAdminPermissions, admin.ModelAdmin):
    list_display = ["user", "profession", "registration_body", "capacity", "active"]
    list_filter = ["profession", "active", "areas"]
    list_select_related = ["user"]
    filter_horizontal = ["areas"]


def restrict_admin_to_system_admins(admin_site: AdminSite) -> None:
    """Let only active system administrators (or superusers) into ``admin_site``."""

    def has_permission(request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and user.is_staff and is_system_admin(user)

    # This site's own check, set on the instance on purpose (mypy takes it for a mistake).
    admin_site.has_permission = has_permission  # type: ignore[method-assign]
    admin_site.site_header = _("権利擁護支援 中核機関 システム管理")
    admin_site.site_title = _("システム管理")
