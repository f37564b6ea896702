"""The writes of outreach: feedback to referrers (kept in step with the case), events.

Feedback follows the case's state (``feedback_sync``, the ``cases.hooks.on_case_changed``
hook): each milestone reached while the person consents opens one feedback with a task for
the worker (``workflows.feedback``); a withdrawn consent cancels what is still open.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.access.selectors import CHANGE, permissions_on
from advocacy.accounts.models import Organisation, Professional, User
from advocacy.accounts.roles import Role, has_role, is_case_staff
from advocacy.accounts.services import professional_create, user_close, user_create
from advocacy.audit.actions import Action
from advocacy.audit.services import audit_record
from advocacy.cases.models import Case, Consultation, Decision, GuardianAppointment, Petition
from advocacy.cases.selectors import cases_visible_to
from advocacy.crypto import services as crypto_services
from workflows.feedback import tasks
from workflows.schedule import setting

from .models import Feedback, OutreachEvent, SessionAttendance, Trainee, TrainingCourse

ERR_NO_CONSENT = _(
    "本人の同意がない（または撤回された）ため、相談者（紹介元）へ経過を報告できません。"
    "同意を得たら、同意の記録を更新してください。"
)
ERR_NOT_DUE = _("この経過報告はすでに報告済みか、取りやめになっています。")
ERR_CANNOT = _("このケースの経過報告を記録する権限がありません。")
ERR_BEFORE_MILESTONE = _("報告日は節目の日より前にはできません。")
ERR_FUTURE = _("未来の日付は入力できません。")
ERR_NOT_STAFF = _("記録できるのは市または社協の職員です。")
ERR_OVER_CAPACITY = _(
    "参加者の合計（%(total)d人）が定員（%(capacity)d人）を超えています。"
    "正しければ「定員超過を確認した」にチェックを入れてください。"
)

# Whom feedback is owed to: someone who referred the person, not the person or a relative
# (they hear it from the worker as the support goes on; decision 75).
NOT_A_REFERRER = frozenset({Consultation.ReferrerType.SELF, Consultation.ReferrerType.RELATIVE})


def intake_consultation(case: Case) -> Consultation | None:
    """Return the consultation the case was opened from (its first)."""
    return Consultation.objects.filter(case=case).order_by("consulted_on", "created_at").first()


def referrer_type_of(case: Case) -> str | None:
    """Return the referrer type of case's intake, or None when no feedback is owed to it."""
    first = (
        Consultation.objects.filter(case=case)
        .order_by("consulted_on", "created_at")
        .values_list("referrer_type", flat=True)
        .first()
    )
    return None if first is None or first in NOT_A_REFERRER else first


def feedback_not_owed_reason(case: Case) -> str:
    """Return why case owes its referrer no feedback, or "" when it does."""
    if case.feedback_consent == Case.Consent.NOT_GIVEN:
        return str(_("本人の同意がない（または撤回された）ため、相談者への経過報告は行いません。"))
    if case.feedback_consent == Case.Consent.NOT_ASKED:
        return str(
            _("経過報告への本人の同意を確認していないため、経過報告のタスクは作られません。")
        )
    if referrer_type_of(case) is None:
        return str(_("本人または親族からの相談のため、紹介元への経過報告はありません。"))
    return ""


def milestones_reached(case: Case) -> dict[str, datetime.date]:
    """Return each milestone case has reached, with its day (from the records' clear dates)."""
    reached: dict[str, datetime.date] = {Feedback.Milestone.TAKEN_ON: case.opened_on}
    decided = Decision.objects.filter(case=case).aggregate(day=Min("held_on"))["day"]
    if decided:
        reached[Feedback.Milestone.POLICY_DECIDED] = decided
    petition = Petition.objects.filter(case=case).aggregate(
        filed=Min("filed_on"), ruled=Min("ruling_on")
    )
    if petition["filed"]:
        reached[Feedback.Milestone.PETITION_FILED] = petition["filed"]
    if petition["ruled"]:
        reached[Feedback.Milestone.RULING] = petition["ruled"]
    if case.is_closed and case.closed_on:
        reached[Feedback.Milestone.SUPPORT_ENDED] = case.closed_on
    return reached


