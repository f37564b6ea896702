"""The reads of outreach that depend on the user: filtered in SQL, QuerySets returned."""

from __future__ import annotations

import datetime
import uuid

from django.db.models import Count, QuerySet

from advocacy.accounts.models import User
from advocacy.accounts.roles import is_case_staff
from advocacy.cases.models import Case, Consultation, GeneralConsultation
from advocacy.cases.selectors import cases_visible_to
from advocacy.statements import Statement

from .models import Feedback, OutreachEvent, Trainee, TrainingCourse


def feedback_of(*, case: Case) -> QuerySet[Feedback]:
    """Return case's feedback, milestone by milestone (case already loaded through the guard)."""
    return Feedback.objects.filter(case=case).order_by("reached_on", "created_at")


def _statuses_build(*, case_id: uuid.UUID) -> QuerySet[Feedback, str]:
    return feedback_of(case=Case(pk=case_id)).values_list("status", flat=True)


# The case page's feedback panel asks on every view (advocacy.statements).
_STATUSES = Statement(_statuses_build)


def feedback_statuses(*, case: Case) -> list[str]:
    """Return the status of each of case's feedback milestones, in order."""
    statuses: list[str] = _STATUSES(case_id=case.pk)
    return statuses


def events_visible_to(*, user: User) -> QuerySet[OutreachEvent]:
    """Return the events of user's organisation, newest first (none for non-staff)."""
    if not is_case_staff(user) or user.organisation_id is None:
        return OutreachEvent.objects.none()
    return OutreachEvent.objects.filter(organisation_id=user.organisation_id).order_by(
        "-held_on", "-created_at"
    )


def event_consultation_choices(
    *, user: User, held_on: datetime.date | None
) -> tuple[QuerySet[GeneralConsultation], QuerySet[Consultation]]:
    """Return the consultations of the event's day that user may link to it."""
    if held_on is None or not is_case_staff(user) or user.organisation_id is None:
        return GeneralConsultation.objects.none(), Consultation.objects.none()
    general = GeneralConsultation.objects.filter(
        organisation_id=user.organisation_id, consulted_on=held_on
    ).order_by("created_at")
    named = (
        Consultation.objects.filter(consulted_on=held_on, case__in=cases_visible_to(user=user))
        .select_related("case")
        .order_by("created_at")
    )
    return general, named


def courses_visible_to(*, user: User) -> QuerySet[TrainingCourse]:
    """Return the training courses of user's organisation, newest first."""
    if not is_case_staff(user) or user.organisation_id is None:
        return TrainingCourse.objects.none()
    return TrainingCourse.objects.filter(organisation_id=user.organisation_id).order_by(
        "-starts_on", "-cohort"
    )


def trainees_of(*, course: TrainingCourse) -> QuerySet[Trainee]:
    """Return course's trainees with how many sessions each attended."""
    return course.trainees.annotate(attended=Count("attendances")).order_by("created_at")


def register_of(*, user: User) -> QuerySet[Trainee]:
    """Return the register of citizen guardians of user's organisation (completed, registered)."""
    if not is_case_staff(user) or user.organisation_id is None:
        return Trainee.objects.none()
    return (
        Trainee.objects.filter(
            course__organisation_id=user.organisation_id, registered_on__isnull=False
        )
        .select_related("course", "professional")
        .order_by("-registered_on")
    )


def trainee_get_for(*, user: User, trainee_id: object) -> Trainee | None:
    """One trainee of a course of user's organisation, or None (missing and not yours alike)."""
    try:
        pk = uuid.UUID(str(trainee_id))
    except ValueError:
        return None
    return (
        Trainee.objects.filter(pk=pk, course__in=courses_visible_to(user=user))
        .select_related("course", "professional")
        .first()
    )
