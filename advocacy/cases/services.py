"""Writes on persons, cases and their records; each is atomic and audited in its transaction."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.access import services as access
from advocacy.access.roles import supervises
from advocacy.access.selectors import can_change, can_reopen
from advocacy.accounts.models import Organisation, User
from advocacy.accounts.roles import Role, is_case_staff
from advocacy.audit.actions import Action
from advocacy.audit.selectors import audit_event_count
from advocacy.audit.services import audit_record, audit_record_many
from advocacy.cases import hooks
from advocacy.cases.models import (
    Case,
    CaseNumberCounter,
    Consultation,
    GeneralConsultation,
    Person,
    Petition,
    StageChange,
)
from advocacy.cases.models.records import CaseRecord
from advocacy.cases.presenters import encrypted_names
from advocacy.cases.selectors import (
    LISTED_PERSON_FIELDS,
    PossibleDuplicate,
    cases_visible_to,
    possible_duplicates,
)
from advocacy.crypto import services as crypto_services
from advocacy.crypto.erased import ERASED
from advocacy.crypto.keycache import key_cache
from advocacy.crypto.prefetch import prefetch_data_keys
from advocacy.dates import fiscal_prefix, fiscal_year_of
from advocacy.mail import mail_after_commit
from advocacy.reference.models import GrantedAct

ERR_NOT_STAFF = _("ケースを登録できるのは市または社協の職員です。")
ERR_CANNOT_CHANGE = _("このケースを変更する権限がありません。")
ERR_CLOSED = _("終結したケースは変更できません。")
ERR_NOT_CLOSED = _("終結していないケースは再開できません。")
ERR_ONLY_SUPERVISOR = _("ケースの終結と担当替えはスーパーバイザーが行います。")
ERR_ASSIGNEE = _("担当者は担当組織の職員から選んでください。")
ERR_NOT_EDITABLE = _("変更できない項目が含まれています。")
ERR_OTHER_ORGANISATION = _("他の組織の本人については、この画面から相談を登録できません。")
ERR_LINK_CASE = _(
    "そのケース番号のケースは見つかりません（自組織で担当できるケースを入力してください）。"
)
ERR_ERASED = _("この本人の情報は消去されています。新しい本人として登録してください。")

# Whose records a case is, by what the work is for (docs/decisions.md 37): core-agency work is
# the city's, whoever does it (the Council does it under contract); the Council's own
# business is the Council's. Other work follows the organisation that does it.
CONTROLLER_OF_PURPOSE: dict[str, Case.Controller] = {
    Case.Purpose.CORE_AGENCY: Case.Controller.CITY,
    Case.Purpose.DAILY_LIFE_SUPPORT: Case.Controller.COUNCIL,
    Case.Purpose.CORPORATE_GUARDIANSHIP: Case.Controller.COUNCIL,
}
CONTROLLER_OF_ORGANISATION: dict[str, Case.Controller] = {
    Organisation.Kind.CITY_OFFICE: Case.Controller.CITY,
    Organisation.Kind.COUNCIL_CENTRE: Case.Controller.COUNCIL,
}


def controller_for(*, purpose: str, organisation_kind: str) -> Case.Controller:
    """Return who controls the records of a case of purpose done by such an organisation."""
    return CONTROLLER_OF_PURPOSE.get(purpose) or CONTROLLER_OF_ORGANISATION.get(
        organisation_kind, Case.Controller.CITY
    )


def _next_case_number(fiscal_year: int) -> tuple[int, str]:
    serial = _reserve_serials(fiscal_year, 1)
    return serial, case_number_of(fiscal_year, serial)


def case_number_of(fiscal_year: int, serial: int) -> str:
    return f"{fiscal_prefix(fiscal_year)}-{serial:04d}"


def _reserve_serials(fiscal_year: int, count: int) -> int:
    """Take the next count serials of fiscal_year; return the first."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                counter, _created = CaseNumberCounter.objects.select_for_update().get_or_create(
                    fiscal_year=fiscal_year
                )
                counter.last = models.F("last") + count
                counter.save(update_fields=["last"])
                counter.refresh_from_db(fields=["last"])
                break
        except IntegrityError:
            # Two first cases of a new fiscal year raced to create its counter; retry.
            continue
    return counter.last - count + 1


def _record_stage(case: Case, stage: str, on: datetime.date) -> None:
    StageChange.objects.create(case=case, stage=stage, changed_on=on)


def _person_derive(person: Person) -> None:
    # The clear age band the statistics count, from the birth date (decision 11).
    person.age_band = person.current_age_band()


def _consultation_derive(consultation: Consultation, person: Person, creating: bool) -> None:
    # The age band as of the consultation day, and the person's attributes as they were
    # when it was first recorded: the statistics count what was true then (decision 29).
    if consultation.consulted_on:
        consultation.age_band = person.age_band_on(consultation.consulted_on) or (
            consultation.age_band
        )
    if creating:
        for name in Consultation.PERSON_ATTRIBUTES:
            setattr(consultation, name, getattr(person, name))
    if not consultation.is_new_by_hand:
        consultation.is_new = _consultation_is_new(consultation, person)


