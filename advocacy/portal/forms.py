from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.accounts.models import Professional
from advocacy.reference.models import Area, GuardianshipType

from .models import DeclineReason, Need


class NeedForm(forms.Form):
    need = forms.ChoiceField(label=_("必要な支援"), choices=Need.choices)


def _type_choices() -> list[tuple[str, str]]:
    # The request is made today: the types of the scheme(s) in force today; in a transition
    # each name carries its scheme's, so the professional reads which law is meant.
    types = list(
        GuardianshipType.objects.valid_on(timezone.localdate())
        .select_related("scheme")
        .order_by("scheme__valid_from", "sort_order", "pk")
    )
    several = len({t.scheme_id for t in types}) > 1
    return [
        (label, label)
        for label in (f"{t.name}（{t.scheme.name}）" if several else t.name for t in types)
    ]


class RequestForm(forms.Form):
    """The request and its anonymised summary; no field asks for a name or an address."""

    professional = forms.ModelChoiceField(
        label=_("候補者"), queryset=Professional.objects.filter(active=True).select_related("user")
    )
    need = forms.ChoiceField(label=_("必要な支援"), choices=Need.choices)
    age_band = forms.CharField(label=_("年齢階級"), max_length=8)
    area = forms.ModelChoiceField(label=_("地域"), queryset=Area.objects.all())
    category = forms.CharField(label=_("本人の区分"), max_length=100, required=False)
    # A choice, not words: the types of the classification in force (their names are sent).
    type_sought = forms.ChoiceField(label=_("想定する類型"), choices=_type_choices)
    main_issues = forms.CharField(label=_("主な課題"), widget=forms.Textarea, max_length=2000)
    workload = forms.CharField(label=_("想定される業務量"), widget=forms.Textarea, max_length=1000)
    confirm_warnings = forms.BooleanField(
        label=_("注意された箇所を確認し、個人を特定できる情報がないことを確かめました"),
        required=False,
    )


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("辞退の理由"), choices=DeclineReason.choices)
    note = forms.CharField(
        label=_("詳細（任意）"), widget=forms.Textarea, required=False, max_length=1000
    )


class MessageForm(forms.Form):
    body = forms.CharField(label=_("メッセージ"), widget=forms.Textarea, max_length=2000)
