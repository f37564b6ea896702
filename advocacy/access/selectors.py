"""Which cases a user may see, decided in SQL in one place."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet
from django.http import Http404

from advocacy.access.roles import has_role, is_case_staff, supervises
from advocacy.accounts.models import User
from advocacy.accounts.roles import Role
from advocacy.cases.models import Case, CaseShare, CaseUserObjectPermission

VIEW = "view_case"
CHANGE = "change_case"
VIEW_FINANCES = "view_case_finances"
VIEW_HEALTH = "view_case_health"
VIEW_AS_GUARDIAN = "view_case_as_guardian"


def _granted_ids(user: User, codename: str) -> QuerySet:
    """Ids of the user's own organisation's cases granted to them with codename."""
    return CaseUserObjectPermission.objects.filter(
        user_id=user.pk,
        permission__codename=codename,
        content_object__organisation_id=user.organisation_id,
    ).values("content_object_id")


def _shared_ids(organisation_id: uuid.UUID) -> QuerySet:
    return CaseShare.objects.filter(
        organisation_id=organisation_id, revoked_at__isnull=True
    ).values("case_id")


def cases_visible_to(*, user: User) -> QuerySet[Case]:
    """Return the cases user may open as staff: one SQL filter, never a Python loop.

    Staff see their organisation's cases granted to them and cases shared with their
    organisation; supervisors see all of their organisation's. Professionals, committee
    members and administrators see none here (professionals reach theirs through the portal).
    For a caseworker the visible ids are a UNION of two small indexed sets (grants, shares),
    so the database never walks the organisation's cases testing each for a grant; for a
    supervisor a plain filter on the organisation is cheaper than gathering its ids.
    """
    if not is_case_staff(user):
        return Case.objects.none()
    organisation_id = user.organisation_id
    shared = _shared_ids(organisation_id)
    if has_role(user, Role.SUPERVISOR):
        return Case.objects.filter(Q(organisation_id=organisation_id) | Q(pk__in=shared))
    return Case.objects.filter(pk__in=_granted_ids(user, VIEW).union(shared, all=True))


def case_get_for(*, user: User, case_id: object) -> Case:
    """Return the case if user may see it; the same 404 whether it is missing or not theirs."""
    try:
        case_uuid = uuid.UUID(str(case_id))
    except ValueError:
        raise Http404 from None
    case = (
        cases_visible_to(user=user)
        .select_related("person", "organisation", "assigned_worker")
        .filter(pk=case_uuid)
        .first()
    )
    if case is None:
        raise Http404
    return case


def _contracted_to(user: User, case: Case) -> bool:
    """Whether case is shared with user's organisation to do the work under contract."""
    return CaseShare.objects.filter(
        case_id=case.pk,
        organisation_id=user.organisation_id,
        basis=CaseShare.Basis.CONTRACT,
        revoked_at__isnull=True,
    ).exists()


def permissions_on(*, user: User, case: Case) -> frozenset[str]:
    """Return the codenames user holds on case."""
    granted = set(
        CaseUserObjectPermission.objects.filter(
            user_id=user.pk, content_object_id=case.pk
        ).values_list("permission__codename", flat=True)
    )
    if supervises(user, case):
        # Supervisors oversee every case of their organisation, finances and health included.
        granted |= {VIEW, CHANGE, VIEW_FINANCES, VIEW_HEALTH}
    elif is_case_staff(user) and _contracted_to(user, case):
        # The Council doing the city's core-agency work under contract records the steps.
        granted |= {VIEW, CHANGE}
    return frozenset(granted)


def can_change(*, user: User, case: Case) -> bool:
    """Return whether user may edit case: its organisation's staff with change (or the
    contractor it is shared with), while the case is open."""
    if case.is_closed or not is_case_staff(user):
        return False
    if case.organisation_id != user.organisation_id and not _contracted_to(user, case):
        return False
    return CHANGE in permissions_on(user=user, case=case)
