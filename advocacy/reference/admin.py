from django.contrib import admin

from .models import Area, GuardianshipScheme, GuardianshipType, MainConcern, PersonCategory


@admin.register(Area, PersonCategory, MainConcern)
class OrderedChoiceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort_order", "active"]
    list_editable = ["sort_order", "active"]


class GuardianshipTypeInline(admin.TabularInline):
    model = GuardianshipType
    extra = 0


@admin.register(GuardianshipScheme)
class GuardianshipSchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "valid_from", "valid_until"]
    inlines = [GuardianshipTypeInline]