def _consultation_is_new(consultation: Consultation, person: Person) -> bool:
    """New (新規) unless the person consulted this organisation earlier in the fiscal year
    with no closing of their case since (decision 41), or the consultation reopens its own
    case, closed before (継続: decision 60)."""
    day = consultation.consulted_on
    if StageChange.objects.filter(
        case_id=consultation.case_id, stage=Case.Stage.CLOSED, changed_on__lte=day
    ).exists():
        return False
    start = datetime.date(fiscal_year_of(day), 4, 1)
    organisation_id = consultation.case.organisation_id
    earlier = (
        Consultation.objects.filter(
            person=person,
            case__organisation_id=organisation_id,
            consulted_on__gte=start,
            consulted_on__lte=day,
        )
        .exclude(pk=consultation.pk)
        .order_by("-consulted_on")
        .values_list("consulted_on", flat=True)
        .first()
    )
    if earlier is None:
        return True
    return Case.objects.filter(
        person=person, organisation_id=organisation_id, closed_on__gte=earlier, closed_on__lte=day
    ).exists()


@transaction.atomic
def case_open(
    *,
    actor: User,
    person: Person,
    consultation: Consultation,
    categories: Iterable = (),
    main_concerns: Iterable = (),
    urgency: str = Case.Urgency.NORMAL,
    consent: str = Case.Consent.NOT_ASKED,
    consent_on: datetime.date | None = None,
    feedback_consent: str = Case.Consent.NOT_ASKED,
    feedback_consent_on: datetime.date | None = None,
    purpose: str = Case.Purpose.CORE_AGENCY,
) -> Case:
    """Register a new person and case from a first consultation; the actor is granted it."""
    if not is_case_staff(actor):
        raise PermissionDenied(ERR_NOT_STAFF)
    organisation = actor.organisation
    if organisation is None:  # is_case_staff requires one
        raise PermissionDenied(ERR_NOT_STAFF)
    person.organisation = organisation
    _person_derive(person)
    person.full_clean()
    person.save()
    person.categories.set(categories)
    return _case_create(
        actor=actor,
        person=person,
        consultation=consultation,
        main_concerns=main_concerns,
        urgency=urgency,
        consent=consent,
        consent_on=consent_on,
        feedback_consent=feedback_consent,
        feedback_consent_on=feedback_consent_on,
        purpose=purpose,
    )


def _case_create(
    *,
    actor: User,
    person: Person,
    consultation: Consultation,
    main_concerns: Iterable,
    urgency: str,
    consent: str,
    consent_on: datetime.date | None,
    purpose: str,
    feedback_consent: str = Case.Consent.NOT_ASKED,
    feedback_consent_on: datetime.date | None = None,
) -> Case:
    organisation = person.organisation
    opened_on = consultation.consulted_on
    fiscal_year = fiscal_year_of(opened_on)
    serial, number = _next_case_number(fiscal_year)
    case = Case(
        number=number,
        fiscal_year=fiscal_year,
        serial=serial,
        person=person,
        organisation=organisation,
        controller=controller_for(purpose=purpose, organisation_kind=organisation.kind),
        purpose=purpose,
        urgency=urgency,
        consent=consent,
        consent_on=consent_on,
        feedback_consent=feedback_consent,
        feedback_consent_on=feedback_consent_on,
        opened_on=opened_on,
        assigned_worker=actor,
    )
    case.full_clean()
    case.save()
    _record_stage(case, Case.Stage.CONSULTATION, opened_on)

    consultation.case = case
    consultation.person = person
    consultation.created_by = actor
    _consultation_derive(consultation, person, creating=True)
    consultation.full_clean()
    consultation.save()
    consultation.main_concerns.set(main_concerns)

    access.grant(
        actor=actor,
        case=case,
        user=actor,
        permissions=access.STAFF_PERMISSIONS,
        reason=str(_("ケース登録者")),
        check_actor=False,
    )
    audit_record(actor=actor, action=Action.CASE_CREATED, obj=case, label=case.number)
    return case


@dataclass(frozen=True)
class DuplicateWarning:
    """What the intake's duplicate warning may show one worker, and nothing more.

    visible: cases the worker may open anyway (shown with their number, as before); hidden:
    the organisations named as holding a match the worker may not open; limited: past the
    day's limit, so no organisation was looked up (the page says so, whatever the input).
    """

    visible: list[PossibleDuplicate] = field(default_factory=list)
    hidden: list[Organisation] = field(default_factory=list)
    limited: bool = False

    def __bool__(self) -> bool:
        return bool(self.visible or self.hidden or self.limited)


def duplicate_matches_per_day() -> int:
    return int(getattr(settings, "ADVOCACY_DUPLICATE_MATCHES_PER_DAY", 10))


def _supervisor_emails(organisation_id: uuid.UUID | None) -> list[str]:
    if organisation_id is None:
        return []
    supervisors = User.objects.filter(
        is_active=True, organisation_id=organisation_id, groups__name=Role.SUPERVISOR.value
    )
    return sorted({email for email in supervisors.values_list("email", flat=True) if email})


