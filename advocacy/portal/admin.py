from django.contrib import admin

from advocacy.admin_site import SystemAdminPermissions

from .models import CandidateProfile


@admin.register(CandidateProfile)
class CandidateProfileAdmin(SystemAdminPermissions, admin.ModelAdmin):
    """Availability, languages and specialities of candidates, kept by system administrators."""

    list_display = ["professional", "available_from", "languages"]
    list_select_related = ["professional__user"]
    search_fields = ["professional__user__last_name", "professional__user__username"]
