"""Which cases a user may see and what they may do there, decided in SQL in one place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q, QuerySet

from advocacy.access.models import CaseShare, CaseUserObjectPermission
from advocacy.access.roles import supervises
from advocacy.accounts.roles import Role, has_role, is_case_staff
from advocacy.statements import Statement

if TYPE_CHECKING:
    import uuid

    from advocacy.accounts.models import User
    from advocacy.cases.models import Case

VIEW = "view_case"
CHANGE = "change_case"
VIEW_FINANCES = "view_case_finances"
VIEW_HEALTH = "view_case_health"
VIEW_AS_GUARDIAN = "view_case_as_guardian"


def _granted_ids(
    user: User, organisation_id: uuid.UUID, codename: str
) -> QuerySet[CaseUserObjectPermission, Mapping[str, object]]:
    """Ids of the user's own organisation's cases granted to them with codename."""
    return CaseUserObjectPermission.objects.filter(
        user_id=user.pk,
        permission__codename=codename,
        content_object__organisation_id=organisation_id,
    ).values("content_object_id")


def _shared_ids(organisation_id: uuid.UUID) -> QuerySet[CaseShare, Mapping[str, object]]:
    return CaseShare.objects.filter(
        organisation_id=organisation_id, revoked_at__isnull=True
    ).values("case_id")


def case_visibility(*, user: User) -> Q:
    """Return the condition on a case row that user may open it as staff.

    The one rule of who sees a case (``advocacy.cases.selectors.cases_visible_to`` applies
    it): staff see their organisation's cases granted to them and cases shared with their
    organisation; supervisors see all of their organisation's. Professionals, committee
    members and administrators see none here (professionals reach theirs through the portal).
    For a caseworker the visible ids are a UNION of two small indexed sets (grants, shares),
    so the database never walks the organisation's cases testing each for a grant; for a
    supervisor a plain filter on the organisation is cheaper than gathering its ids.
    """
    parts = case_visibility_parts(user=user)
    if not parts:
        return Q(pk__in=[])
    condition = parts[0]
    for part in parts[1:]:
        condition |= part
    return condition


def case_visibility_parts(*, user: User) -> list[Q]:
    """Return the same rule as conditions that never match the same case, each one index.

    Their OR is ``case_visibility``. A list read in order reads each part as an index range
    with a LIMIT and merges them (``cases.selectors.case_list_page``): an OR in one query
    made PostgreSQL gather and sort all of a supervisor's 100,000 cases for 25 of them.
    A supervisor's part are the organisation's own cases and those shared with it (shares go
    to other organisations, so the two never meet); a caseworker's is one small set of ids.
    """
    parts = case_visibility_part_count(user=user)
    organisation_id = user.organisation_id
    if not parts or organisation_id is None:  # (no organisation counts 0 parts)
        return []
    shared = _shared_ids(organisation_id)
    if parts == 2:  # a supervisor
        return [Q(organisation_id=organisation_id), Q(pk__in=shared)]
    return [Q(pk__in=_granted_ids(user, organisation_id, VIEW).union(shared, all=True))]


def case_visibility_part_count(*, user: User) -> int:
    """Return len(case_visibility_parts(user=user)) without building them (a list reads it
    before each page's cached lanes): 0 for who sees no case, 2 for a supervisor."""
    if not is_case_staff(user) or user.organisation_id is None:
        return 0
    return 2 if has_role(user, Role.SUPERVISOR) else 1


def case_visibility_probe(*, user: User, case: str = "case") -> Q:
    """Return the same rule for rows whose ``case`` path is a foreign key to a case.

    Written as correlated EXISTS probes on the grant and share indexes, so that a query of
    tasks starts from its own index (a tab's range, one task) and stops at its LIMIT,
    instead of first gathering every case the user may see. Callers check ``is_case_staff``.
    """
    organisation_id = user.organisation_id
    if organisation_id is None or not user.is_active:  # not staff (or no longer): no case
        return Q(pk__in=[])
    shared = Exists(
        CaseShare.objects.filter(
            case_id=OuterRef(case), organisation_id=organisation_id, revoked_at__isnull=True
        )
    )
    if has_role(user, Role.SUPERVISOR):
        return Q(**{f"{case}__organisation_id": organisation_id}) | Q(shared)
    # The probe is one index of the grant table, (user, permission, case), with the
    # permission given by id and the organisation checked on the row's own case: with
    # auth_permission and the case joined inside it, PostgreSQL hashed the probe over all of
    # the caseworker's grants before the first row (about 35 ms for 2,500 grants).
    granted = Exists(
        CaseUserObjectPermission.objects.filter(
            content_object_id=OuterRef(case),
            user_id=user.pk,
            permission_id=_view_permission_id(user),
        )
    )
    return (Q(**{f"{case}__organisation_id": organisation_id}) & Q(granted)) | Q(shared)


# The attribute of a user object where the probe keeps the permission's id (see below).
_VIEW_PERMISSION_CACHE = "_advocacy_view_permission_id"


def _view_permission_id(user: User) -> int:
    # Read once per request and kept on its user object, as the roles are (accounts.roles):
    # a task's URL asks twice (the guard, then the step's own check). Not kept in the module:
    # test databases are flushed and their permissions re-created with new ids.
    cached: int | None = getattr(user, _VIEW_PERMISSION_CACHE, None)
    if cached is None:
        cached = (
            Permission.objects.only("pk")
            .get(content_type__app_label="cases", content_type__model="case", codename=VIEW)
            .pk
        )
        setattr(user, _VIEW_PERMISSION_CACHE, cached)
    return cached


def _contract_build(
    *, case_id: uuid.UUID, organisation_id: uuid.UUID
) -> QuerySet[CaseShare, object]:
    return CaseShare.objects.filter(
        case_id=case_id,
        organisation_id=organisation_id,
        basis=CaseShare.Basis.CONTRACT,
        revoked_at__isnull=True,
    ).values_list("pk", flat=True)[:1]


def _granted_build(*, user_id: int, case_id: uuid.UUID) -> QuerySet[CaseUserObjectPermission, str]:
    return CaseUserObjectPermission.objects.filter(
        user_id=user_id, content_object_id=case_id
    ).values_list("permission__codename", flat=True)


# Asked on every case page and record screen: compiled once (advocacy.statements).
_CONTRACT = Statement(_contract_build)
_GRANTED = Statement(_granted_build)


def _contracted_to(user: User, case: Case) -> bool:
    """Whether case is shared with user's organisation to do the work under contract."""
    if user.organisation_id is None:
        return False
    return bool(_CONTRACT(case_id=case.pk, organisation_id=user.organisation_id))


def permissions_on(*, user: User, case: Case) -> frozenset[str]:
    """Return the codenames user holds on case (none for a deactivated account)."""
    if not user.is_active:
        # Deactivation revokes the grants (user_deactivate); a row left behind counts for nothing.
        return frozenset()
    granted = set(_GRANTED(user_id=user.pk, case_id=case.pk))
    if supervises(user, case):
        # Supervisors oversee every case of their organisation, finances and health included.
        granted |= {VIEW, CHANGE, VIEW_FINANCES, VIEW_HEALTH}
    elif is_case_staff(user) and _contracted_to(user, case):
        # The Council doing the city's core-agency work under contract records the steps.
        granted |= {VIEW, CHANGE}
    return frozenset(granted)


def grants_of(*, user: User) -> dict[uuid.UUID, frozenset[str]]:
    """Return the codenames granted to user on each case, as stored (active or not).

    For the services that take grants away (a handover, a deactivation): what there is to
    revoke, not what counts. Who may see what is ``case_visibility`` and ``permissions_on``.
    """
    held: dict[uuid.UUID, set[str]] = {}
    rows = CaseUserObjectPermission.objects.filter(user_id=user.pk).values_list(
        "content_object_id", "permission__codename"
    )
    for case_id, codename in rows:
        held.setdefault(case_id, set()).add(codename)
    return {case_id: frozenset(names) for case_id, names in held.items()}


def can_reopen(*, user: User, case: Case, held: frozenset[str] | None = None) -> bool:
    """Return whether user may reopen closed case: who could change it while it was open.

    held: what permissions_on(user=user, case=case) returned in this request, if it was asked.
    """
    if not case.is_closed or not is_case_staff(user):
        return False
    if case.organisation_id != user.organisation_id and not _contracted_to(user, case):
        return False
    return CHANGE in (permissions_on(user=user, case=case) if held is None else held)


def can_change(*, user: User, case: Case, held: frozenset[str] | None = None) -> bool:
    """Return whether user may edit case: its organisation's staff with change (or the
    contractor it is shared with), while the case is open.

    held: what permissions_on(user=user, case=case) returned in this request, if it was asked
    (a page that has already read the grants does not read them again).
    """
    if case.is_closed or not is_case_staff(user):
        return False
    if case.organisation_id != user.organisation_id and not _contracted_to(user, case):
        return False
    return CHANGE in (permissions_on(user=user, case=case) if held is None else held)
