"""What is recorded about a case, each row tied to the case and its person's data key."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.accounts.models import Professional
from advocacy.crypto.fields import (
    EncryptedCharField,
    EncryptedTextField,
)
from advocacy.reference.models import (
    Area,
    FamilyCourt,
    GrantedAct,
    GuardianshipType,
    MainConcern,
)

from .person import Person

NOTE_MAX = 4000


def not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(_("未来の日付は入力できません。"), code="future_date")


class CaseRecord(models.Model):
    """Fields every record shares; ``date_field`` names the date shown on the timeline."""

    encryption_owner = "person_id"
    date_field = "created_at"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    # The person is copied from the case: it names whose data key encrypts this row.
    person = models.ForeignKey(
        "cases.Person", on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("記録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        # Never a value: records are named by kind and date only.
        day = self.timeline_date
        return f"{self._meta.verbose_name} {day:%Y-%m-%d}" if day else f"{self._meta.verbose_name}"

    def save(self, *args, **kwargs):
        # Not a rule but the row's encryption owner: a record is encrypted under its
        # person's data key, which is the case's person (decision 10).
        if self.person_id is None and self.case_id is not None:
            self.person_id = self.case.person_id
        super().save(*args, **kwargs)

    @property
    def timeline_date(self):
        return getattr(self, self.date_field)


class Consultation(CaseRecord):
    """One contact about the case (相談): who called, why, and what was said."""

    date_field = "consulted_on"

    class Channel(models.TextChoices):
        PHONE = "phone", _("電話")
        VISIT = "visit", _("来所")
        OUTREACH = "outreach", _("訪問")
        MAIL = "mail", _("メール・文書")
        OTHER = "other", _("その他")

    class ReferrerType(models.TextChoices):
        SELF = "self", _("本人")
        RELATIVE = "relative", _("親族")
        COMMUNITY_CENTRE = "community_centre", _("地域包括支援センター")
        DISABILITY_CONSULTANT = "disability_consultant", _("相談支援事業所")
        CARE_MANAGER = "care_manager", _("ケアマネジャー")
        HOSPITAL = "hospital", _("医療機関")
        FACILITY = "facility", _("施設")
        WELFARE_OFFICE = "welfare_office", _("生活保護担当")
        WELFARE_COMMISSIONER = "welfare_commissioner", _("民生委員")
        FINANCIAL = "financial", _("金融機関")
        POLICE = "police", _("警察")
        # A guardian or the team asking again after the agency's support ended (decision 60).
        GUARDIAN = "guardian", _("後見人等")
        OTHER = "other", _("その他")

    consulted_on = models.DateField(_("相談日"), validators=[not_in_future])
    # Derived when recorded (cases.services, decision 41) unless set by hand with a reason.
    is_new = models.BooleanField(_("新規相談"), default=True, editable=False)
    is_new_by_hand = models.BooleanField(_("新規・継続を手で指定"), default=False, editable=False)
    # Nullable: the column is added to existing rows without writing a value into them.
    is_new_reason = EncryptedTextField(
        _("新規・継続を手で指定した理由"), blank=True, null=True, max_length=500
    )
    channel = models.CharField(_("相談方法"), max_length=16, choices=Channel.choices)
    referrer_type = models.CharField(_("相談者の種別"), max_length=32, choices=ReferrerType.choices)
    caller = EncryptedCharField(_("相談者"), max_length=100, blank=True)
    referrer_organisation = EncryptedCharField(_("相談者の所属"), max_length=200, blank=True)
    main_concerns = models.ManyToManyField(MainConcern, verbose_name=_("主訴"), blank=True)
    notes = EncryptedTextField(_("相談内容"), blank=True, max_length=NOTE_MAX)
    # The person's five-year band on the consultation day, for the statistics: a band kept
    # only on the person would age with every later save and move past years' figures.
    age_band = models.CharField(_("相談時の年齢階級"), max_length=8, blank=True, editable=False)
    # The person's sex, household and area as they were on the consultation, for the same
    # reason: a move recorded on the person must not move past years' figures (decision 29).
    sex = models.CharField(
        _("相談時の性別"), max_length=16, choices=Person.Sex.choices, blank=True, editable=False
    )
    household_type = models.CharField(
        _("相談時の世帯"),
        max_length=16,
        choices=Person.Household.choices,
        blank=True,
        editable=False,
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("相談時の地域"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )

    # What each consultation keeps of the person (services.consultation_attributes_refresh).
    PERSON_ATTRIBUTES = ("sex", "household_type", "area_id")

    class Meta:
        verbose_name = _("相談記録")
        verbose_name_plural = _("相談記録")
        indexes = [
            # Covering on PostgreSQL (INCLUDE is ignored elsewhere): the yearly statistics
            # read a year's consultations from the index alone (an index-only scan).
            models.Index(
                fields=["consulted_on"],
                include=[
                    "is_new",
                    "referrer_type",
                    "age_band",
                    "sex",
                    "household_type",
                    "area",
                    "person",
                    "id",
                ],
                name="cases_consultation_on_idx",
            )
        ]


class Referral(CaseRecord):
    """A referral to another agency, with the follow-up that practice says gets forgotten."""

    date_field = "referred_on"

    referred_on = models.DateField(_("つないだ日"), validators=[not_in_future])
    agency = EncryptedCharField(_("つなぎ先"), max_length=200)
    reason = EncryptedTextField(_("理由"), blank=True, max_length=NOTE_MAX)
    follow_up_due = models.DateField(_("確認予定日"))
    followed_up_on = models.DateField(_("確認日"), null=True, blank=True)
    feedback_due = models.DateField(_("相談者への報告期限"), null=True, blank=True)
    feedback_sent_on = models.DateField(_("相談者へ報告した日"), null=True, blank=True)

    class Meta:
        verbose_name = _("他機関へのつなぎ")
        verbose_name_plural = _("他機関へのつなぎ")

    def clean(self):
        if self.referred_on and self.follow_up_due and self.follow_up_due < self.referred_on:
            raise ValidationError(
                {"follow_up_due": _("確認予定日はつないだ日以降にしてください。")}
            )


class DocumentStatus(models.TextChoices):
    NOT_REQUESTED = "not_requested", _("未依頼")
    REQUESTED = "requested", _("依頼済み")
    RECEIVED = "received", _("受領済み")
    NOT_NEEDED = "not_needed", _("不要")


class Assessment(CaseRecord):
    """Facts on capacity and circumstances, with the 本人情報シート and 診断書."""

    date_field = "assessed_on"

    assessed_on = models.DateField(_("アセスメント日"), validators=[not_in_future])
    capacity_notes = EncryptedTextField(_("判断能力の状況"), blank=True, max_length=NOTE_MAX)
    risks = EncryptedTextField(_("リスク"), blank=True, max_length=NOTE_MAX)
    info_sheet_status = models.CharField(
        _("本人情報シート"),
        max_length=16,
        choices=DocumentStatus.choices,
        default=DocumentStatus.NOT_REQUESTED,
    )
    certificate_status = models.CharField(
        _("診断書"),
        max_length=16,
        choices=DocumentStatus.choices,
        default=DocumentStatus.NOT_REQUESTED,
    )
    # The doctor's view describes the person's health: encrypted, though coded. Its codes
    # are the scheme's types (「〜相当」, reference.doctor_view_choices), offered by the form
    # for the scheme in force on the assessment day, so a reform brings its own.
    doctor_view = EncryptedCharField(_("医師の所見"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("アセスメント")
        verbose_name_plural = _("アセスメント")


class PetitionerType(models.TextChoices):
    SELF = "self", _("本人")
    SPOUSE = "spouse", _("配偶者")
    RELATIVE = "relative", _("四親等内の親族")
    MAYOR = "mayor", _("市町村長")
    # A guardian petitions for leave to resign and for a successor (辞任・後任選任).
    GUARDIAN = "guardian", _("後見人等")
    OTHER = "other", _("その他")


class Decision(CaseRecord):
    """The decision of a case conference (支援調整会議)."""

    date_field = "held_on"

    class Outcome(models.TextChoices):
        GUARDIANSHIP = "guardianship", _("成年後見制度の利用")
        DAILY_LIFE_SUPPORT = "daily_life_support", _("日常生活自立支援事業")
        VOLUNTARY = "voluntary", _("任意後見")
        OTHER_SUPPORT = "other_support", _("その他の支援")
        NO_ACTION = "no_action", _("支援不要")

    held_on = models.DateField(_("開催日"), validators=[not_in_future])
    participants = EncryptedTextField(_("参加者"), max_length=2000)
    outcome = models.CharField(_("方針"), max_length=24, choices=Outcome.choices)
    guardianship_type = models.ForeignKey(
        GuardianshipType,
        verbose_name=_("想定する類型"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    petitioner_type = models.CharField(
        _("想定する申立人"), max_length=16, choices=PetitionerType.choices, blank=True
    )
    reasons = EncryptedTextField(_("理由"), max_length=NOTE_MAX)
    advice = EncryptedTextField(_("助言"), blank=True, max_length=NOTE_MAX)

    class Meta:
        verbose_name = _("支援方針の決定")
        verbose_name_plural = _("支援方針の決定")
        indexes = [
            # A case's first conference, for the conference → petition lead time.
            models.Index(fields=["case", "held_on"], name="cases_decision_case_held_idx"),
            # A year's decisions for the statistics, read from the index alone on PostgreSQL.
            models.Index(
                fields=["held_on"],
                include=["outcome", "case", "person"],
                name="cases_decision_held_idx",
            ),
        ]

    def clean(self):
        if self.outcome == self.Outcome.GUARDIANSHIP and not self.guardianship_type_id:
            raise ValidationError(
                {"guardianship_type": _("成年後見制度の利用では類型を選んでください。")}
            )


PETITION_DOCUMENTS = [
    ("petition", _("申立書")),
    ("circumstances_statement", _("申立事情説明書")),
    ("relatives_diagram", _("親族関係図")),
    ("asset_inventory", _("財産目録")),
    ("income_plan", _("収支予定表")),
    ("medical_certificate", _("診断書")),
    ("info_sheet", _("本人情報シート")),
    ("candidate_statement", _("候補者事情説明書")),
    ("registry_certificate", _("登記されていないことの証明書")),
    ("family_register", _("戸籍謄本")),
]


class TermKind(models.TextChoices):
    REVIEW = "review", _("見直し")
    END = "end", _("終了")


class Petition(CaseRecord):
    """The petition to the family court (申立) and its ruling (審判).

    Most are to start a guardianship (開始); during guardian support, a change of guardian
    is a petition of its own for an appointment (選任), counted apart (decision 59).
    """

    date_field = "filed_on"

    class Purpose(models.TextChoices):
        START = "start", _("開始の申立")
        APPOINTMENT = "appointment", _("選任の申立（交代・追加）")

    class ChangeKind(models.TextChoices):
        RESIGNATION = "resignation", _("辞任・後任選任")
        REMOVAL = "removal", _("解任・後任選任")
        ADDITIONAL = "additional", _("追加選任")
        RELAY = "relay", _("リレー（専門職から市民後見人へ）")
        SUPERVISOR = "supervisor", _("監督人の選任")

    purpose = models.CharField(
        _("申立の種類"), max_length=16, choices=Purpose.choices, default=Purpose.START
    )
    change_kind = models.CharField(
        _("交代・追加の種類"), max_length=16, choices=ChangeKind.choices, blank=True
    )
    petitioner_type = models.CharField(_("申立人"), max_length=16, choices=PetitionerType.choices)
    # For a mayor's petition: the relative search and the internal approval.
    relative_search_degree = models.PositiveSmallIntegerField(
        _("親族調査の範囲（親等）"), null=True, blank=True, choices=[(2, "2"), (4, "4")]
    )
    relatives_intentions = EncryptedTextField(_("親族の意向"), blank=True, max_length=NOTE_MAX)
    approved_on = models.DateField(_("市長申立の決裁日"), null=True, blank=True)
    # A choice from the reference list, never typed: the column is clear (decision 43).
    court = models.ForeignKey(
        FamilyCourt,
        verbose_name=_("家庭裁判所"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    documents = models.JSONField(
        _("提出書類"), default=list, blank=True, help_text=_("そろった書類のコード")
    )
    filed_on = models.DateField(_("申立日"), null=True, blank=True, validators=[not_in_future])
    # What was petitioned for, as filed; the court may grant another type (type_granted).
    type_sought = models.ForeignKey(
        GuardianshipType,
        verbose_name=_("申立ての類型"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    court_case_number = EncryptedCharField(_("事件番号"), max_length=40, blank=True)
    ruling_on = models.DateField(_("審判日"), null=True, blank=True, validators=[not_in_future])
    type_granted = models.ForeignKey(
        GuardianshipType,
        verbose_name=_("審判の類型"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Powers are granted act by act (the scheme's list); the words are what was recorded
    # before the list and could not be matched to it (decision 55).
    acts = models.ManyToManyField(
        GrantedAct, verbose_name=_("付与された権限"), blank=True, related_name="+"
    )
    powers = EncryptedTextField(
        _("付与された権限（移行前の記述）"), blank=True, max_length=NOTE_MAX
    )
    # A guardianship the court limits in time (期間): the date it is reviewed or ends.
    term_kind = models.CharField(
        _("期間の種別"), max_length=8, choices=TermKind.choices, blank=True
    )
    term_until = models.DateField(_("見直し・終了の日"), null=True, blank=True)
    term_reminded_on = models.DateField(_("期間の通知日"), null=True, blank=True, editable=False)
    supervisor_appointed = models.BooleanField(_("監督人の選任"), default=False)
    supervisor_name = EncryptedCharField(_("監督人"), max_length=100, blank=True)
    registration_number = EncryptedCharField(_("登記番号"), max_length=40, blank=True)
    registered_on = models.DateField(_("登記日"), null=True, blank=True)

    class Meta:
        verbose_name = _("申立・審判")
        verbose_name_plural = _("申立・審判")
        indexes = [
            # Covering on PostgreSQL: the statistics read a year's petitions, and the lead
            # times' dates and case, from the index alone.
            models.Index(
                fields=["filed_on"],
                include=["petitioner_type", "type_granted", "case"],
                name="cases_petition_filed_idx",
            ),
            models.Index(
                fields=["ruling_on"], include=["filed_on", "case"], name="cases_petition_ruling_idx"
            ),
        ]

    def clean(self):
        errors = {}
        known = {code for code, _label in PETITION_DOCUMENTS}
        if not isinstance(self.documents, list) or not set(self.documents) <= known:
            errors["documents"] = _("提出書類に不明な項目があります。")
        if self.ruling_on and not self.filed_on:
            errors["ruling_on"] = _("審判日を入れるには申立日が必要です。")
        elif self.ruling_on and self.filed_on and self.ruling_on < self.filed_on:
            errors["ruling_on"] = _("審判日は申立日より前にはできません。")
        if self.registered_on and self.ruling_on and self.registered_on < self.ruling_on:
            errors["registered_on"] = _("登記日は審判日より前にはできません。")
        if bool(self.term_kind) != bool(self.term_until):
            errors["term_until"] = _("期間は種別と日付の両方を入れてください。")
        elif self.term_until and self.ruling_on and self.term_until <= self.ruling_on:
            errors["term_until"] = _("見直し・終了の日は審判日より後にしてください。")
        if self.petitioner_type == PetitionerType.MAYOR and self.filed_on and not self.approved_on:
            errors["approved_on"] = _("市長申立では申立前に決裁日を入れてください。")
        if (self.purpose == self.Purpose.APPOINTMENT) != bool(self.change_kind):
            errors["change_kind"] = _("交代・追加の申立では、その種類を選んでください。")
        if errors:
            raise ValidationError(errors)


class GuardianAppointment(CaseRecord):
    """A guardian appointed by the court (成年後見人等), from one date to another."""

    date_field = "appointed_on"

    class Kind(models.TextChoices):
        PERSON = "person", _("個人")
        CORPORATION = "corporation", _("法人")

    class Profession(models.TextChoices):
        LAWYER = "lawyer", _("弁護士")
        JUDICIAL_SCRIVENER = "judicial_scrivener", _("司法書士")
        SOCIAL_WORKER = "social_worker", _("社会福祉士")
        ADMINISTRATIVE_SCRIVENER = "administrative_scrivener", _("行政書士")
        CITIZEN_GUARDIAN = "citizen_guardian", _("市民後見人")
        CORPORATE = "corporate", _("法人後見")
        RELATIVE = "relative", _("親族")
        OTHER = "other", _("その他")

    class Role(models.TextChoices):
        GUARDIAN = "guardian", _("後見人等")
        SUPERVISOR = "supervisor", _("監督人")

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )
    role = models.CharField(_("役割"), max_length=16, choices=Role.choices, default=Role.GUARDIAN)
    kind = models.CharField(_("種別"), max_length=16, choices=Kind.choices)
    profession = models.CharField(_("職種"), max_length=32, choices=Profession.choices)
    professional = models.ForeignKey(
        Professional,
        verbose_name=_("登録専門職"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    name = EncryptedCharField(_("氏名・名称"), max_length=100)
    appointed_on = models.DateField(_("選任日"))
    ended_on = models.DateField(_("終了日"), null=True, blank=True)
    end_reason = EncryptedCharField(_("終了理由"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("後見人等の選任")
        verbose_name_plural = _("後見人等の選任")
        # Covering on PostgreSQL: a year's appointments by profession, for the statistics.
        indexes = [
            models.Index(
                fields=["appointed_on"], include=["profession"], name="cases_appointment_on_idx"
            )
        ]

    def clean(self):
        if self.ended_on and self.appointed_on and self.ended_on < self.appointed_on:
            raise ValidationError({"ended_on": _("終了日は選任日より前にはできません。")})


class TeamMember(CaseRecord):
    """A member of the person's support team (権利擁護支援チーム)."""

    date_field = "joined_on"

    class Role(models.TextChoices):
        GUARDIAN = "guardian", _("後見人等")
        RELATIVE = "relative", _("親族")
        CARE_MANAGER = "care_manager", _("ケアマネジャー")
        DISABILITY_CONSULTANT = "disability_consultant", _("相談支援専門員")
        DOCTOR = "doctor", _("医師・医療機関")
        FACILITY = "facility", _("施設")
        WELFARE_COMMISSIONER = "welfare_commissioner", _("民生委員")
        OTHER = "other", _("その他")

    role = models.CharField(_("役割"), max_length=32, choices=Role.choices)
    name = EncryptedCharField(_("氏名"), max_length=100)
    affiliation = EncryptedCharField(_("所属"), max_length=200, blank=True)
    contact = EncryptedCharField(_("連絡先"), max_length=100, blank=True)
    joined_on = models.DateField(_("参加日"))
    left_on = models.DateField(_("離脱日"), null=True, blank=True)

    class Meta:
        verbose_name = _("チームメンバー")
        verbose_name_plural = _("チームメンバー")


