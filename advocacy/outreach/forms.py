"""The forms of outreach's screens."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from advocacy.cases.forms import DATE_INPUT
from advocacy.cases.models import Case
from advocacy.reference.models import Area

from .models import TOLD_MAX, Feedback, OutreachEvent, Trainee, TrainingCourse


class FeedbackConsentForm(forms.Form):
    feedback_consent = forms.ChoiceField(
        label=_("相談者（紹介元）への経過報告への同意"), choices=Case.Consent.choices
    )
    feedback_consent_on = forms.DateField(
        label=_("同意確認日（撤回のときは撤回の日）"), required=False, widget=DATE_INPUT
    )


class FeedbackForm(forms.Form):
    given_on = forms.DateField(label=_("報告日"), widget=DATE_INPUT)
    method = forms.ChoiceField(label=_("報告の方法"), choices=Feedback.Method.choices)
    told = forms.CharField(
        label=_("報告した内容"),
        max_length=TOLD_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("本人が同意した範囲で、相談者に伝えた経過を書いてください。"),
    )


class OutreachEventForm(forms.ModelForm):
    over_capacity_confirmed = forms.BooleanField(
        label=_("定員超過を確認した（当日参加などで定員を超えた）"), required=False
    )

    class Meta:
        model = OutreachEvent
        fields = [
            "held_on",
            "title",
            "place",
            "kind",
            "audience",
            "organiser",
            "capacity",
            *OutreachEvent.ATTENDANCE_FIELDS,
            "leaflets",
            "general_consultations",
            "consultations",
        ]
        widgets = {
            "held_on": DATE_INPUT,
            "general_consultations": forms.CheckboxSelectMultiple,
            "consultations": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, general=None, named=None, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["general_consultations"].queryset = general
        fields["consultations"].queryset = named
        # A case's consultation is shown by its case number and day, never by a name.
        fields["consultations"].label_from_instance = lambda c: (
            f"{c.case.number} {c.get_channel_display()}"
        )
        fields["general_consultations"].label_from_instance = lambda g: (
            f"{g.get_channel_display()} {g.get_referrer_type_display()}"
        )
        fields["general_consultations"].help_text = _(
            "開催日に記録した一般相談から選びます（先に一般相談を記録してください）。"
        )


class TrainingCourseForm(forms.ModelForm):
    class Meta:
        model = TrainingCourse
        fields = ["title", "cohort", "starts_on", "sessions", "required_sessions"]
        widgets = {"starts_on": DATE_INPUT}


class TraineeForm(forms.ModelForm):
    class Meta:
        model = Trainee
        fields = ["name", "kana", "address", "phone"]


class AttendanceForm(forms.Form):
    session = forms.IntegerField(label=_("回"), min_value=1)
    present = forms.ModelMultipleChoiceField(
        label=_("出席者"),
        queryset=Trainee.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, trainees=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["present"]
        field.queryset = trainees
        # Names are decrypted for the page that lists them (audited there).
        field.label_from_instance = lambda t: t.name


class CompletionForm(forms.Form):
    on = forms.DateField(label=_("修了日"), widget=DATE_INPUT)


class TraineeEraseForm(forms.Form):
    """Confirm a trainee's erasure: it cannot be undone."""

    confirmed = forms.BooleanField(label=_("取り消せない操作であることを確認しました"))
    reason = forms.CharField(
        label=_("理由（中途辞退・本人の申出など）"), max_length=200, strip=True
    )


class RegisterForm(forms.Form):
    on = forms.DateField(label=_("名簿登録日"), widget=DATE_INPUT)
    backup = forms.ChoiceField(label=_("社協の支援の形"), choices=Trainee.Backup.choices)
    areas = forms.ModelMultipleChoiceField(
        label=_("活動できる地域"),
        queryset=Area.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class CorporateForm(forms.Form):
    capacity = forms.IntegerField(label=_("法人後見の受任可能件数"), min_value=0, max_value=500)
    active = forms.BooleanField(label=_("受任を受け付ける"), required=False, initial=True)
