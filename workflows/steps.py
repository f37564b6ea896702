"""The work of each step: what a completed task or an arrived event records.

Flows point their nodes at these. A task's ``*_done`` function receives the actor, the
task's activation and the validated form (``task_complete`` runs it); ``*_initial`` and
``*_of`` give a form its initial values and the record it edits; the handles' functions
receive the activation and the event's values. Each step saves the case's records through
``advocacy.cases.services`` so the case's stage and records follow the process.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.status import STATUS

from advocacy.access import services as access
from advocacy.accounts.models import Professional, User
from advocacy.audit.actions import Action
from advocacy.cases import presenters
from advocacy.cases import services as cases
from advocacy.cases.forms import ConsultationForm
from advocacy.cases.models import (
    Assessment,
    Case,
    Consultation,
    GuardianAppointment,
    Petition,
    Subsidy,
    TeamMeeting,
)
from advocacy.cases.selectors import last_decision

from .models import CaseProcess
from .schedule import add_months, setting, today
from .task_audit import task_audit

DAILY_LIFE_AGENCY = "日常生活自立支援事業（社会福祉協議会）"

# A process's decision code → the closing reason proposed to the supervisor.
CLOSING_REASON_OF = {
    "information": Case.ClosingReason.INFORMATION_GIVEN,
    "referral": Case.ClosingReason.REFERRED,
    "daily_life_support": Case.ClosingReason.LESS_RESTRICTIVE,
    "voluntary": Case.ClosingReason.LESS_RESTRICTIVE,
    "other_support": Case.ClosingReason.LESS_RESTRICTIVE,
    "no_action": Case.ClosingReason.OTHER,
    "death": Case.ClosingReason.DEATH,
    "capacity_restored": Case.ClosingReason.CAPACITY_RESTORED,
    "moved_away": Case.ClosingReason.MOVED_AWAY,
    "ended_by_court": Case.ClosingReason.ENDED_BY_COURT,
    "team_independent": Case.ClosingReason.TEAM_INDEPENDENT,
    "guardian_suffices": Case.ClosingReason.GUARDIAN_SUFFICES,
}


def task_complete(*, actor: User, activation, form, step=None) -> None:
    """Do step's work with form, audit it and complete the task: all of it, or none.

    Runs inside the flow's lock and transaction (viewflow's task view), so it is a
    savepoint, not a durable transaction: a refused record leaves the task and the case
    as they were, and the caller shows the form again.
    """
    with transaction.atomic():
        (step or nothing_to_record)(actor=actor, activation=activation, form=form)
        activation.execute()
        # The event is the last write: from it to the commit, this transaction holds an audit
        # chain's head (decision 83), so the transition's work is not done while holding it.
        task_audit(
            actor=actor,
            action=Action.TASK_COMPLETED,
            case=activation.process.case,
            node=activation.flow_task,
        )


def _set(process: CaseProcess, **values) -> None:
    for name, value in values.items():
        setattr(process, name, value)
    process.save(update_fields=list(values))


def _save_record(actor: User, process: CaseProcess, record, m2m: dict | None = None):
    return cases.record_save(actor=actor, case=process.case, record=record, m2m=m2m)


def nothing_to_record(*, actor: User, activation, form) -> None:
    """Complete a step whose only record is the task itself (and its audit event)."""


# Consultation, and the referral steps that coordination shares


def triage_done(*, actor: User, activation, form) -> None:
    _set(activation.process, route=form.cleaned_data["outcome"], answer="")


def referral_initial(activation) -> dict:
    if activation.process.route == "daily_life_support":
        return {"agency": DAILY_LIFE_AGENCY, "referred_on": today()}
    return {"referred_on": today()}


def referral_done(*, actor: User, activation, form) -> None:
    record = _save_record(actor, activation.process, form.save(commit=False))
    _set(activation.process, referral=record)


def follow_up_done(*, actor: User, activation, form) -> None:
    process = activation.process
    referral = process.referral
    referral.followed_up_on = form.cleaned_data["followed_up_on"]
    _save_record(actor, process, referral)
    _set(process, answer=form.cleaned_data["took"])


def feedback_done(*, actor: User, activation, form) -> None:
    process = activation.process
    referral = process.referral
    referral.feedback_sent_on = form.cleaned_data["feedback_sent_on"]
    _save_record(actor, process, referral)


def close_initial(activation) -> dict:
    route = activation.process.route
    if route == "other_support" and activation.process.answer == "refer":
        route = "referral"
    return {"reason": CLOSING_REASON_OF.get(route, Case.ClosingReason.OTHER)}


def close_done(*, actor: User, activation, form) -> None:
    cases.case_close(
        actor=actor,
        case=activation.process.case,
        reason=form.cleaned_data["reason"],
        on=form.cleaned_data["closed_on"],
    )


# Coordination


def assessment_of(activation) -> Assessment:
    """Return the assessment this process's parallel steps share (a new one at first)."""
    return activation.process.assessment or Assessment(assessed_on=today())