def _cancel_open(*, actor: User | None, case: Case) -> int:
    cancelled = 0
    for feedback in Feedback.objects.filter(case=case, status=Feedback.Status.DUE).select_related(
        "process"
    ):
        if feedback.process is not None:
            tasks.feedback_task_cancel(process=feedback.process)
        feedback.status = Feedback.Status.CANCELLED
        feedback.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action=Action.FEEDBACK_CANCELLED,
            obj=case,
            label=f"{case.number} {feedback.milestone}",
        )
        cancelled += 1
    return cancelled


# Not durable: runs inside the transaction of the cases service that moved the case on.
@transaction.atomic
def feedback_sync(*, actor: User | None, case: Case) -> None:
    """Open the feedback case's milestones call for, or cancel it all without consent.

    Idempotent: a milestone already owed (or given, or cancelled) is not owed twice. The due
    date counts from the day the system learns of the milestone (a ruling recorded late is
    still told), ``FEEDBACK_DAYS`` later.
    """
    case = Case.objects.get(pk=case.pk)  # as stored now, not a copy the caller holds
    if case.feedback_consent != Case.Consent.GIVEN:
        _cancel_open(actor=actor, case=case)
        return
    if referrer_type_of(case) is None:
        return
    known = set(Feedback.objects.filter(case=case).values_list("milestone", flat=True))
    due_on = timezone.localdate() + datetime.timedelta(days=setting("FEEDBACK_DAYS"))
    for milestone, day in milestones_reached(case).items():
        if milestone in known:
            continue
        process = tasks.feedback_task_open(
            case=case, actor=actor, milestone=milestone, due_on=due_on
        )
        Feedback.objects.create(
            case=case,
            person_id=case.person_id,
            milestone=milestone,
            reached_on=day,
            due_on=due_on,
            process=process,
        )


def _may_record(actor: User, case: Case) -> bool:
    # Closed cases too: the last milestone (support ended) is told after the closing.
    return is_case_staff(actor) and CHANGE in permissions_on(user=actor, case=case)


@transaction.atomic(durable=True)
def feedback_give(
    *, actor: User, feedback: Feedback, given_on: datetime.date, method: str, told: str
) -> Feedback:
    """Record that the referrer was told (what and how) and complete the feedback's task.

    Refused, with the reason, when the person has not consented or has withdrawn consent.
    """
    feedback = Feedback.objects.select_for_update().select_related("case").get(pk=feedback.pk)
    case = feedback.case
    if not _may_record(actor, case):
        raise PermissionDenied(ERR_CANNOT)
    if case.feedback_consent != Case.Consent.GIVEN:
        raise ValidationError(ERR_NO_CONSENT, code="no_consent")
    if feedback.status != Feedback.Status.DUE:
        raise ValidationError(ERR_NOT_DUE)
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": ERR_FUTURE})
    if given_on < feedback.reached_on:
        raise ValidationError({"given_on": ERR_BEFORE_MILESTONE})
    feedback.status = Feedback.Status.GIVEN
    feedback.given_on = given_on
    feedback.method = method
    feedback.told = told
    feedback.given_by = actor
    feedback.full_clean()
    feedback.save()
    if feedback.process is not None:
        tasks.feedback_task_complete(process=feedback.process, actor=actor)
    audit_record(
        actor=actor,
        action=Action.FEEDBACK_GIVEN,
        obj=case,
        label=f"{case.number} {feedback.milestone} {method}",
    )
    return feedback


def feedback_view_record(
    *, actor: User, case: Case, fields_read: Iterable[str], request: HttpRequest | None = None
) -> None:
    """Record that actor saw case's referrer and feedback (the names of the fields, no value)."""
    audit_record(
        actor=actor,
        action=Action.FEEDBACK_VIEWED,
        obj=case,
        label=case.number,
        fields_read=sorted(set(fields_read)),
        request=request,
    )


