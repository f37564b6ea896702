from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from advocacy.admin_site import SystemAdminPermissions

from . import services
from .models import PaperTemplate, SubsidyRule
from .papers.catalogue import PAPERS
from .papers.templates import template_check


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


class PaperTemplateForm(forms.ModelForm):
    """Upload a city's own template: checked before anything is saved."""

    code = forms.ChoiceField(label=_("書類"), choices=[(c, p.title) for c, p in PAPERS.items()])
    upload = forms.FileField(
        label=_("ひな形（.docx）"),
        help_text=_("差し込み項目は docs/court.md の「Papers」を参照してください。"),
    )

    class Meta:
        model = PaperTemplate
        fields = ["code"]

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload is not None and data.get("code"):
            content = upload.read()
            try:
                template_check(data["code"], content)
            except ValidationError as error:
                self.add_error("upload", error)
            else:
                self.checked_content = content
        return data


@admin.register(PaperTemplate)
class PaperTemplateAdmin(SystemAdminPermissions, admin.ModelAdmin):
    """A city's templates of the papers; without one, the default in papers/defaults/."""

    form = PaperTemplateForm
    list_display = ["code", "uploaded_by", "uploaded_at"]

    def save_model(self, request, obj, form, change):
        saved = services.paper_template_upload(
            actor=request.user, code=form.cleaned_data["code"], data=form.checked_content
        )
        obj.pk = saved.pk