def _duplicate_notice(organisation_id: uuid.UUID, asking: str, history_url: str) -> None:
    # Nothing about the person, nor who asked: the access history behind the login says who.
    recipients = _supervisor_emails(organisation_id)
    if not recipients:
        return
    subject = str(_("[権利擁護支援] 新規相談の登録画面に、貴組織の登録との一致が表示されました"))
    body = "\n".join(
        [
            str(
                _(
                    "%(asking)s の職員が新規相談を登録する際、入力したふりがなと生年月日が"
                    "貴組織に登録されている本人と一致する可能性があり、登録画面に貴組織名が"
                    "表示されました。"
                )
                % {"asking": asking}
            ),
            str(
                _(
                    "同じ本人について二つのケースを開かないよう、必要に応じて連絡を取り合ってください。"
                )
            ),
            str(_("誰がいつ確認したかは、ログインしてアクセス履歴で確認できます。")),
            "",
            history_url,
        ]
    )
    send_mail(subject, body, None, recipients)


def _limit_notice(organisation_id: uuid.UUID | None, limit: int, history_url: str) -> None:
    recipients = _supervisor_emails(organisation_id)
    if not recipients:
        return
    subject = str(_("[権利擁護支援] 新規相談の重複確認が上限に達しました"))
    body = "\n".join(
        [
            str(
                _(
                    "貴組織の職員の一人が、本日の重複確認の上限"
                    "（他組織等の一致の表示 %(limit)d 件）に達しました。"
                    "本日はこの職員に他の組織の登録を表示しません。"
                )
                % {"limit": limit}
            ),
            str(_("どの職員か、いつかは、ログインしてアクセス履歴で確認してください。")),
            "",
            history_url,
        ]
    )
    send_mail(subject, body, None, recipients)


@transaction.atomic(durable=True)
def duplicate_warning(
    *,
    actor: User,
    kana: str,
    birth_date: datetime.date,
    history_url: str = "",
    request: HttpRequest | None = None,
) -> DuplicateWarning:
    """Look for the intake's person elsewhere; audit, limit and announce what is named.

    Called only for a confirmed intake (the form's 受付の確認), never for a draft. Each
    person the worker may not open is named by organisation only, audited as
    DUPLICATE_MATCH_SHOWN about that person, and that organisation's supervisors are mailed.
    Past ADVOCACY_DUPLICATE_MATCHES_PER_DAY such events today, no organisation is looked up
    at all (so a stop says nothing about the input), DUPLICATE_CHECK_LIMITED is written and
    the worker's own supervisors are mailed once that day.
    """
    # One worker's checks queue on their own row, so two at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    matches = possible_duplicates(user=actor, kana=kana, birth_date=birth_date)
    visible = [match for match in matches if match.case is not None]
    since = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    limit = duplicate_matches_per_day()
    shown = audit_event_count(actor=actor, action=Action.DUPLICATE_MATCH_SHOWN, since=since)
    if shown >= limit:
        first = not audit_event_count(
            actor=actor, action=Action.DUPLICATE_CHECK_LIMITED, since=since
        )
        audit_record(
            actor=actor,
            action=Action.DUPLICATE_CHECK_LIMITED,
            label="duplicate-check",
            reason=f"limit {limit}",
            request=request,
        )
        if first:
            own = actor.organisation_id
            mail_after_commit(
                partial(_limit_notice, own, limit, history_url), what="duplicate limit notice"
            )
        return DuplicateWarning(visible=visible, limited=True)
    hidden: dict[uuid.UUID, Organisation] = {}
    for match in matches:
        if match.case is not None:
            continue
        person = match.person
        audit_record(
            actor=actor,
            action=Action.DUPLICATE_MATCH_SHOWN,
            obj=person,
            label=str(match.organisation)[:100],
            request=request,
        )
        hidden.setdefault(match.organisation.pk, match.organisation)
    asking = str(actor.organisation or "")
    for organisation_id in hidden:
        mail_after_commit(
            partial(_duplicate_notice, organisation_id, asking, history_url),
            what="duplicate match notice",
        )
    return DuplicateWarning(visible=visible, hidden=list(hidden.values()))


@transaction.atomic(durable=True)
def case_intake(*, actor: User, **case_open_arguments) -> Case:
    """Open a case from the intake screen and start its consultation process, all or nothing.

    Takes ``case_open``'s arguments. The process is started by the workflows, which join in
    through ``cases.hooks.on_case_opened``.
    """
    case = case_open(actor=actor, **case_open_arguments)
    hooks.case_opened(actor=actor, case=case)
    hooks.case_changed(actor=actor, case=case)
    return case


@transaction.atomic(durable=True)
def case_intake_for_person(
    *,
    actor: User,
    known_case: Case,
    consultation: Consultation,
    main_concerns: Iterable = (),
    urgency: str = Case.Urgency.NORMAL,
    consent: str = Case.Consent.NOT_ASKED,
    consent_on: datetime.date | None = None,
    feedback_consent: str = Case.Consent.NOT_ASKED,
    feedback_consent_on: datetime.date | None = None,
    purpose: str = Case.Purpose.CORE_AGENCY,
) -> Case:
    """Take in a consultation about the person of known_case, whom the actor may see.

    While the person has an open case of the same purpose here, the consultation joins it
    (a continuing consultation); otherwise a new case opens for the same person (a returning
    person, or a 日自 user who now needs guardianship) and starts its process. The person
    is not registered twice. Returns the case the consultation went to.
    """
    if not cases_visible_to(user=actor).filter(pk=known_case.pk).exists():
        raise PermissionDenied(ERR_CANNOT_CHANGE)
    person = known_case.person
    if person.organisation_id != actor.organisation_id:
        raise PermissionDenied(ERR_OTHER_ORGANISATION)
    if person.erased_at:
        raise ValidationError(ERR_ERASED)
    open_case = (
        Case.objects.filter(person=person, organisation_id=actor.organisation_id, purpose=purpose)
        .exclude(stage=Case.Stage.CLOSED)
        .order_by("-opened_on")
        .first()
    )
    if open_case is not None:
        record_save(
            actor=actor,
            case=open_case,
            record=consultation,
            m2m={"main_concerns": list(main_concerns)},
        )
        return open_case
    case = _case_create(
        actor=actor,
        person=person,
        consultation=consultation,
        main_concerns=main_concerns,
        urgency=urgency,
        consent=consent,
        consent_on=consent_on,
        feedback_consent=feedback_consent,
        feedback_consent_on=feedback_consent_on,
        purpose=purpose,
    )
    hooks.case_opened(actor=actor, case=case)
    hooks.case_changed(actor=actor, case=case)
    return case