def assessment_done(*, actor: User, activation, form) -> None:
    record = _save_record(actor, activation.process, form.save(commit=False))
    if activation.process.assessment_id != record.pk:
        _set(activation.process, assessment=record)


def conference_decided(*, activation, decision) -> None:
    """Take the outcome a 支援調整会議 decided (events.conference_decided) as the branch."""
    _set(activation.process, route=decision.outcome, answer="")


def less_restrictive_done(*, actor: User, activation, form) -> None:
    _set(activation.process, answer=form.cleaned_data["next_step"])


def petition_of(activation) -> Petition:
    return activation.process.petition or Petition()


@dataclass(frozen=True)
class Shown:
    """The record a step is about, as label/value rows, and the encrypted fields they read."""

    title: str
    rows: list[tuple[str, str]]
    fields_read: list[str]


def intake_shown(activation) -> Shown | None:
    """Show the intake consultation the 受付内容の確認 step asks to confirm."""
    consultation = (
        Consultation.objects.filter(case_id=activation.process.case_id)
        .order_by("consulted_on", "created_at")
        .first()
    )
    if consultation is None:
        return None
    return Shown(
        title=str(_("受付した相談")),
        rows=presenters.rows(consultation, ConsultationForm),
        fields_read=presenters.encrypted_names(Consultation, ConsultationForm.Meta.fields),
    )


def petitioner_initial(activation) -> dict:
    """Carry the conference's 想定する申立人 into the petitioner step."""
    decision = last_decision(case_id=activation.process.case_id)
    return {"petitioner_type": decision.petitioner_type} if decision else {}


def petitioner_done(*, actor: User, activation, form) -> None:
    petition = form.save(commit=False)
    decision = last_decision(case_id=activation.process.case_id)
    if petition.type_sought_id is None and decision is not None:
        # The type the conference decided on is what the petition asks for, unless changed
        # at filing (the filing step shows it).
        petition.type_sought_id = decision.guardianship_type_id
    record = _save_record(actor, activation.process, petition)
    _set(
        activation.process,
        petition=record,
        answer="mayor" if record.petitioner_type == "mayor" else "other",
    )


def petition_step_done(*, actor: User, activation, form) -> None:
    # The ruling's acts are a many-to-many choice: saved with the record, in its audit.
    m2m = {
        name: form.cleaned_data[name]
        for name in form._meta.fields or ()
        if Petition._meta.get_field(name).many_to_many
    }
    _save_record(actor, activation.process, form.save(commit=False), m2m=m2m)


def subsidy_check_done(*, actor: User, activation, form) -> None:
    data = form.cleaned_data
    if data["needed"] != "yes":
        return
    subsidy = Subsidy(
        kind=Subsidy.Kind.PETITION_COST,
        applied_on=data["applied_on"],
        amount_yen=data["amount_yen"],
    )
    _save_record(actor, activation.process, subsidy)


def guardian_done(*, actor: User, activation, form) -> None:
    _save_record(actor, activation.process, _appointment_from(activation, form))


# Team support


def team_formed(*, actor: User, activation, form) -> None:
    _set(activation.process, next_due=form.cleaned_data["first_meeting_due"])


def _meeting(kind: str):
    def done(*, actor: User, activation, form) -> None:
        meeting = form.save(commit=False)
        meeting.kind = kind
        _save_record(actor, activation.process, meeting)

    return done


first_meeting_done = _meeting(TeamMeeting.Kind.FIRST)
monitoring_done = _meeting(TeamMeeting.Kind.REGULAR)
review_done = _meeting(TeamMeeting.Kind.REVIEW)


def independence_done(*, actor: User, activation, form) -> None:
    _set(activation.process, answer=form.cleaned_data["independent"])


# Guardian support


def help_done(*, actor: User, activation, form) -> None:
    _save_record(actor, activation.process, form.save(commit=False))


