from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from advocacy.cases.forms import DateInputsMixin
from advocacy.cases.models import Subsidy
from advocacy.dates import wareki

from .models import SubsidyAssessment

MONTHS = [(month, _("%(month)d月") % {"month": month}) for month in range(1, 13)]


class PlanForm(forms.Form):
    report_month = forms.TypedChoiceField(
        label=_("定期報告の月（裁判所が定めた月）"), choices=MONTHS, coerce=int
    )


class SubmissionForm(DateInputsMixin, forms.Form):
    submitted_on = forms.DateField(label=_("提出した日"))


class FeeRulingForm(DateInputsMixin, forms.Form):
    ruled_on = forms.DateField(label=_("報酬付与の審判日"))


class AssetChangeForm(DateInputsMixin, forms.Form):
    noted_on = forms.DateField(label=_("確認した日"))
    note = forms.CharField(
        label=_("変動の内容（説明のない点）"), widget=forms.Textarea, max_length=2000
    )


class ConfirmForm(forms.Form):
    confirmed = forms.BooleanField(label=_("確認しました"))


class ApplicationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Subsidy) -> str:
        # Kind, date and decision only: what tells a case's applications apart.
        return f"{obj.get_kind_display()} {wareki(obj.applied_on)} {obj.get_decision_display()}"


class SubsidyForm(forms.Form):
    """The computation of one of the case's applications: the facts the rule needs."""

    application = ApplicationChoiceField(
        label=_("算定する申請"), queryset=Subsidy.objects.none(), empty_label=None
    )
    basis = forms.ChoiceField(label=_("対象の根拠"), choices=SubsidyAssessment.Basis.choices)
    assets_yen = forms.IntegerField(label=_("資産（円）"), min_value=0)
    residence = forms.ChoiceField(label=_("生活の場"), choices=SubsidyAssessment.Residence.choices)
    months = forms.IntegerField(label=_("報酬の対象月数"), min_value=0, max_value=120, initial=0)
    fee_awarded_yen = forms.IntegerField(label=_("報酬付与額（円）"), min_value=0, initial=0)
    filing_fee_yen = forms.IntegerField(label=_("申立手数料等（円）"), min_value=0, initial=0)
    examination_yen = forms.IntegerField(label=_("鑑定費用（円）"), min_value=0, initial=0)
    certificate_yen = forms.IntegerField(label=_("診断書料（円）"), min_value=0, initial=0)
    override_yen = forms.IntegerField(
        label=_("決定額を変更する場合の額（円）"), min_value=0, required=False
    )
    override_reason = forms.CharField(
        label=_("変更の理由"), widget=forms.Textarea, required=False, max_length=2000
    )

    def __init__(self, *args, applications=None, **kwargs):
        super().__init__(*args, **kwargs)
        if applications is not None:
            self.fields["application"].queryset = applications

    def clean(self):
        data = super().clean()
        if data.get("override_yen") is not None and not (data.get("override_reason") or "").strip():
            self.add_error("override_reason", _("決定額を変更する理由を入れてください。"))
        return data