@transaction.atomic
def case_open_for_known_person(
    *,
    actor: User,
    person: Person,
    consultation: Consultation,
    purpose: str = Case.Purpose.CORE_AGENCY,
) -> Case:
    """Open a further case for a person of the actor's organisation (the ledger import's
    "same person"), in the caller's transaction; the process is the caller's to start."""
    if not is_case_staff(actor) or person.organisation_id != actor.organisation_id:
        raise PermissionDenied(ERR_OTHER_ORGANISATION)
    if person.erased_at:
        raise ValidationError(ERR_ERASED)
    return _case_create(
        actor=actor,
        person=person,
        consultation=consultation,
        main_concerns=(),
        urgency=Case.Urgency.NORMAL,
        consent=Case.Consent.NOT_ASKED,
        consent_on=None,
        purpose=purpose,
    )


@dataclass
class Opening:
    """One case for ``cases_open_many`` to open, from values already validated.

    person is a new, unsaved Person, or a saved one of the actor's organisation (a further
    case of that person; categories are then ignored, as ``case_open_for_known_person``
    does). history is what follows the opening, in order: records (unsaved) as
    ``record_save`` saves them and stages ``(stage, day)`` as ``case_set_stage`` moves the
    case; closing ``(reason, day)`` closes it last, as ``case_close``. label ends the
    case's audit event (never a personal value). ``case`` is filled in.
    """

    person: Person
    consultation: Consultation
    categories: Iterable = ()
    history: list[CaseRecord | tuple[str, datetime.date]] = field(default_factory=list)
    closing: tuple[str, datetime.date] | None = None
    label: str = ""
    case: Case | None = None


def _clean(instance: models.Model) -> None:
    """full_clean without asking the database: uniqueness is the counter's and the pks'
    (UUIDs made here), foreign keys name rows made here or looked up by the caller, and
    the database enforces constraints and keys itself at the insert."""
    keys = [f.name for f in instance._meta.concrete_fields if f.is_relation]
    instance.full_clean(exclude=keys, validate_unique=False, validate_constraints=False)


@transaction.atomic
def cases_open_many(*, actor: User, openings: list[Opening], action: Action) -> list[Case]:
    """Open many cases in one go (the ledger import): what ``case_open`` (or
    ``case_open_for_known_person``), then ``record_save``, ``case_set_stage`` and
    ``case_close`` make for each opening, one by one, written with a few inserts a kind.

    Every case gets the actor's creator grant, consent and feedback consent not asked
    (so the milestone hook has nothing to open, and is not called), and exactly one audit
    event of action, naming the grant; the services' own events are not written
    (decision 87). Numbers are taken in the order of openings, as one by one.
    """
    if not is_case_staff(actor) or actor.organisation is None:
        raise PermissionDenied(ERR_NOT_STAFF)
    organisation = actor.organisation
    for opening in openings:
        person = opening.person
        if not person._state.adding:
            if person.organisation_id != organisation.pk:
                raise PermissionDenied(ERR_OTHER_ORGANISATION)
            if person.erased_at:
                raise ValidationError(ERR_ERASED)
    # Numbers in the order of openings, each fiscal year's taken with one update.
    years: dict[int, list[Opening]] = {}
    for opening in openings:
        years.setdefault(fiscal_year_of(opening.consultation.consulted_on), []).append(opening)
    serials: dict[int, int] = {}
    for fiscal_year, of_year in years.items():
        first = _reserve_serials(fiscal_year, len(of_year))
        for offset, opening in enumerate(of_year):
            serials[id(opening)] = first + offset
    # A person's second case depends on their first (新規 or 継続): write in waves, the
    # n-th case of each person in wave n, so each wave sees the ones before it stored.
    waves: list[list[Opening]] = []
    seen: dict[object, int] = {}
    for opening in openings:
        nth = seen.get(opening.person.pk, 0)
        seen[opening.person.pk] = nth + 1
        if nth == len(waves):
            waves.append([])
        waves[nth].append(opening)
    grant_reason = ""
    for wave in waves:
        grant_reason = _open_wave(actor, organisation, wave, serials)
    audit_record_many(
        actor=actor,
        action=action,
        items=[(o.case, f"{o.case.number} {o.label}"[:100]) for o in openings if o.case],
        reason=grant_reason,
    )
    return [opening.case for opening in openings if opening.case]