class TeamMeeting(CaseRecord):
    """A meeting of the support team."""

    date_field = "held_on"

    class Kind(models.TextChoices):
        FIRST = "first", _("初回チーム会議")
        REGULAR = "regular", _("定例")
        REVIEW = "review", _("支援の見直し")
        URGENT = "urgent", _("緊急")

    kind = models.CharField(_("種別"), max_length=16, choices=Kind.choices)
    held_on = models.DateField(_("開催日"), validators=[not_in_future])
    participants = EncryptedTextField(_("参加者"), blank=True, max_length=2000)
    notes = EncryptedTextField(_("内容"), blank=True, max_length=NOTE_MAX)

    class Meta:
        verbose_name = _("チーム会議")
        verbose_name_plural = _("チーム会議")
        # Covering on PostgreSQL: a year's team meetings by kind, for the statistics.
        indexes = [
            models.Index(fields=["held_on"], include=["kind"], name="cases_teammeeting_held_idx")
        ]


class Subsidy(CaseRecord):
    """An application to the city's subsidy programme (成年後見制度利用支援事業)."""

    date_field = "applied_on"

    class Kind(models.TextChoices):
        PETITION_COST = "petition_cost", _("申立費用")
        GUARDIAN_FEE = "guardian_fee", _("後見人等報酬")

    class Decision(models.TextChoices):
        PENDING = "pending", _("審査中")
        APPROVED = "approved", _("支給決定")
        REJECTED = "rejected", _("却下")

    kind = models.CharField(_("種別"), max_length=16, choices=Kind.choices)
    fee_ruling_on = models.DateField(_("報酬付与の審判日"), null=True, blank=True)
    deadline = models.DateField(_("申請期限"), null=True, blank=True)
    applied_on = models.DateField(_("申請日"), validators=[not_in_future])
    amount_yen = models.PositiveIntegerField(_("金額（円）"))
    decision = models.CharField(
        _("決定"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decided_on = models.DateField(_("決定日"), null=True, blank=True)

    class Meta:
        verbose_name = _("利用支援事業の申請")
        verbose_name_plural = _("利用支援事業の申請")
        # Covering on PostgreSQL: a year's applications by kind and decision, with the yen.
        indexes = [
            models.Index(
                fields=["applied_on"],
                include=["kind", "decision", "amount_yen"],
                name="cases_subsidy_applied_idx",
            )
        ]

    def clean(self):
        if self.decided_on and self.applied_on and self.decided_on < self.applied_on:
            raise ValidationError({"decided_on": _("決定日は申請日より前にはできません。")})
        if self.decision != self.Decision.PENDING and not self.decided_on:
            raise ValidationError({"decided_on": _("決定日を入れてください。")})


class Contact(CaseRecord):
    """A contact in guardian support: a call from the guardian, a request for help."""

    date_field = "contacted_on"

    class From(models.TextChoices):
        GUARDIAN = "guardian", _("後見人等")
        RELATIVE = "relative", _("親族")
        TEAM_MEMBER = "team_member", _("チームメンバー")
        PERSON = "person", _("本人")
        OTHER = "other", _("その他")

    contacted_on = models.DateField(_("日付"), validators=[not_in_future])
    contact_from = models.CharField(_("相手"), max_length=16, choices=From.choices)
    is_help_request = models.BooleanField(_("支援の依頼"), default=False)
    # A relative's complaint about the guardian: a sign of trouble (不正防止, advocacy.court).
    is_complaint = models.BooleanField(_("後見人等への苦情"), default=False)
    summary = EncryptedTextField(_("内容"), max_length=NOTE_MAX)

    class Meta:
        verbose_name = _("連絡記録")
        verbose_name_plural = _("連絡記録")
        # Covering on PostgreSQL: a year's contacts by whom and kind, for the statistics.
        indexes = [
            models.Index(
                fields=["contacted_on"],
                include=["contact_from", "is_help_request"],
                name="cases_contact_on_idx",
            )
        ]


class Document(CaseRecord):
    """An attached document; its name and content are encrypted like any field."""

    class Kind(models.TextChoices):
        PETITION = "petition", _("申立書類")
        MEDICAL = "medical", _("診断書・本人情報シート")
        ASSET = "asset", _("財産関係")
        REPORT = "report", _("報告書")
        OTHER = "other", _("その他")

    kind = models.CharField(_("種別"), max_length=16, choices=Kind.choices)
    title = EncryptedCharField(_("表題"), max_length=200)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveIntegerField(editable=False)
    # Base64 of the file inside the encrypted envelope; files are small scans and letters.
    content = EncryptedTextField(editable=False)

    class Meta:
        verbose_name = _("添付書類")
        verbose_name_plural = _("添付書類")