def _event_check(event: OutreachEvent, *, over_capacity_confirmed: bool) -> None:
    if event.over_capacity and not over_capacity_confirmed:
        raise ValidationError(
            {
                "capacity": ERR_OVER_CAPACITY
                % {"total": event.attendance, "capacity": event.capacity}
            },
            code="over_capacity",
        )


@transaction.atomic(durable=True)
def event_save(
    *,
    actor: User,
    event: OutreachEvent,
    general_consultations: Iterable = (),
    consultations: Iterable = (),
    over_capacity_confirmed: bool = False,
) -> OutreachEvent:
    """Record or update a publicity or training event of actor's organisation.

    Attendance larger than the capacity is refused until confirmed (a warning, not a rule:
    people come without booking). Consultations linked must be ones actor may see.
    """
    if not is_case_staff(actor) or actor.organisation_id is None:
        raise PermissionDenied(ERR_NOT_STAFF)
    creating = event._state.adding
    if creating:
        event.organisation_id = actor.organisation_id
        event.created_by = actor
    elif event.organisation_id != actor.organisation_id:
        raise PermissionDenied(ERR_NOT_STAFF)
    _event_check(event, over_capacity_confirmed=over_capacity_confirmed)
    general_consultations, consultations = list(general_consultations), list(consultations)
    if any(g.organisation_id != actor.organisation_id for g in general_consultations):
        raise PermissionDenied(ERR_NOT_STAFF)
    visible = cases_visible_to(user=actor)
    if any(not visible.filter(pk=c.case_id).exists() for c in consultations):
        raise PermissionDenied(ERR_NOT_STAFF)
    event.full_clean()
    event.save()
    event.general_consultations.set(general_consultations)
    event.consultations.set(consultations)
    audit_record(
        actor=actor,
        action=Action.OUTREACH_EVENT_RECORDED if creating else Action.OUTREACH_EVENT_UPDATED,
        label=f"{event.held_on:%Y-%m-%d} {event.kind}",
    )
    return event


# Developing guardians (担い手育成): citizen guardian training, the register, the roster

ERR_NOT_COUNCIL = _("市民後見人養成研修と名簿は社会福祉協議会の職員が記録します。")
ERR_SESSION = _("第%(session)d回はこの研修にありません（全%(sessions)d回）。")
ERR_NOT_ENOUGH = _(
    "出席が%(attended)d回で、修了に必要な%(required)d回に足りないため修了にできません。"
)
ERR_NOT_ENROLLED = _("受講中の受講者だけを修了にできます。")
ERR_NOT_COMPLETED = _("名簿に登録できるのは研修を修了した人だけです。")
ERR_REGISTERED = _("この人はすでに名簿に登録されています。")
ERR_ERASED = _("この受講者の情報は消去済みです。")
ERR_ONLY_SUPERVISOR = _("受講者の情報を消去できるのは社協のスーパーバイザーです。")
ERR_ERASE_REASON = _("理由を入力してください。")
ERR_SERVING = _(
    "この方は名簿の市民後見人として受任中の後見等があるため、消去できません。"
    "受任が終わったこと（終了日）を記録してから消去してください。"
)
CITIZEN_GUARDIAN_BODY = "社会福祉協議会（市民後見人）"
CORPORATE_BODY = "社会福祉協議会（法人後見）"


def _council_staff(actor: User) -> Organisation:
    """Return actor's Council, or refuse anyone who is not its staff."""
    organisation = actor.organisation
    if not is_case_staff(actor) or organisation is None:
        raise PermissionDenied(ERR_NOT_COUNCIL)
    if organisation.kind != Organisation.Kind.COUNCIL_CENTRE:
        raise PermissionDenied(ERR_NOT_COUNCIL)
    return organisation


def _own_course(actor: User, course: TrainingCourse) -> None:
    _council_staff(actor)
    if course.organisation_id != actor.organisation_id:
        raise PermissionDenied(ERR_NOT_COUNCIL)