def _open_wave(
    actor: User, organisation: Organisation, wave: list[Opening], serials: dict[int, int]
) -> str:
    new_persons = [o.person for o in wave if o.person._state.adding]
    fresh = {p.pk for p in new_persons}
    for person in new_persons:
        person.organisation = organisation
        _person_derive(person)
        _clean(person)
    crypto_services.data_keys_create(owner_ids=[p.pk for p in new_persons])
    Person.objects.bulk_create(new_persons)
    Person.categories.through.objects.bulk_create(
        [
            Person.categories.through(person_id=o.person.pk, personcategory_id=getattr(c, "pk", c))
            for o in wave
            if o.person.pk in fresh
            for c in o.categories
        ]
    )
    controller = controller_for(
        purpose=Case.Purpose.CORE_AGENCY, organisation_kind=organisation.kind
    )
    stages: list[StageChange] = []
    records: dict[type[CaseRecord], list[CaseRecord]] = {}
    consultations: list[Consultation] = []
    for opening in wave:
        consultation = opening.consultation
        opened_on = consultation.consulted_on
        fiscal_year = fiscal_year_of(opened_on)
        serial = serials[id(opening)]
        case = opening.case = Case(
            number=case_number_of(fiscal_year, serial),
            fiscal_year=fiscal_year,
            serial=serial,
            person=opening.person,
            organisation=organisation,
            controller=controller,
            purpose=Case.Purpose.CORE_AGENCY,
            opened_on=opened_on,
            assigned_worker=actor,
        )
        stages.append(StageChange(case=case, stage=Case.Stage.CONSULTATION, changed_on=opened_on))
        consultation.case = case
        consultation.person = opening.person
        consultation.created_by = actor
        if opening.person.pk in fresh:
            # No earlier consultation and no closing: what _consultation_is_new finds.
            _consultation_derive_fresh(consultation, opening.person)
        else:
            _consultation_derive(consultation, opening.person, creating=True)
        _clean(consultation)
        consultations.append(consultation)
        for step in opening.history:
            if isinstance(step, tuple):
                stage, day = step
                if case.stage != stage:
                    case.stage = stage
                    stages.append(StageChange(case=case, stage=stage, changed_on=day))
                continue
            step.case = case
            step.person_id = case.person_id
            step.created_by = actor
            _clean(step)
            records.setdefault(type(step), []).append(step)
        if opening.closing:
            reason, day = opening.closing
            if not supervises(actor, case):
                raise PermissionDenied(ERR_ONLY_SUPERVISOR)
            if day < case.opened_on:
                raise ValidationError({"closed_on": _("終結日は受付日より前にはできません。")})
            case.closing_reason = reason
            case.closed_on = day
            case.stage = Case.Stage.CLOSED
            stages.append(StageChange(case=case, stage=Case.Stage.CLOSED, changed_on=day))
        _clean(case)
    cases = [opening.case for opening in wave if opening.case]
    Case.objects.bulk_create(cases)
    # One insert a kind, in the order of the cases: the timeline orders by insertion.
    StageChange.objects.bulk_create(stages)
    Consultation.objects.bulk_create(consultations)
    for model, rows in records.items():
        model._default_manager.bulk_create(rows)
    return access.grant_creator_many(actor=actor, cases=cases, reason=str(_("ケース登録者")))


def _consultation_derive_fresh(consultation: Consultation, person: Person) -> None:
    if consultation.consulted_on:
        consultation.age_band = person.age_band_on(consultation.consulted_on) or (
            consultation.age_band
        )
    for name in Consultation.PERSON_ATTRIBUTES:
        setattr(consultation, name, getattr(person, name))
    if not consultation.is_new_by_hand:
        consultation.is_new = True


def _require_change(actor: User, case: Case) -> None:
    if case.is_closed:
        raise ValidationError(ERR_CLOSED)
    if not can_change(user=actor, case=case):
        raise PermissionDenied(ERR_CANNOT_CHANGE)


@transaction.atomic(durable=True)
def person_update(
    *,
    actor: User,
    case: Case,
    values: Mapping[str, object],
    categories: Iterable | None = None,
) -> Person:
    """Save edits to the case's person: values maps each edited field to its new value.

    The edited field names (never the values) go to the audit trail; categories, when
    given, replaces the person's categories (and is audited when it differs).
    """
    _require_change(actor, case)
    person = case.person
    editable = {f.name for f in Person._meta.concrete_fields if f.editable}
    unknown = set(values) - editable
    if unknown:
        raise ValidationError(ERR_NOT_EDITABLE)
    for name, value in values.items():
        setattr(person, name, value)
    changed = set(values)
    _person_derive(person)
    person.full_clean()
    person.save()
    if categories is not None:
        categories = {getattr(c, "pk", c) for c in categories}
        if categories != set(person.categories.values_list("pk", flat=True)):
            person.categories.set(categories)
            changed.add("categories")
    consultation_attributes_refresh(person=person)
    audit_record(
        actor=actor,
        action=Action.PERSON_UPDATED,
        obj=case,
        label=case.number,
        fields_read=sorted(changed),
    )
    return person


def consultation_attributes_refresh(*, person: Person) -> int:
    """Give the person's consultations of this fiscal year their present sex, household, area.

    An edit during the year is most often a correction of what intake took down; consultations
    of earlier years keep what they were counted with, so that a move does not rewrite figures
    already reported (decision 29). Returns how many consultations were updated.
    """
    start = datetime.date(fiscal_year_of(timezone.localdate()), 4, 1)
    return Consultation.objects.filter(person=person, consulted_on__gte=start).update(
        **{name: getattr(person, name) for name in Consultation.PERSON_ATTRIBUTES}
    )


