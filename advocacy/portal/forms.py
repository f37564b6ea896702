from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.accounts.models import Professional
from advocacy.cases.models.general import AGE_BAND_CHOICES
from advocacy.reference.models import Area, GuardianshipType, PersonCategory

from .models import DeclineReason, Need


class NeedForm(forms.Form):
    need = forms.ChoiceField(label=_("必要な支援"), choices=Need.choices)


class RequestForm(forms.Form):
    """The request and its anonymised summary: categories are choices, and the words are
    checked for the case's own values before sending (portal.anonymity)."""

    professional = forms.ModelChoiceField(
        label=_("候補者"), queryset=Professional.objects.filter(active=True).select_related("user")
    )
    need = forms.ChoiceField(label=_("必要な支援"), choices=Need.choices)
    # Choices, not words: a field that takes any text could carry a name past the check.
    # No band preselected when the person's is not on the list: a browser would show the
    # first (0〜4歳) and send it unnoticed.
    age_band = forms.ChoiceField(
        label=_("年齢階級"), choices=[("", "---------"), *AGE_BAND_CHOICES]
    )
    area = forms.ModelChoiceField(label=_("地域"), queryset=Area.objects.all())
    categories = forms.ModelMultipleChoiceField(
        label=_("本人の区分"),
        queryset=PersonCategory.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    # The types of the scheme(s) in force today (set in __init__).
    type_sought = forms.ModelChoiceField(
        label=_("想定する類型"), queryset=GuardianshipType.objects.none()
    )
    main_issues = forms.CharField(label=_("主な課題"), widget=forms.Textarea, max_length=2000)
    workload = forms.CharField(label=_("想定される業務量"), widget=forms.Textarea, max_length=1000)
    confirm_warnings = forms.BooleanField(
        label=_("注意された箇所を確認し、個人を特定できる情報がないことを確かめました"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The request is made today: the types of the scheme(s) in force today; in a
        # transition each name carries its scheme's, so the professional reads which law.
        types = (
            GuardianshipType.objects.valid_on(timezone.localdate())
            .select_related("scheme")
            .order_by("scheme__valid_from", "sort_order", "pk")
        )
        field = self.fields["type_sought"]
        field.queryset = types
        if len({t.scheme_id for t in types}) > 1:
            field.label_from_instance = lambda t: f"{t.name}（{t.scheme.name}）"


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("辞退の理由"), choices=DeclineReason.choices)
    note = forms.CharField(
        label=_("詳細（任意）"), widget=forms.Textarea, required=False, max_length=1000
    )


class MessageForm(forms.Form):
    body = forms.CharField(label=_("メッセージ"), widget=forms.Textarea, max_length=2000)
