"""Forms for the person, the case and each kind of record; messages in Japanese."""

from __future__ import annotations

import base64
import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, cast

from django import forms
from django.conf import settings
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from advocacy.cases.models import (
    Assessment,
    Case,
    Consultation,
    Contact,
    Decision,
    Document,
    GeneralConsultation,
    GuardianAppointment,
    Person,
    Petition,
    Referral,
    Subsidy,
    TeamMeeting,
    TeamMember,
)
from advocacy.cases.models.records import PETITION_DOCUMENTS
from advocacy.cases.personal_text import looks_personal
from advocacy.reference.models import (
    NOT_APPLICABLE,
    Area,
    FamilyCourt,
    GrantedAct,
    GuardianshipType,
    MainConcern,
    PersonCategory,
)

ERR_FUTURE_BIRTH = _("生年月日に未来の日付は入力できません。")
ERR_TOO_OLD = _("生年月日が古すぎます。確認してください。")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DateInputsMixin:
    """Use the browser's date picker and ISO input for every date field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DATE_INPUT
                field.input_formats = ["%Y-%m-%d", "%Y/%m/%d"]


if TYPE_CHECKING:
    _ModelFormBase = forms.ModelForm
else:
    _ModelFormBase = object

ERR_NOT_IN_FORCE = _("その日付に適用される体系の中から選んでください。")
# A scheme that ended less than this long ago stays on a form whose date is not yet known,
# for records of days before its end that are entered late (the date is checked on saving).
SCHEME_GRACE = datetime.timedelta(days=365)


def _parse_day(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    for fmt in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.datetime.strptime(str(value), fmt).date()  # noqa: DTZ007 - a date
        except (TypeError, ValueError):
            continue
    return None


def _scheme_label(item) -> str:
    return f"{item.name}（{item.scheme.name}）"


class SchemeDatedMixin(_ModelFormBase):
    """Offer the types and acts of the scheme in force on the record's date, and check it.

    ``scheme_dated`` maps a field choosing from a scheme to the date field it is judged by
    (the conference date, the filing date, the ruling date). Where two schemes are offered
    (a transition), each choice carries its scheme's name.
    """

    scheme_dated: dict[str, str] = {}

    def _record_day(self, date_name: str) -> datetime.date | None:
        if self.is_bound and date_name in self.fields:
            return _parse_day(self.data.get(self.add_prefix(date_name)))
        return getattr(self.instance, date_name, None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, date_name in self.scheme_dated.items():
            field = self.fields.get(name)
            if field is None:
                continue
            day = self._record_day(date_name)
            model = field.queryset.model
            if day is not None:
                offered = model.objects.valid_on(day)
            else:
                today = timezone.localdate()
                offered = model.objects.valid_between(today - SCHEME_GRACE, today)
            field.queryset = offered.select_related("scheme")
            if len({item.scheme_id for item in field.queryset}) > 1:
                field.label_from_instance = _scheme_label
            field.error_messages["invalid_choice"] = ERR_NOT_IN_FORCE
            field.error_messages["invalid_pk_value"] = ERR_NOT_IN_FORCE

    def clean(self):
        data = super().clean()
        for name, date_name in self.scheme_dated.items():
            if name not in self.fields:
                continue
            day = data.get(date_name) if date_name in self.fields else None
            day = day or getattr(self.instance, date_name, None)
            value = data.get(name)
            items = list(value) if hasattr(value, "__iter__") else [value]
            if day and any(item and not item.scheme.is_valid_on(day) for item in items):
                self.add_error(name, ERR_NOT_IN_FORCE)
        return data


def doctor_view_choices_on(day: datetime.date | None) -> list[tuple[str, str]]:
    """Return the doctor's views offered for an assessment of day: the scheme's 「〜相当」."""
    types = GuardianshipType.objects.filter(voluntary=False)
    if day is not None:
        types = types.valid_on(day)
    else:
        today = timezone.localdate()
        types = types.valid_between(today - SCHEME_GRACE, today)
    found = list(types.select_related("scheme"))
    several = len({t.scheme_id for t in found}) > 1
    choices = [("", str(_("未確認"))), (NOT_APPLICABLE, str(_("非該当")))]
    for t in found:
        label = str(_("%(type)s相当") % {"type": t.name})
        choices.append((t.code, f"{label}（{t.scheme.name}）" if several else label))
    return choices


class DoctorViewMixin(_ModelFormBase):
    """The doctor's view as a choice of the scheme in force on the assessment day."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("doctor_view")
        if field is None:
            return
        if self.is_bound and "assessed_on" in self.fields:
            day = _parse_day(self.data.get(self.add_prefix("assessed_on")))
        else:
            day = self.instance.assessed_on
        choices = doctor_view_choices_on(day)
        current = self.instance.doctor_view if self.instance.pk else ""
        if current and current not in dict(choices):
            # An older assessment keeps its value (decided under its own scheme).
            choices.append((current, dict(doctor_view_labels()).get(current, current)))
        self.fields["doctor_view"] = forms.ChoiceField(
            label=field.label, choices=choices, required=False
        )