@transaction.atomic
def record_save(*, actor: User, case: Case, record: CaseRecord, m2m: dict | None = None):
    """Create or update one record of case (a consultation, a petition…)."""
    _require_change(actor, case)
    creating = record._state.adding
    if creating:
        record.case = case
        record.person_id = case.person_id
        record.created_by = actor
    elif record.case_id != case.pk:
        raise PermissionDenied(ERR_CANNOT_CHANGE)
    if isinstance(record, Consultation):
        # The person as stored now (record.person reads the row), not a copy held by the caller.
        _consultation_derive(record, record.person, creating)
    record.full_clean()
    record.save()
    for name, values in (m2m or {}).items():
        getattr(record, name).set(values)
    audit_record(
        actor=actor,
        action=Action.RECORD_CREATED if creating else Action.RECORD_UPDATED,
        obj=case,
        label=f"{case.number} {record._meta.model_name}",
    )
    hooks.case_changed(actor=actor, case=case)
    return record


@transaction.atomic
def case_set_stage(*, actor: User | None, case: Case, stage: str, on: datetime.date | None = None):
    """Move case to stage (called by the workflow steps) and note the date for statistics."""
    on = on or timezone.localdate()
    if case.stage == stage:
        return case
    case.stage = stage
    case.save(update_fields=["stage", "updated_at"])
    _record_stage(case, stage, on)
    audit_record(actor=actor, action=Action.CASE_STAGE_CHANGED, obj=case, label=case.number)
    return case


@transaction.atomic
def case_close(*, actor: User, case: Case, reason: str, on: datetime.date) -> Case:
    """Close case; only a supervisor of its organisation may."""
    if not supervises(actor, case):
        raise PermissionDenied(ERR_ONLY_SUPERVISOR)
    if case.is_closed:
        raise ValidationError(ERR_CLOSED)
    if on < case.opened_on:
        raise ValidationError({"closed_on": _("終結日は受付日より前にはできません。")})
    case.closing_reason = reason
    case.closed_on = on
    case.full_clean()
    case.stage = Case.Stage.CLOSED
    case.save()
    _record_stage(case, Case.Stage.CLOSED, on)
    audit_record(actor=actor, action=Action.CASE_CLOSED, obj=case, label=case.number)
    hooks.case_changed(actor=actor, case=case)
    return case


ERR_CONSENT_DATE = _("同意を得た日を入力してください。")


@transaction.atomic(durable=True)
def case_feedback_consent_set(
    *, actor: User, case: Case, consent: str, on: datetime.date | None
) -> Case:
    """Record the person's consent (or its withdrawal) to feedback to the referrer.

    Whatever follows from it (feedback tasks opened or cancelled) joins in through
    ``hooks.on_case_changed``, in this transaction.
    """
    _require_change(actor, case)
    if consent == Case.Consent.GIVEN and on is None:
        raise ValidationError({"feedback_consent_on": ERR_CONSENT_DATE})
    case.feedback_consent = consent
    case.feedback_consent_on = on
    case.full_clean()
    case.save(update_fields=["feedback_consent", "feedback_consent_on", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.FEEDBACK_CONSENT_CHANGED,
        obj=case,
        label=case.number,
        reason=consent,
    )
    hooks.case_changed(actor=actor, case=case)
    return case


@transaction.atomic
def case_reopen(*, actor: User, case: Case, on: datetime.date) -> Case:
    """Reopen a closed case: its guardian or team asks for help again (nestable).

    A case closed with the guardianship going on goes back to guardian support; any other
    goes back to consultation. The closing is kept in the stage history and the audit
    trail; the consultation that reopens it is recorded by the caller, as 継続.
    """
    if not case.is_closed:
        raise ValidationError(ERR_NOT_CLOSED)
    if not can_reopen(user=actor, case=case):
        raise PermissionDenied(ERR_CANNOT_CHANGE)
    if case.closed_on and on < case.closed_on:
        raise ValidationError({"consulted_on": _("再開の相談日は終結日より前にはできません。")})
    stage = Case.Stage.GUARDIAN_SUPPORT if case.guardianship_continues else Case.Stage.CONSULTATION
    closed = f"{case.closed_on.isoformat() if case.closed_on else ''} {case.closing_reason}"
    case.closed_on = None
    case.closing_reason = ""
    case.stage = stage
    case.save(update_fields=["closed_on", "closing_reason", "stage", "updated_at"])
    _record_stage(case, stage, on)
    audit_record(
        actor=actor,
        action=Action.CASE_REOPENED,
        obj=case,
        label=case.number,
        reason=f"closed {closed.strip()} → {stage}",
    )
    return case


@transaction.atomic(durable=True)
def case_reassign(*, actor: User, case: Case, worker: User, reason: str) -> Case:
    """Hand case to another worker of its organisation; only a supervisor may.

    The case and the new worker's grant only: a supervisor's handover
    (``workflows.handover.worker_hand_over``) also moves the open tasks and the old
    worker's access.
    """
    return case_worker_change(actor=actor, case=case, worker=worker, reason=reason)


@transaction.atomic
def case_worker_change(*, actor: User, case: Case, worker: User, reason: str) -> Case:
    """Make worker the case's worker and grant them the staff permissions (nestable)."""
    if not supervises(actor, case):
        raise PermissionDenied(ERR_ONLY_SUPERVISOR)
    if not is_case_staff(worker) or worker.organisation_id != case.organisation_id:
        raise ValidationError(ERR_ASSIGNEE)
    case.assigned_worker = worker
    case.save(update_fields=["assigned_worker", "updated_at"])
    access.grant(
        actor=actor, case=case, user=worker, permissions=access.STAFF_PERMISSIONS, reason=reason
    )
    audit_record(
        actor=actor, action=Action.CASE_REASSIGNED, obj=case, label=case.number, reason=reason
    )
    return case


@transaction.atomic(durable=True)
def person_erase(*, actor: User, case: Case, reason: str) -> Person:
    """Erase the case's person for good (crypto-shredding); only a supervisor may.

    Every encrypted value of the person becomes unreadable wherever it is stored; the clear
    categories and dates stay, so the statistics keep counting the case.
    """
    if not supervises(actor, case):
        raise PermissionDenied(ERR_ONLY_SUPERVISOR)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("理由を入力してください。"))
    person = case.person
    crypto_services.person_erase(owner_id=person.pk)
    Person.objects.filter(pk=person.pk).update(erased_at=timezone.now())
    audit_record(
        actor=actor, action=Action.PERSON_ERASED, obj=case, label=case.number, reason=reason
    )
    person.refresh_from_db()
    return person


