"""The forms of the meeting screens; the rules themselves are in ``services``."""

from __future__ import annotations

from typing import cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from advocacy.accounts.models import User
from advocacy.accounts.roles import Role
from advocacy.cases.forms import DateInputsMixin
from advocacy.cases.models import Decision
from advocacy.cases.models.records import PetitionerType
from advocacy.reference.models import GuardianshipType

from . import services
from .models import Meeting, Member

STAFF_GROUPS = [Role.CITY_CASEWORKER, Role.COUNCIL_CASEWORKER, Role.SUPERVISOR]


def _staff_of(organisation_id) -> forms.ModelChoiceField:
    staff = Q(organisation_id=organisation_id, groups__name__in=STAFF_GROUPS)
    return forms.ModelChoiceField(
        queryset=User.objects.filter(staff, is_active=True)
        .distinct()
        .order_by("last_name", "first_name"),
        required=False,
    )


class MeetingForm(DateInputsMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = list(services.MEETING_FIELDS)
        widgets = {"starts_at": forms.TimeInput(attrs={"type": "time"})}
        help_texts = {
            "place": _("会議室の名称など。本人の自宅など個人が分かる場所は書かないでください。"),
            "agenda_sent_on": _("外部の構成員はこの日から会議資料を見られます。"),
        }

    def __init__(self, *args, organisation_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"] = _staff_of(organisation_id)
        self.fields["chair"].label = _("司会・議長")
        if not self.instance._state.adding:
            del self.fields["kind"]  # a meeting keeps its kind (its rules follow from it)


class MemberForm(DateInputsMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = [
            "is_outside",
            "user",
            "name",
            "organisation_name",
            "organisation_type",
            "title",
            "pledged_on",
            "pledge_basis",
        ]

    def __init__(self, *args, organisation_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        staff = Q(organisation_id=organisation_id, groups__name__in=STAFF_GROUPS)
        outside = Q(groups__name=Role.MEETING_MEMBER)
        self.fields["user"].queryset = (
            User.objects.filter(staff | outside, is_active=True).distinct().order_by("last_name")
        )
        self.fields["user"].help_text = _(
            "職員、または会議資料を画面で見る外部の構成員（アカウントのある方）。"
        )
        self.fields["organisation_type"].required = False
        self.fields["organisation_type"].initial = Member.OrganisationType.AGENCY

    def clean_organisation_type(self):
        return self.cleaned_data.get("organisation_type") or Member.OrganisationType.AGENCY


class AttendanceForm(forms.Form):
    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"] = forms.MultipleChoiceField(
            label=_("出席者"),
            choices=[(str(m.pk), m.display_name) for m in members],
            initial=[str(m.pk) for m in members if m.attended],
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )


class ItemForm(forms.Form):
    case_number = forms.CharField(label=_("ケース番号"), max_length=16, help_text=_("例: R7-0042"))
    briefing = forms.CharField(
        label=_("協議事項・資料"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
        help_text=_(
            "支援会議では、外部の構成員が会議資料として見るのはこの欄とケースの概要だけです。"
        ),
    )


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("議事録"), widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=4000
    )
    decision_text = forms.CharField(
        label=_("決定事項"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    reasons = forms.CharField(
        label=_("決定の理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    # A 支援調整会議's decision (the case's 支援方針): completes its conference step.
    outcome = forms.ChoiceField(
        label=_("方針"), choices=[("", "---------"), *Decision.Outcome.choices], required=False
    )
    guardianship_type = forms.ModelChoiceField(
        label=_("想定する類型"), queryset=GuardianshipType.objects.none(), required=False
    )
    petitioner_type = forms.ChoiceField(
        label=_("想定する申立人"),
        choices=[("", "---------"), *PetitionerType.choices],
        required=False,
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting.kind == Meeting.Kind.COORDINATION:
            types = GuardianshipType.objects.valid_on(meeting.held_on).select_related("scheme")
            field = cast(forms.ModelChoiceField, self.fields["guardianship_type"])
            field.queryset = types
        else:
            for name in ("outcome", "guardianship_type", "petitioner_type"):
                del self.fields[name]


class FollowUpForm(DateInputsMixin, forms.Form):
    case = forms.ChoiceField(label=_("ケース"))
    action = forms.CharField(
        label=_("対応"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )
    # Left to the service to refuse, with its message: a form and a direct call alike.
    owner = forms.ModelChoiceField(label=_("担当者"), queryset=User.objects.none(), required=False)
    due_on = forms.DateField(label=_("期限"), required=False)

    def __init__(self, *args, items=(), organisation_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [(str(i.case_id), i.case.number) for i in items]
        self.fields["owner"].queryset = _staff_of(organisation_id).queryset


class SummaryForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 8})}
        help_texts = {"summary": _("委員会の議事録です。個人が特定される情報は書けません。")}


class ShareForm(forms.Form):
    case = forms.ChoiceField(label=_("ケース"))
    organisation = forms.ChoiceField(label=_("共有先の組織"))
    reason = forms.CharField(label=_("理由"), max_length=200)

    def __init__(self, *args, items=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [(str(i.case_id), i.case.number) for i in items]
        self.fields["organisation"].choices = [(str(o.pk), str(o)) for o in organisations]