def help_initial(activation) -> dict:
    return {"contacted_on": today(), "contact_from": "guardian", "is_help_request": True}


def fee_ruling_received(activation, *, fee_ruling_on: datetime.date) -> None:
    """Set the fee-subsidy deadline from a fee ruling (the Handle's function)."""
    _set(activation.process, next_due=add_months(fee_ruling_on, setting("FEE_SUBSIDY_MONTHS")))


def fee_subsidy_initial(activation) -> dict:
    return {"deadline": activation.process.next_due, "applied_on": today()}


def fee_subsidy_done(*, actor: User, activation, form) -> None:
    subsidy = form.save(commit=False)
    subsidy.kind = Subsidy.Kind.GUARDIAN_FEE
    _save_record(actor, activation.process, subsidy)


def current_guardian(activation) -> GuardianAppointment | None:
    return (
        GuardianAppointment.objects.filter(
            case_id=activation.process.case_id,
            ended_on=None,
            role=GuardianAppointment.Role.GUARDIAN,
        )
        .order_by("-appointed_on")
        .first()
    )


# A guardian change (交代・追加): its own petition for an appointment, in guardian support.

# The changes after which the guardian before no longer acts (the others add someone).
ENDS_PREVIOUS = {
    Petition.ChangeKind.RESIGNATION,
    Petition.ChangeKind.REMOVAL,
    Petition.ChangeKind.RELAY,
}


def change_petition_new(activation) -> Petition:
    """Return a new petition for the appointment the change needs (one per change)."""
    return Petition(purpose=Petition.Purpose.APPOINTMENT)


def change_recorded(*, actor: User, activation, form) -> None:
    petition = form.save(commit=False)
    petition.purpose = Petition.Purpose.APPOINTMENT
    record = _save_record(actor, activation.process, petition)
    _set(activation.process, petition=record, route=record.change_kind)


# The task data key under which a coordination step keeps who accepted (events).
ACCEPTED_BY = "accepted_by"


def accepted_professional(process: CaseProcess) -> Professional | None:
    """Return the candidate whose acceptance completed process's latest coordination step."""
    task = (
        process.task_set.filter(status=STATUS.DONE, data__has_key=ACCEPTED_BY)
        .order_by("-finished", "-pk")
        .first()
    )
    if task is None:
        return None
    return Professional.objects.filter(user_id=task.data[ACCEPTED_BY]).first()


def appointed_initial(activation) -> dict:
    """Start the appointment's form from the candidate who accepted (the court may differ)."""
    professional = accepted_professional(activation.process)
    if professional is None:
        return {}
    return {
        "kind": GuardianAppointment.Kind.PERSON,
        "profession": professional.profession,
        "name": professional.user.get_full_name(),
    }


def _appointment_from(activation, form) -> GuardianAppointment:
    record = form.save(commit=False)
    record.petition = activation.process.petition
    professional = accepted_professional(activation.process)
    # Linked to the roster only when the court appointed the candidate who accepted.
    if professional is not None and record.profession == professional.profession:
        record.professional = professional
    return record


def change_appointed(*, actor: User, activation, form) -> None:
    """Record who the ruling appointed; end the one before when the change replaces them.

    The guardian before loses the case in the portal when their account is on the roster.
    """
    process = activation.process
    petition = process.petition
    record = _appointment_from(activation, form)
    if petition.change_kind == Petition.ChangeKind.SUPERVISOR:
        record.role = GuardianAppointment.Role.SUPERVISOR
    if petition.change_kind in ENDS_PREVIOUS:
        before = GuardianAppointment.objects.filter(
            case_id=process.case_id, ended_on=None, role=GuardianAppointment.Role.GUARDIAN
        ).select_related("professional__user")
        for previous in before:
            previous.ended_on = petition.ruling_on or record.appointed_on
            previous.end_reason = str(petition.get_change_kind_display())
            _save_record(actor, process, previous)
            if previous.professional is not None:
                access.revoke(
                    actor=actor,
                    case=process.case,
                    user=previous.professional.user,
                    permissions=access.GUARDIAN_PERMISSIONS,
                    reason="後見人等の交代",
                    check_actor=False,
                )
    _save_record(actor, process, record)


def closing_received(activation, *, reason: str) -> None:
    """Keep the reported closing reason for the supervisor's approval (the Handle's function)."""
    _set(activation.process, route=reason)