@transaction.atomic(durable=True)
def course_create(*, actor: User, course: TrainingCourse) -> TrainingCourse:
    """Open a training course (one cohort) of actor's Council."""
    course.organisation = _council_staff(actor)
    course.created_by = actor
    course.full_clean()
    course.save()
    audit_record(
        actor=actor, action=Action.TRAINING_COURSE_CREATED, label=f"course {course.cohort}"
    )
    return course


@transaction.atomic(durable=True)
def trainee_enrol(*, actor: User, course: TrainingCourse, trainee: Trainee) -> Trainee:
    """Enrol trainee in course."""
    _own_course(actor, course)
    trainee.course = course
    trainee.full_clean()
    trainee.save()
    audit_record(actor=actor, action=Action.TRAINEE_ENROLLED, obj=trainee, label=str(trainee))
    return trainee


@transaction.atomic(durable=True)
def attendance_record(
    *, actor: User, course: TrainingCourse, session: int, present: Iterable[Trainee]
) -> int:
    """Record who was present at session of course (replacing that session's list)."""
    _own_course(actor, course)
    if not 1 <= session <= course.sessions:
        raise ValidationError(
            {"session": ERR_SESSION % {"session": session, "sessions": course.sessions}}
        )
    present = [t for t in present if t.course_id == course.pk]
    SessionAttendance.objects.filter(trainee__course=course, session=session).delete()
    SessionAttendance.objects.bulk_create(
        [SessionAttendance(trainee=t, session=session) for t in present]
    )
    audit_record(
        actor=actor,
        action=Action.TRAINEE_ATTENDANCE_RECORDED,
        label=f"course {course.cohort} session {session}: {len(present)}",
    )
    return len(present)


@transaction.atomic(durable=True)
def trainee_complete(*, actor: User, trainee: Trainee, on: datetime.date) -> Trainee:
    """Mark trainee as having completed the course; refused below the attendance required."""
    trainee = Trainee.objects.select_for_update().select_related("course").get(pk=trainee.pk)
    course = trainee.course
    _own_course(actor, course)
    if trainee.erased_at is not None:
        raise ValidationError(ERR_ERASED)
    if trainee.status != Trainee.Status.ENROLLED:
        raise ValidationError(ERR_NOT_ENROLLED)
    attended = trainee.attendances.count()
    if attended < course.required_sessions:
        raise ValidationError(
            ERR_NOT_ENOUGH % {"attended": attended, "required": course.required_sessions},
            code="not_enough",
        )
    if on > timezone.localdate():
        raise ValidationError({"on": ERR_FUTURE})
    trainee.status = Trainee.Status.COMPLETED
    trainee.completed_on = on
    trainee.save(update_fields=["status", "completed_on"])
    audit_record(actor=actor, action=Action.TRAINEE_COMPLETED, obj=trainee, label=str(trainee))
    return trainee


@transaction.atomic(durable=True)
def trainee_register(
    *, actor: User, trainee: Trainee, on: datetime.date, backup: str, area_codes: Iterable[str]
) -> Trainee:
    """Put a trainee who completed on the register and in the roster of candidates.

    The candidate is an ``accounts.Professional`` (市民後見人) of the Council with no password
    yet (the Council invites them to the portal); the Council's backup says how it supports
    them: as supervisor (監督人) or by a relay from a professional.
    """
    trainee = Trainee.objects.select_for_update().select_related("course").get(pk=trainee.pk)
    _own_course(actor, trainee.course)
    if trainee.erased_at is not None:
        raise ValidationError(ERR_ERASED)
    if trainee.status != Trainee.Status.COMPLETED:
        raise ValidationError(ERR_NOT_COMPLETED)
    if trainee.registered_on is not None:
        raise ValidationError(ERR_REGISTERED)
    if backup not in Trainee.Backup.values:
        raise ValidationError({"backup": _("社協の支援の形を選んでください。")})
    family, _space, given = trainee.name.replace("\u3000", " ").partition(" ")
    account = user_create(
        username=f"citizen-{str(trainee.pk)[:12]}",
        password=None,
        organisation=actor.organisation,
        roles=[Role.PROFESSIONAL],
        last_name=family,
        first_name=given,
    )
    trainee.professional = professional_create(
        user=account,
        profession=Professional.Profession.CITIZEN_GUARDIAN,
        registration_body=CITIZEN_GUARDIAN_BODY,
        capacity=1,
        area_codes=area_codes,
    )
    trainee.registered_on = on
    trainee.backup = backup
    trainee.save(update_fields=["professional", "registered_on", "backup"])
    audit_record(actor=actor, action=Action.TRAINEE_REGISTERED, obj=trainee, label=str(trainee))
    return trainee


