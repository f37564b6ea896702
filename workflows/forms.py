"""Task forms: the case's record forms cut to what a step records, and small choice forms."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.cases.forms import (
    DATE_INPUT,
    ContactForm,
    DateInputsMixin,
    DoctorViewMixin,
    GuardianAppointmentForm,
    SchemeDatedMixin,
    court_field_setup,
    doctor_view_labels,
)
from advocacy.cases.models import (
    GUARDIANSHIP_END_REASONS,
    SUPPORT_END_REASONS,
    Assessment,
    Case,
    GuardianAppointment,
    Petition,
    Referral,
    Subsidy,
    TeamMeeting,
)
from advocacy.cases.models.records import PETITION_DOCUMENTS, DocumentStatus
from advocacy.reference.models import GrantedAct

ERR_DOCUMENT_PENDING = _("受領済みか不要のどちらかにしてください。")
ERR_AMOUNT = _("申請する場合は申請日と金額を入力してください。")
ERR_PAST_DUE = _("期限に過去の日付は指定できません。")

YES_NO = [("yes", _("はい")), ("no", _("いいえ"))]


def _date(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label, widget=DATE_INPUT, input_formats=["%Y-%m-%d", "%Y/%m/%d"], **kwargs
    )


class ConfirmForm(forms.Form):
    confirmed = forms.BooleanField(label=_("確認しました"), required=True)


# Consultation


class TriageForm(forms.Form):
    class Outcome:
        INFORMATION = "information"
        REFERRAL = "referral"
        DAILY_LIFE = "daily_life_support"
        COORDINATION = "coordination"

    outcome = forms.ChoiceField(
        label=_("振り分け"),
        choices=[
            (Outcome.INFORMATION, _("情報提供で終了")),
            (Outcome.REFERRAL, _("他機関へつなぐ")),
            (Outcome.DAILY_LIFE, _("日常生活自立支援事業へ")),
            (Outcome.COORDINATION, _("支援調整へ進む")),
        ],
        widget=forms.RadioSelect,
    )


class ReferralStepForm(DateInputsMixin, forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["referred_on", "agency", "reason", "follow_up_due", "feedback_due"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}


class FollowUpForm(forms.Form):
    followed_up_on = _date(_("確認日"))
    took = forms.ChoiceField(
        label=_("つなぎ先で支援が始まったか"), choices=YES_NO, widget=forms.RadioSelect
    )


class FeedbackForm(forms.Form):
    feedback_sent_on = _date(_("相談者へ報告した日"))


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("終結理由"), choices=Case.ClosingReason.choices)
    closed_on = _date(_("終結日"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = timezone.localdate()


class HandoverDateForm(forms.Form):
    handed_over_on = _date(_("引継ぎ日"))


# Coordination


class AssessmentStepForm(DateInputsMixin, forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["assessed_on", "capacity_notes", "risks"]
        widgets = {
            "capacity_notes": forms.Textarea(attrs={"rows": 4}),
            "risks": forms.Textarea(attrs={"rows": 3}),
        }


class DocumentsForm(DoctorViewMixin, forms.ModelForm):
    # Declared for display (presenters.rows reads its labels); replaced by the day's choices.
    doctor_view = forms.ChoiceField(
        label=_("医師の所見"), choices=doctor_view_labels, required=False
    )

    class Meta:
        model = Assessment
        fields = ["info_sheet_status", "certificate_status", "doctor_view"]

    def clean(self):
        data = super().clean()
        done = {DocumentStatus.RECEIVED, DocumentStatus.NOT_NEEDED}
        for name in ("info_sheet_status", "certificate_status"):
            if data.get(name) and data[name] not in done:
                self.add_error(name, ERR_DOCUMENT_PENDING)
        return data


class LessRestrictiveForm(forms.Form):
    next_step = forms.ChoiceField(
        label=_("今後の対応"),
        choices=[("close", _("他の支援で対応し終結")), ("refer", _("他機関へつなぐ"))],
        widget=forms.RadioSelect,
    )


class PetitionerForm(forms.ModelForm):
    class Meta:
        model = Petition
        fields = ["petitioner_type"]


class RelativeSearchForm(forms.ModelForm):
    class Meta:
        model = Petition
        fields = ["relative_search_degree"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relative_search_degree"].required = True


class RelativesIntentionsForm(forms.ModelForm):
    class Meta:
        model = Petition
        fields = ["relatives_intentions"]
        widgets = {"relatives_intentions": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relatives_intentions"].required = True


class MayorApprovalForm(DateInputsMixin, forms.ModelForm):
    class Meta:
        model = Petition
        fields = ["approved_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approved_on"].required = True


class SubsidyCheckForm(forms.Form):
    needed = forms.ChoiceField(
        label=_("申立費用の助成を申請するか"), choices=YES_NO, widget=forms.RadioSelect
    )
    applied_on = _date(_("申請日"), required=False)
    amount_yen = forms.IntegerField(label=_("金額（円）"), min_value=0, required=False)

    def clean(self):
        data = super().clean()
        if data.get("needed") == "yes" and (
            not data.get("applied_on") or data.get("amount_yen") is None
        ):
            raise forms.ValidationError(ERR_AMOUNT)
        return data


class MatchingForm(forms.Form):
    profession = forms.ChoiceField(
        label=_("依頼する専門職"), choices=GuardianAppointment.Profession.choices
    )
    confirmed = forms.BooleanField(label=_("候補者へ受任の依頼を送った"), required=True)


class PetitionFileForm(SchemeDatedMixin, DateInputsMixin, forms.ModelForm):
    scheme_dated = {"type_sought": "filed_on"}
    documents = forms.MultipleChoiceField(
        label=_("提出書類"),
        choices=PETITION_DOCUMENTS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Petition
        fields = ["court", "documents", "filed_on", "type_sought"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filed_on"].required = True
        court_field_setup(self, required=True)
        self.fields["type_sought"].help_text = _("支援調整会議で決めた類型が入っています。")

    def clean(self):
        data = self.cleaned_data
        # Left empty, the type stays what the petitioner step carried from the conference
        # (filled in before the check that it is of the scheme in force on the filing day).
        if not data.get("type_sought") and "type_sought" not in self.errors:
            if self.instance.type_sought_id is None:
                self.add_error("type_sought", _("申立ての類型を選んでください。"))
            else:
                data["type_sought"] = self.instance.type_sought
        return super().clean()


class RulingForm(SchemeDatedMixin, DateInputsMixin, forms.ModelForm):
    scheme_dated = {"type_granted": "ruling_on", "acts": "ruling_on"}
    acts = forms.ModelMultipleChoiceField(
        label=_("付与された権限"),
        queryset=GrantedAct.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Petition
        fields = [
            "ruling_on",
            "court_case_number",
            "type_granted",
            "acts",
            "term_kind",
            "term_until",
            "supervisor_appointed",
            "supervisor_name",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ruling_on"].required = True
        self.fields["type_granted"].required = True


AppointedGuardianForm = GuardianAppointmentForm


class RegistrationForm(DateInputsMixin, forms.ModelForm):
    class Meta:
        model = Petition
        fields = ["registration_number", "registered_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registered_on"].required = True


# Team support


class TeamFormationForm(forms.Form):
    first_meeting_due = _date(_("初回チーム会議の期限"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_meeting_due"].initial = timezone.localdate() + datetime.timedelta(
            days=30
        )

    def clean_first_meeting_due(self):
        value = self.cleaned_data["first_meeting_due"]
        if value < timezone.localdate():
            raise forms.ValidationError(ERR_PAST_DUE)
        return value


class MeetingForm(DateInputsMixin, forms.ModelForm):
    class Meta:
        model = TeamMeeting
        fields = ["held_on", "participants", "notes"]
        widgets = {
            "participants": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }


class IndependenceForm(forms.Form):
    independent = forms.ChoiceField(
        label=_("チームは自立して運営できているか"), choices=YES_NO, widget=forms.RadioSelect
    )


# Guardian support

HelpRequestForm = ContactForm


class FeeSubsidyForm(DateInputsMixin, forms.ModelForm):
    class Meta:
        model = Subsidy
        fields = ["fee_ruling_on", "deadline", "applied_on", "amount_yen"]


class ChangeRecordForm(forms.ModelForm):
    """What change of guardian is sought, and who petitions for it."""

    class Meta:
        model = Petition
        fields = ["change_kind", "petitioner_type"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["change_kind"].required = True


class ChangePetitionForm(DateInputsMixin, forms.ModelForm):
    """The petition for the appointment: court, papers, filing date (no type: it stands)."""

    documents = forms.MultipleChoiceField(
        label=_("提出書類"),
        choices=PETITION_DOCUMENTS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Petition
        fields = ["court", "documents", "filed_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filed_on"].required = True
        court_field_setup(self, required=True)


class ChangeRulingForm(DateInputsMixin, forms.ModelForm):
    class Meta:
        model = Petition
        fields = ["ruling_on", "court_case_number"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ruling_on"].required = True


class FinalSettlementForm(forms.Form):
    settled = forms.BooleanField(
        label=_("報酬助成の最終精算と家庭裁判所への報告を確認した"), required=True
    )


# Events reported on the case page


class FeeRulingForm(forms.Form):
    fee_ruling_on = _date(_("報酬付与の審判日"))


def _reasons(reasons) -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in Case.ClosingReason.choices if code in reasons]


class ClosingRequestForm(forms.Form):
    """The end of the guardianship itself: hand-over and final settlement follow."""

    reason = forms.ChoiceField(
        label=_("終了の理由"), choices=lambda: _reasons(GUARDIANSHIP_END_REASONS)
    )


class SupportEndForm(forms.Form):
    """The end of the agency's support while the guardianship goes on."""

    reason = forms.ChoiceField(
        label=_("支援終結の理由"), choices=lambda: _reasons(SUPPORT_END_REASONS)
    )
