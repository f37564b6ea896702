"""The only place where access to a case is granted, revoked or shared. Every change is audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm, remove_perm

from advocacy.access.models import CaseShare, CaseUserObjectPermission
from advocacy.access.selectors import (
    CHANGE,
    VIEW,
    VIEW_AS_GUARDIAN,
    VIEW_FINANCES,
    VIEW_HEALTH,
    permissions_on,
)
from advocacy.accounts.roles import Role, has_role, is_case_staff
from advocacy.audit.actions import Action
from advocacy.audit.services import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from advocacy.accounts.models import Organisation, User
    from advocacy.cases.models import Case

STAFF_PERMISSIONS = frozenset({VIEW, CHANGE, VIEW_FINANCES, VIEW_HEALTH})
GUARDIAN_PERMISSIONS = frozenset({VIEW_AS_GUARDIAN})

ERR_NO_REASON = _("理由を入力してください。")
ERR_NOT_MANAGER = _("このケースの権限を変更できるのは、担当組織のスーパーバイザーか担当者です。")
ERR_GRANTEE = _("権限を付与できるのは、担当組織の職員か受任した専門職だけです。")
ERR_UNKNOWN_PERMISSION = _("付与できない権限です。")
ERR_SAME_ORGANISATION = _("担当組織とは共有できません。")
ERR_MEETING_BASIS = _(
    "支援会議を根拠とする共有は、その支援会議の画面から、議題のケースについてだけ行えます。"
)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(ERR_NO_REASON)
    return reason


def _require_manager(actor: User | None, case: Case) -> None:
    if actor is None or not is_case_staff(actor) or actor.organisation_id != case.organisation_id:
        raise PermissionDenied(ERR_NOT_MANAGER)
    if has_role(actor, Role.SUPERVISOR) or CHANGE in permissions_on(user=actor, case=case):
        return
    raise PermissionDenied(ERR_NOT_MANAGER)


def _allowed_for(grantee: User, case: Case) -> frozenset[str]:
    if is_case_staff(grantee) and grantee.organisation_id == case.organisation_id:
        return STAFF_PERMISSIONS
    if has_role(grantee, Role.PROFESSIONAL):
        return GUARDIAN_PERMISSIONS
    raise ValidationError(ERR_GRANTEE)


@transaction.atomic
def grant(
    *,
    actor: User | None,
    case: Case,
    user: User,
    permissions: Iterable[str],
    reason: str,
    check_actor: bool = True,
) -> None:
    """Give user the named permissions on case.

    ``check_actor=False`` is for system steps (the creator's own grant, a professional's
    acceptance in the portal); the grant is audited all the same.
    """
    reason = _require_reason(reason)
    permissions = frozenset(permissions)
    if check_actor:
        _require_manager(actor, case)
    if not permissions <= _allowed_for(user, case):
        raise ValidationError(ERR_UNKNOWN_PERMISSION)
    for codename in sorted(permissions):
        assign_perm(f"cases.{codename}", user, case)
    audit_record(
        actor=actor,
        action=Action.ACCESS_GRANTED,
        obj=case,
        label=case.number,
        reason=f"{reason} [{user.pk}: {', '.join(sorted(permissions))}]",
    )


def grant_creator_many(*, actor: User, cases: Iterable[Case], reason: str) -> str:
    """Give the actor the staff permissions on many cases they have just opened (a bulk
    import), with one insert; return the text the caller's one event per case records.

    The same rows as ``grant`` of STAFF_PERMISSIONS with ``check_actor=False`` for each case;
    the audit event is the caller's (the import writes one event a case, decision 87).
    """
    reason = _require_reason(reason)
    cases = list(cases)
    if not cases:
        return ""
    for case in {c.organisation_id: c for c in cases}.values():
        if not STAFF_PERMISSIONS <= _allowed_for(actor, case):
            raise ValidationError(ERR_UNKNOWN_PERMISSION)
    permissions = list(
        Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(cases[0]),
            codename__in=STAFF_PERMISSIONS,
        ).order_by("codename")
    )
    CaseUserObjectPermission.objects.bulk_create(
        [
            CaseUserObjectPermission(permission=permission, user=actor, content_object=case)
            for case in cases
            for permission in permissions
        ]
    )
    return f"{reason} [{actor.pk}: {', '.join(sorted(STAFF_PERMISSIONS))}]"


@transaction.atomic
def revoke(
    *,
    actor: User | None,
    case: Case,
    user: User,
    permissions: Iterable[str] | None = None,
    reason: str,
    check_actor: bool = True,
) -> None:
    """Take permissions on case away from user (all of them when none are named)."""
    reason = _require_reason(reason)
    if check_actor:
        _require_manager(actor, case)
    names = (
        frozenset(permissions)
        if permissions is not None
        else STAFF_PERMISSIONS | (GUARDIAN_PERMISSIONS)
    )
    for codename in sorted(names):
        remove_perm(f"cases.{codename}", user, case)
    audit_record(
        actor=actor,
        action=Action.ACCESS_REVOKED,
        obj=case,
        label=case.number,
        reason=f"{reason} [{user.pk}: {', '.join(sorted(names))}]",
    )


@transaction.atomic
def share_with_organisation(
    *,
    actor: User,
    case: Case,
    organisation: Organisation,
    basis: str,
    reason: str,
    through_meeting: bool = False,
) -> CaseShare:
    """Let the staff of another organisation see case, on a recorded legal basis.

    A 支援会議 basis is refused here unless ``through_meeting``: only
    ``meetings.services.meeting_case_share`` passes it, and it links the share to its
    meeting in the same transaction (access sits below meetings and cannot name one).
    """
    reason = _require_reason(reason)
    if (basis == CaseShare.Basis.SUPPORT_MEETING) != through_meeting:
        raise ValidationError(ERR_MEETING_BASIS)
    _require_manager(actor, case)
    if organisation.pk == case.organisation_id:
        raise ValidationError(ERR_SAME_ORGANISATION)
    share = CaseShare.objects.filter(
        case=case, organisation=organisation, revoked_at__isnull=True
    ).first()
    if share is None:
        share = CaseShare(
            case=case,
            person_id=case.person_id,
            organisation=organisation,
            basis=basis,
            reason=reason,
            shared_by=actor,
        )
        share.full_clean()
        share.save()
    # The basis and the share, not the words: they are kept encrypted on the share.
    audit_record(
        actor=actor,
        action=Action.CASE_SHARED,
        obj=case,
        label=case.number,
        reason=f"share {share.pk} [{organisation.pk}: {basis}]",
    )
    return share


@transaction.atomic
def unshare(*, actor: User, case: Case, organisation: Organisation, reason: str) -> None:
    """End the sharing of case with organisation."""
    reason = _require_reason(reason)
    _require_manager(actor, case)
    CaseShare.objects.filter(case=case, organisation=organisation, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action=Action.CASE_UNSHARED,
        obj=case,
        label=case.number,
        reason=f"{reason} [{organisation.pk}]",
    )


def access_denied_record(
    *,
    actor: User | AnonymousUser,
    target: str | None,
    view_name: str,
    status: int,
    request: HttpRequest | None = None,
) -> None:
    """Record one refused request (only ``refusals.RefusalAuditMiddleware`` calls this).

    target is the what:id a view refused (missing and not yours look the same), else the
    refused screen's URL name; the reason says the answer and the URL name. Never the path's
    query string, the form's values or the page's words.
    """
    audit_record(
        actor=actor,
        action=Action.ACCESS_DENIED,
        label=(target or view_name)[:100],
        reason=f"{status} {view_name}".strip(),
        request=request,
    )