def doctor_view_labels() -> list[tuple[str, str]]:
    """Return every doctor's view a record may hold, with its label (for display)."""
    choices = [("", str(_("未確認"))), (NOT_APPLICABLE, str(_("非該当")))]
    seen = {code for code, _label in choices}
    for t in GuardianshipType.objects.filter(voluntary=False).select_related("scheme"):
        if t.code not in seen:
            seen.add(t.code)
            choices.append((t.code, str(_("%(type)s相当") % {"type": t.name})))
    return choices


class PersonForm(DateInputsMixin, forms.ModelForm):
    """The person's identity, circumstances and coarse categories."""

    categories = forms.ModelMultipleChoiceField(
        label=_("区分"),
        queryset=PersonCategory.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    area = forms.ModelChoiceField(label=_("地域"), queryset=Area.objects.filter(active=True))

    class Meta:
        model = Person
        fields = [
            "name",
            "kana",
            "birth_date",
            "sex",
            "address",
            "phone",
            "area",
            "categories",
            "living_situation",
            "household_type",
            "wishes",
            "current_services",
        ]
        widgets = {
            "wishes": forms.Textarea(attrs={"rows": 3}),
            "current_services": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if value > today:
            raise forms.ValidationError(ERR_FUTURE_BIRTH, code="future")
        if today.year - value.year > 125:
            raise forms.ValidationError(ERR_TOO_OLD, code="too_old")
        return value


class PersonFinancesForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["income", "assets", "debts"]
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in fields}


class PersonHealthForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["health_notes"]
        widgets = {"health_notes": forms.Textarea(attrs={"rows": 3})}


class CaseIntakeForm(forms.Form):
    """The case-level facts asked at intake."""

    urgency = forms.ChoiceField(label=_("緊急度"), choices=Case.Urgency.choices)
    consent = forms.ChoiceField(label=_("情報共有への同意"), choices=Case.Consent.choices)
    consent_on = forms.DateField(label=_("同意確認日"), required=False, widget=DATE_INPUT)
    feedback_consent = forms.ChoiceField(
        label=_("相談者（紹介元）への経過報告への同意"),
        choices=Case.Consent.choices,
        required=False,
        help_text=_("同意があるときだけ、受付・方針決定・申立・審判・支援終了の節目に報告します。"),
    )
    feedback_consent_on = forms.DateField(
        label=_("経過報告の同意確認日"), required=False, widget=DATE_INPUT
    )
    purpose = forms.ChoiceField(label=_("目的"), choices=Case.Purpose.choices)
    confirm_duplicate = forms.BooleanField(
        label=_("似た本人が登録されていることを確認した上で登録する"), required=False
    )
    # Only a real intake looks for the person elsewhere: a draft learns nothing (decision 47).
    confirm_intake = forms.BooleanField(
        label=_("受付の確認：この相談を実際に受け付け、登録します"),
        help_text=_(
            "登録の前に、同じふりがなと生年月日の本人が他の組織に登録されていないかを確認します。"
            "該当があれば組織名を表示し、その確認は記録され、相手の組織に通知されます。"
        ),
        required=True,
    )

    def clean(self):
        data = super().clean()
        if data.get("consent") == Case.Consent.GIVEN and not data.get("consent_on"):
            self.add_error("consent_on", _("同意を得た日を入力してください。"))
        data["feedback_consent"] = data.get("feedback_consent") or Case.Consent.NOT_ASKED
        if data.get("feedback_consent") == Case.Consent.GIVEN and not data.get(
            "feedback_consent_on"
        ):
            self.add_error("feedback_consent_on", _("同意を得た日を入力してください。"))
        return data


NEW_OR_CONTINUING = [
    ("auto", _("自動で判定する")),
    ("new", _("新規として数える")),
    ("continuing", _("継続として数える")),
]


class ConsultationForm(DateInputsMixin, forms.ModelForm):
    main_concerns = forms.ModelMultipleChoiceField(
        label=_("主訴"),
        queryset=MainConcern.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    new_or_continuing = forms.ChoiceField(
        label=_("新規・継続"),
        choices=NEW_OR_CONTINUING,
        initial="auto",
        required=False,  # left out, it is "auto"
        help_text=_("自動：この年度で初めての相談（または終結後の最初の相談）なら新規。"),
    )

    class Meta:
        model = Consultation
        # new_or_continuing is the form's own field (not a column): placed by field_order.
        fields = [
            "consulted_on",
            "is_new_reason",
            "channel",
            "referrer_type",
            "caller",
            "referrer_organisation",
            "main_concerns",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    field_order = ["consulted_on", "new_or_continuing", "is_new_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.is_new_by_hand:
            self.initial["new_or_continuing"] = "new" if self.instance.is_new else "continuing"

    def clean(self):
        data = super().clean()
        choice = data.get("new_or_continuing")
        if choice in ("new", "continuing") and not (data.get("is_new_reason") or "").strip():
            self.add_error("is_new_reason", _("手で指定するときは理由を入力してください。"))
        return data

    def _post_clean(self):
        super()._post_clean()
        # A choice by hand is kept as given; "auto" leaves it to the service to derive.
        override = {"new": True, "continuing": False}.get(
            self.cleaned_data.get("new_or_continuing") or "auto"
        )
        self.instance.is_new_by_hand = override is not None
        if override is not None:
            self.instance.is_new = override
        else:
            self.instance.is_new_reason = ""


class ReferralForm(DateInputsMixin, forms.ModelForm):
    class Meta:
        model = Referral
        fields = [
            "referred_on",
            "agency",
            "reason",
            "follow_up_due",
            "followed_up_on",
            "feedback_due",
            "feedback_sent_on",
        ]


class AssessmentForm(DoctorViewMixin, DateInputsMixin, forms.ModelForm):
    # Declared for the case page's display (presenters.rows reads its labels); the form
    # replaces it with the choices of the assessment day's scheme.
    doctor_view = forms.ChoiceField(
        label=_("医師の所見"), choices=doctor_view_labels, required=False
    )

    class Meta:
        model = Assessment
        fields = [
            "assessed_on",
            "capacity_notes",
            "risks",
            "info_sheet_status",
            "certificate_status",
            "doctor_view",
        ]


def court_field_setup(form: forms.ModelForm, *, required: bool = False) -> None:
    """Offer the listed courts in use (and the petition's own), preselecting the usual one."""
    field = cast("forms.ModelChoiceField[FamilyCourt]", form.fields["court"])
    current = getattr(form.instance, "court_id", None)
    field.queryset = FamilyCourt.objects.filter(Q(active=True) | Q(pk=current))
    field.required = required
    if current is None and not form.is_bound:
        # The court of the deployment's own district, as the free text defaulted before.
        usual = FamilyCourt.objects.filter(code=settings.ADVOCACY_DEFAULT_COURT, active=True)
        form.initial.setdefault("court", usual.values_list("pk", flat=True).first())


class DecisionForm(SchemeDatedMixin, DateInputsMixin, forms.ModelForm):
    scheme_dated = {"guardianship_type": "held_on"}

    class Meta:
        model = Decision
        fields = [
            "held_on",
            "participants",
            "outcome",
            "guardianship_type",
            "petitioner_type",
            "reasons",
            "advice",
        ]


class PetitionForm(SchemeDatedMixin, DateInputsMixin, forms.ModelForm):
    scheme_dated = {"type_sought": "filed_on", "type_granted": "ruling_on", "acts": "ruling_on"}
    documents = forms.MultipleChoiceField(
        label=_("提出書類"),
        choices=PETITION_DOCUMENTS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    acts = forms.ModelMultipleChoiceField(
        label=_("付与された権限"),
        queryset=GrantedAct.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Petition
        fields = [
            "petitioner_type",
            "relative_search_degree",
            "relatives_intentions",
            "approved_on",
            "court",
            "documents",
            "filed_on",
            "type_sought",
            "court_case_number",
            "ruling_on",
            "type_granted",
            "acts",
            "powers",
            "term_kind",
            "term_until",
            "supervisor_appointed",
            "supervisor_name",
            "registration_number",
            "registered_on",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        court_field_setup(self)


class GuardianAppointmentForm(DateInputsMixin, forms.ModelForm):
    class Meta:
        model = GuardianAppointment
        fields = ["kind", "profession", "name", "appointed_on", "ended_on", "end_reason"]


class TeamMemberForm(DateInputsMixin, forms.ModelForm):
    class Meta:
        model = TeamMember
        fields = ["role", "name", "affiliation", "contact", "joined_on", "left_on"]


class TeamMeetingForm(DateInputsMixin, forms.ModelForm):
    class Meta:
        model = TeamMeeting
        fields = ["kind", "held_on", "participants", "notes"]


class SubsidyForm(DateInputsMixin, forms.ModelForm):
    class Meta:
        model = Subsidy
        fields = [
            "kind",
            "fee_ruling_on",
            "deadline",
            "applied_on",
            "amount_yen",
            "decision",
            "decided_on",
        ]


class ContactForm(DateInputsMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["contacted_on", "contact_from", "is_help_request", "is_complaint", "summary"]


DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/tiff": "tif",
}


class DocumentForm(forms.ModelForm):
    """Attach a scan or a letter; its bytes are stored encrypted like every other value."""

    file = forms.FileField(label=_("ファイル（PDF・JPEG・PNG・TIFF、10MBまで）"), required=False)

    class Meta:
        model = Document
        fields = ["kind", "title"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            if self.instance._state.adding:
                raise forms.ValidationError(_("ファイルを選んでください。"), code="required")
            return None
        if upload.size > DOCUMENT_MAX_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます（10MBまで）。"), code="too_big")
        if upload.content_type not in DOCUMENT_TYPES:
            raise forms.ValidationError(
                _("PDF・JPEG・PNG・TIFF のファイルだけを添付できます。"), code="type"
            )
        return upload

    def save(self, commit=True):
        document = super().save(commit=False)
        upload = self.cleaned_data.get("file")
        if upload is not None:
            data = upload.read()
            document.content = base64.b64encode(data).decode("ascii")
            document.size = len(data)
            document.content_type = upload.content_type
        if commit:
            document.save()
        return document


class CaseSearchForm(forms.Form):
    number = forms.CharField(label=_("ケース番号"), required=False, max_length=16)
    name = forms.CharField(label=_("氏名"), required=False, max_length=100)
    kana = forms.CharField(label=_("ふりがな"), required=False, max_length=100)
    birth_date = forms.DateField(label=_("生年月日"), required=False, widget=DATE_INPUT)

    def clean(self):
        data = super().clean()
        if not (data.get("number") or data.get("name") or data.get("kana")):
            raise forms.ValidationError(
                _(
                    "ケース番号、氏名、ふりがなのいずれかを入力してください。"
                    "生年月日だけでは検索できません。"
                )
            )
        return data


class ReadChoices(ModelChoiceIterator):
    """A model select's options read in one plain query.

    Django's iterator reads them through ``QuerySet.iterator()``, which on PostgreSQL outside
    a transaction declares a server-side cursor WITH HOLD (DECLARE, FETCH, CLOSE: three round
    trips, and the result copied aside) for a list of a few dozen rows.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ReadModelChoiceField(forms.ModelChoiceField):
    iterator = ReadChoices


class QuickSelect(forms.Select):
    """A select with Django's attributes and options, written out here.

    Django renders a select and then each option through the template engine: on the case
    list, which every caseworker opens all day, the filter's two selects cost more than the
    list's own rows. Same markup (Django's context, escaped by format_html), no templates.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        # The options are read once (a model field's are a query) and the markup is a
        # function of what is written out: the case list's two selects are the same on
        # nearly every view, and are written once for each such set.
        # Not list(): it asks a model field's options for their len(), a COUNT query.
        read = [choice for choice in self.choices]  # noqa: C416
        if any(isinstance(label, (list, tuple)) for _option, label in read):
            return self._write(name, value, attrs)  # groups of options: written each time
        choices = [(str(option), str(label)) for option, label in read]
        key = (
            name,
            tuple(str(v) for v in self.format_value(value)),
            tuple(sorted({**self.attrs, **(attrs or {})}.items())),
            tuple(choices),
        )
        return _select_markup(key)

    def _write(self, name, value, attrs) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts: list[str] = [
            format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))
        ]
        for group, options, _index in widget["optgroups"]:
            if group is not None:
                parts.append(format_html('<optgroup label="{}">', group))
            parts += [
                format_html(
                    '<option value="{}"{}>{}</option>',
                    option["value"],
                    flatatt(option["attrs"]),
                    option["label"],
                )
                for option in options
            ]
            if group is not None:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 — every part escaped by format_html


@lru_cache(maxsize=256)
def _select_markup(key: tuple) -> SafeString:
    """A select's markup from its name, value, attributes and options (all text)."""
    name, value, attrs, choices = key
    return QuickSelect(choices=choices)._write(name, list(value), dict(attrs))


class QuickCheckbox(forms.CheckboxInput):
    """A checkbox with Django's attributes, written out here (see QuickSelect)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            format_html(' value="{}"', widget["value"]) if widget["value"] is not None else "",
            flatatt(widget["attrs"]),
        )


class CaseFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("段階"),
        required=False,
        choices=[("", _("すべて")), *Case.Stage.choices],
        widget=QuickSelect,
    )
    area = ReadModelChoiceField(
        label=_("地域"),
        required=False,
        queryset=Area.objects.all(),
        empty_label=_("すべて"),
        widget=QuickSelect,
    )
    mine = forms.BooleanField(label=_("自分の担当のみ"), required=False, widget=QuickCheckbox)
    overdue = forms.BooleanField(
        label=_("期限切れの確認事項あり"), required=False, widget=QuickCheckbox
    )


# kind in the URL → (model, form): the one table the record views are built from.
RECORD_FORMS = {
    "consultation": (Consultation, ConsultationForm),
    "referral": (Referral, ReferralForm),
    "assessment": (Assessment, AssessmentForm),
    "decision": (Decision, DecisionForm),
    "petition": (Petition, PetitionForm),
    "guardian": (GuardianAppointment, GuardianAppointmentForm),
    "team_member": (TeamMember, TeamMemberForm),
    "team_meeting": (TeamMeeting, TeamMeetingForm),
    "subsidy": (Subsidy, SubsidyForm),
    "contact": (Contact, ContactForm),
    "document": (Document, DocumentForm),
}


class EraseForm(forms.Form):
    """Ask for the case number again before erasing: the action cannot be undone."""

    confirm_number = forms.CharField(label=_("確認のためケース番号を入力"), max_length=16)
    reason = forms.CharField(label=_("理由"), max_length=200)

    def __init__(self, *args, case_number: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.case_number = case_number

    def clean_confirm_number(self):
        value = self.cleaned_data["confirm_number"].strip().upper()
        if value != self.case_number:
            raise forms.ValidationError(_("ケース番号が一致しません。"))
        return value


class GeneralConsultationForm(DateInputsMixin, forms.ModelForm):
    """A 一般相談: only clear categories; the summary is checked for identifying words."""

    main_concerns = forms.ModelMultipleChoiceField(
        label=_("主訴"),
        queryset=MainConcern.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    confirm_anonymous = forms.BooleanField(
        label=_("要旨に個人が特定される内容がないことを確認した"), required=False
    )

    class Meta:
        model = GeneralConsultation
        fields = [
            "consulted_on",
            "channel",
            "referrer_type",
            "main_concerns",
            "age_band",
            "area",
            "minutes",
            "outcome",
            "summary",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        self.warnings = looks_personal([data.get("summary") or ""], names=True)
        if self.warnings and not data.get("confirm_anonymous"):
            raise forms.ValidationError(
                _(
                    "要旨に個人が特定されるおそれのある語（%(kinds)s）があります。"
                    "書き直すか、確認欄にチェックを入れてください。"
                )
                % {"kinds": "、".join(str(kind) for kind in self.warnings)},
                code="looks_personal",
            )
        return data


class GeneralConsultationLinkForm(forms.Form):
    case_number = forms.CharField(label=_("ケース番号"), max_length=16)