def trainee_serving(trainee: Trainee) -> bool:
    """Whether trainee, as a registered citizen guardian, holds an appointment not ended."""
    return trainee.professional_id is not None and (
        GuardianAppointment.objects.filter(
            professional_id=trainee.professional_id, ended_on__isnull=True
        ).exists()
    )


@transaction.atomic(durable=True)
def trainee_erase(*, actor: User, trainee: Trainee, reason: str) -> Trainee:
    """Erase a trainee's personal data for good (crypto-shredding); a Council supervisor may.

    For a trainee who withdrew, or who asks. Their data key is destroyed, so name, kana,
    address and phone read as （消去済み） wherever stored; the row, its status and dates stay,
    so the yearly report and the survey count as before. A registered citizen guardian
    still serving (an appointment not ended) is refused; one who is not leaves the roster:
    the candidate stops taking requests and the account is closed, its clear name blanked
    (the registration copied it there) and its grants and tasks released as a
    deactivation does.
    """
    trainee = Trainee.objects.select_for_update().select_related("course").get(pk=trainee.pk)
    _own_course(actor, trainee.course)
    if not has_role(actor, Role.SUPERVISOR):
        raise PermissionDenied(ERR_ONLY_SUPERVISOR)
    if trainee.erased_at is not None:
        raise ValidationError(ERR_ERASED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ERR_ERASE_REASON})
    if trainee_serving(trainee):
        raise ValidationError(ERR_SERVING)
    if trainee.professional_id is not None:
        Professional.objects.filter(pk=trainee.professional_id).update(active=False)
        account = User.objects.get(professional__pk=trainee.professional_id)
        user_close(actor=actor, user=account, blank_identity=True)
    crypto_services.person_erase(owner_id=trainee.pk)
    trainee.erased_at = timezone.now()
    trainee.save(update_fields=["erased_at"])
    audit_record(
        actor=actor,
        action=Action.TRAINEE_ERASED,
        obj=trainee,
        label=str(trainee),
        reason=reason,
    )
    return trainee


@transaction.atomic(durable=True)
def corporate_candidate_set(*, actor: User, capacity: int, active: bool = True) -> Professional:
    """Make actor's Council a candidate for 法人後見 with its capacity, or change it."""
    organisation = _council_staff(actor)
    professional = Professional.objects.filter(
        user__organisation=organisation, profession=Professional.Profession.CORPORATE
    ).first()
    if professional is None:
        account = user_create(
            username=f"corporate-{str(organisation.pk)[:12]}",
            password=None,
            organisation=organisation,
            roles=[Role.PROFESSIONAL],
            last_name=organisation.name[:150],
        )
        professional = professional_create(
            user=account,
            profession=Professional.Profession.CORPORATE,
            registration_body=CORPORATE_BODY,
            capacity=capacity,
        )
    professional.capacity = capacity
    professional.active = active
    professional.full_clean()
    professional.save(update_fields=["capacity", "active"])
    audit_record(actor=actor, action=Action.CORPORATE_CANDIDATE_SET, label=f"capacity {capacity}")
    return professional


def trainee_view_record(*, actor: User, count: int, request: HttpRequest | None = None) -> None:
    """Record that actor saw count trainees' names and contacts (a course's page)."""
    audit_record(
        actor=actor,
        action=Action.TRAINEE_VIEWED,
        label=f"trainees {count}",
        fields_read=["Trainee.name", "Trainee.kana", "Trainee.address", "Trainee.phone"],
        request=request,
    )