def consultation_age_bands_refresh_batch(
    *, after: object = None, size: int = 500
) -> tuple[int, int, object]:
    """Recompute the age band of one batch of consultations from their person's birth date.

    Returns (read, changed, last primary key); rerun from the last key until read is 0. For
    consultations saved before they carried a band of their own (migration cases.0003); an
    erased person's consultations keep the band they have.
    """
    rows = Consultation.objects.select_related("person").order_by("pk")
    if after is not None:
        rows = rows.filter(pk__gt=after)
    batch = list(rows.only("pk", "consulted_on", "age_band", "person")[:size])
    if not batch:
        return 0, 0, after
    changed = []
    with key_cache():
        prefetch_data_keys([row.person for row in batch], decrypt=("birth_date",))
        for row in batch:
            band = row.person.age_band_on(row.consulted_on)
            if band and band != row.age_band:
                row.age_band = band
                changed.append(row)
    # A clear column: bulk_update writes it without touching the encrypted ones.
    Consultation.objects.bulk_update(changed, ["age_band"])
    return len(batch), len(changed), batch[-1].pk


# Reads of personal data leave an audit event too; the screens call these, never audit_record.


def case_view_record(
    *, actor: User, case: Case, fields_read: Iterable[str], request: HttpRequest | None = None
) -> None:
    """Record that actor opened case and which encrypted fields the page decrypted."""
    audit_record(
        actor=actor,
        action=Action.CASE_VIEWED,
        obj=case,
        label=case.number,
        fields_read=sorted(set(fields_read)),
        request=request,
    )


def case_list_record(*, actor: User, count: int, request: HttpRequest | None = None) -> None:
    """Record that a page of the case list showed count persons' listed fields."""
    if not count:
        return
    audit_record(
        actor=actor,
        action=Action.SENSITIVE_FIELDS_READ,
        label=f"case list ({count})",
        fields_read=_listed_person_fields(),
        request=request,
    )


def case_search_record(*, actor: User, count: int, request: HttpRequest | None = None) -> None:
    """Record a search and, when it found someone, the listed fields it showed."""
    audit_record(
        actor=actor,
        action=Action.CASE_SEARCHED,
        label=f"search ({count})",
        fields_read=_listed_person_fields() if count else [],
        request=request,
    )


def document_export_record(*, actor: User, case: Case, request: HttpRequest | None = None) -> None:
    """Record the download of a case's document (decrypted: an export)."""
    audit_record(
        actor=actor,
        action=Action.EXPORTED,
        obj=case,
        label=f"{case.number} document",
        fields_read=["Document.title", "Document.content"],
        request=request,
    )


def _listed_person_fields() -> list[str]:
    # The same constant decides what the list decrypts (selectors.persons_prefetched).
    return encrypted_names(Person, LISTED_PERSON_FIELDS)


# 一般相談: contacts that name no one.


@transaction.atomic(durable=True)
def general_consultation_record(
    *, actor: User, consultation: GeneralConsultation, main_concerns: Iterable = ()
) -> GeneralConsultation:
    """Record a 一般相談 for the actor's organisation (the form has checked its summary)."""
    if not is_case_staff(actor):
        raise PermissionDenied(ERR_NOT_STAFF)
    organisation = actor.organisation
    if organisation is None:  # is_case_staff requires one
        raise PermissionDenied(ERR_NOT_STAFF)
    consultation.organisation = organisation
    consultation.created_by = actor
    consultation.full_clean()
    consultation.save()
    consultation.main_concerns.set(main_concerns)
    audit_record(
        actor=actor,
        action=Action.GENERAL_CONSULTATION_RECORDED,
        obj=consultation,
        label=f"general {consultation.consulted_on:%Y-%m-%d}",
    )
    return consultation


