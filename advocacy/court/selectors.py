"""Reads of the court's side, each filtered in SQL by the existing visibility rules."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from advocacy.accounts.models import User
from advocacy.accounts.roles import Role, has_role
from advocacy.cases.models import Case, Petition, Subsidy
from advocacy.cases.selectors import cases_visible_to
from advocacy.portal.selectors import guardian_cases_for

from .models import Flag, Obligation, ReportingPlan, SubsidyAssessment


def _uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def obligations_of(*, case: Case) -> QuerySet[Obligation]:
    return Obligation.objects.filter(case=case).order_by("submitted_on", "due_on", "kind")


def has_petition(*, case: Case) -> bool:
    return Petition.objects.filter(case=case).exists()


def plan_of(*, case: Case) -> ReportingPlan | None:
    return ReportingPlan.objects.filter(case=case).first()


def obligations_due_for_guardian(*, user: User) -> QuerySet[Obligation]:
    """The open obligations of the cases user is guardian of, soonest first."""
    return (
        Obligation.objects.filter(
            case__in=guardian_cases_for(user=user).values("pk"),
            submitted_on__isnull=True,
            case__closed_on__isnull=True,
        )
        .select_related("case")
        .order_by("due_on", "pk")
    )


def guardian_obligation_get(*, user: User, obligation_id: object) -> Obligation:
    """One obligation of a case user is guardian of; the same 404 for missing and not yours."""
    obligation = (
        Obligation.objects.filter(case__in=guardian_cases_for(user=user).values("pk"))
        .select_related("case")
        .filter(pk=_uuid(obligation_id))
        .first()
    )
    if obligation is None:
        raise Http404
    return obligation


def staff_obligation_get(*, user: User, obligation_id: object) -> Obligation:
    obligation = (
        Obligation.objects.filter(case__in=cases_visible_to(user=user).values("pk"))
        .select_related("case")
        .filter(pk=_uuid(obligation_id))
        .first()
    )
    if obligation is None:
        raise Http404
    return obligation


def flags_of(*, case: Case) -> QuerySet[Flag]:
    return Flag.objects.filter(case=case).order_by("cleared_on", "-raised_on")


def open_flags_for_supervisor(*, user: User) -> QuerySet[Flag]:
    """Open flags of the cases of user's organisation that user sees (supervisors only)."""
    if not has_role(user, Role.SUPERVISOR) or user.organisation_id is None:
        return Flag.objects.none()
    return (
        Flag.objects.filter(
            cleared_on__isnull=True,
            case__in=cases_visible_to(user=user)
            .filter(organisation_id=user.organisation_id)
            .values("pk"),
        )
        .select_related("case")
        .order_by("-raised_on", "pk")
    )


def flag_get_for_supervisor(*, user: User, flag_id: object) -> Flag:
    flag = open_flags_for_supervisor(user=user).filter(pk=_uuid(flag_id)).first()
    if flag is None:
        raise Http404
    return flag


def subsidy_applications_of(*, case: Case) -> QuerySet[Subsidy]:
    """The case's subsidy applications, newest first, each with its computation if any."""
    return (
        Subsidy.objects.filter(case=case)
        .select_related("assessment__rule")
        .order_by("-applied_on", "-created_at")
    )


def assessment_of(application: Subsidy) -> SubsidyAssessment | None:
    """The application's computation, or None (the reverse one-to-one raises when absent)."""
    try:
        return application.assessment
    except SubsidyAssessment.DoesNotExist:
        return None


def subsidy_application_get(*, case: Case, application_id: object) -> Subsidy:
    """One application of case; the same 404 for missing and another case's."""
    application = subsidy_applications_of(case=case).filter(pk=_uuid(application_id)).first()
    if application is None:
        raise Http404
    return application