@transaction.atomic(durable=True)
def general_consultation_link(
    *, actor: User, consultation: GeneralConsultation, case_number: str
) -> Case:
    """Link a 一般相談 to the case it became, found by number among the cases actor may edit."""
    case = cases_visible_to(user=actor).filter(number=case_number.strip().upper()).first()
    if case is None or case.organisation_id != consultation.organisation_id:
        raise ValidationError(ERR_LINK_CASE)
    if not can_change(user=actor, case=case):
        raise ValidationError(ERR_CANNOT_CHANGE)
    consultation.case = case
    consultation.outcome = GeneralConsultation.Outcome.CASE_OPENED
    consultation.save(update_fields=["case", "outcome"])
    audit_record(
        actor=actor,
        action=Action.GENERAL_CONSULTATION_LINKED,
        obj=case,
        label=case.number,
        reason=f"general {consultation.pk}",
    )
    return case


def case_controllers_correct(*, after: object = None, size: int = 500) -> tuple[int, int, object]:
    """Give one batch of cases the controller their purpose implies, auditing each change.

    Returns (read, changed, last primary key); rerun from the last key until read is 0. For
    cases opened before the controller followed the purpose (decision 37).
    """
    rows = Case.objects.select_related("organisation").order_by("pk")
    if after is not None:
        rows = rows.filter(pk__gt=after)
    batch = list(rows[:size])
    if not batch:
        return 0, 0, after
    changed = 0
    with transaction.atomic():
        for case in batch:
            right = controller_for(purpose=case.purpose, organisation_kind=case.organisation.kind)
            if case.controller == right:
                continue
            before = case.controller
            Case.objects.filter(pk=case.pk).update(controller=right)
            audit_record(
                actor=None,
                action=Action.CASE_CONTROLLER_CORRECTED,
                obj=case,
                label=case.number,
                reason=f"{before} -> {right} (purpose {case.purpose})",
            )
            changed += 1
    return len(batch), changed, batch[-1].pk


# Words of the rulings recorded before the list of acts, and the act each names (decision 55).
# A phrase maps to every act whose words it contains; a phrase that names none stays as text.
POWERS_WORDS: dict[str, tuple[str, ...]] = {
    "all_property": ("包括", "すべての法律行為", "全ての法律行為", "財産管理全般"),
    "deposits": ("預貯金", "預金", "貯金", "払戻", "払い戻"),
    "real_estate": ("不動産", "土地", "建物", "自宅の売却"),
    "care_contracts": ("介護", "福祉サービス", "障害福祉"),
    "medical_contracts": ("医療", "入院", "治療"),
    "facility_admission": ("施設", "入所"),
    "housing_lease": ("賃貸借", "賃貸", "借家", "アパート"),
    "public_benefits": ("年金", "手当", "生活保護", "税", "申請手続"),
    "inheritance": ("相続", "遺産"),
    "litigation": ("訴訟", "裁判"),
    "borrowing": ("借財", "借入", "保証"),
}
_POWERS_SPLIT = re.compile(r"[、，,。\n;；／/]+")


def powers_match(text: str, codes: Iterable[str]) -> tuple[set[str], str]:
    """Return the act codes (of those offered) text names, and the phrases that name none."""
    offered = set(codes)
    found: set[str] = set()
    kept = []
    for phrase in (p.strip() for p in _POWERS_SPLIT.split(text or "")):
        if not phrase:
            continue
        hits = {
            code
            for code, words in POWERS_WORDS.items()
            if code in offered and any(word in phrase for word in words)
        }
        if hits:
            found |= hits
        else:
            kept.append(phrase)
    return found, "、".join(kept)


def petition_powers_map(*, after: object = None, size: int = 200) -> tuple[int, int, object]:
    """Match one batch of rulings' recorded powers to the acts of their scheme, auditing each.

    Returns (read, changed, last primary key); rerun from the last key until read is 0. The
    acts are those of the scheme in force on the ruling day; phrases naming no act stay as
    the record's words (「移行前の記述」), so nothing recorded is lost (decision 55).
    """
    # Ciphertext cannot be filtered on (beyond NULL): every petition is read, in batches.
    rows = Petition.objects.order_by("pk")
    if after is not None:
        rows = rows.filter(pk__gt=after)
    batch = list(rows.select_related("case")[:size])
    if not batch:
        return 0, 0, after
    changed = 0
    acts_on: dict = {}
    with transaction.atomic(), key_cache():
        prefetch_data_keys(batch)
        for petition in batch:
            if petition.powers is ERASED or not petition.powers:
                continue
            day = petition.ruling_on or petition.filed_on or timezone.localdate()
            if day not in acts_on:  # a batch's rulings share few days: one query each
                acts_on[day] = {a.code: a for a in GrantedAct.objects.valid_on(day)}
            acts = acts_on[day]
            found, kept = powers_match(petition.powers, acts)
            if not found:
                continue
            petition.acts.add(*(acts[code] for code in sorted(found)))
            petition.powers = kept
            petition.save(update_fields=["powers", "updated_at"])
            audit_record(
                actor=None,
                action=Action.PETITION_POWERS_MAPPED,
                obj=petition.case,
                label=petition.case.number,
                reason=f"{len(found)} act(s) mapped; words kept: {'yes' if kept else 'no'}",
            )
            changed += 1
    return len(batch), changed, batch[-1].pk
