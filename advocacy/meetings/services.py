"""Every write of a meeting: create, members and pledges, agenda, minutes, shares, follow-ups.

Each is atomic and audited inside its transaction; the outermost ones are durable. What a
meeting says about a case is encrypted under the case's person (models); the audit events
name the meeting, the case and the fields, never the words.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.access import services as access
from advocacy.access.models import CaseShare
from advocacy.access.selectors import can_change
from advocacy.accounts.models import Organisation, User
from advocacy.accounts.roles import Role, has_role, is_case_staff
from advocacy.audit.actions import Action
from advocacy.audit.services import audit_record
from advocacy.cases import services as cases
from advocacy.cases.models import Case, Decision
from advocacy.cases.personal_text import looks_personal
from advocacy.cases.selectors import cases_visible_to
from workflows import events
from workflows.meeting_follow_up.start import follow_up_start

from .models import AgendaItem, FollowUp, Meeting, MeetingShare, Member

ERR_NOT_ORGANISER = _("この会議を編集できるのは、主催組織の職員だけです。")
ERR_AGENDA_AFTER_MEETING = _(
    "開催日が次第の送付日より前になっています。開催日か送付日を直してください。"
)
ERR_NO_CASES = _(
    "ネットワーク委員会の議題にケースは載せられません（匿名化された統計だけを扱います）。"
)
ERR_CASE_NOT_VISIBLE = _("このケースを扱う権限がありません。")
ERR_ALREADY_ON_AGENDA = _("このケースはすでに議題にあります。")
ERR_NOT_ON_AGENDA = _("このケースはこの会議の議題にありません。議事録は保存されていません。")
ERR_NO_PLEDGE = _(
    "支援会議の外部の構成員は、守秘義務の誓約（誓約日と根拠）を記録してから加えてください。"
)
ERR_NOT_OUTSIDE_ROLE = _("この利用者は支援会議の外部構成員の役割を持っていません。")
ERR_STAFF_OUTSIDE = _("外部の構成員には、中核機関の職員以外の方を選んでください。")
ERR_NO_NAME = _("構成員の氏名か利用者を入れてください。")
ERR_MEMBER_TWICE = _("この利用者はすでに構成員です。")
ERR_MINUTES_BEFORE_MEETING = _("開催日より前に議事録は記録できません。")
ERR_DECISION_KIND = _("方針を決定できるのは支援調整会議・受任調整会議だけです。")
ERR_NO_REASONS = _("方針を決定するときは、決定の理由を入れてください。")
ERR_SHARE_KIND = _("支援会議を根拠とする共有は、支援会議の議題のケースについてだけできます。")
ERR_SHARE_NOT_ATTENDING = _("共有先の組織の職員がこの会議の構成員にいません。")
ERR_NO_OWNER = _("対応の担当者を選んでください。")
ERR_OWNER_NOT_STAFF = _("対応の担当者は、このケースを見られる中核機関の職員から選んでください。")
ERR_NO_DUE = _("対応の期限を入れてください。")
ERR_SUMMARY_KIND = _("議事の概要を記録できるのはネットワーク委員会だけです。")
ERR_SUMMARY_PERSONAL = _(
    "議事の概要に個人が特定されるおそれのある語（%(kinds)s）があります。"
    "委員会の議事録には個人情報を書けません。"
)


def _require_organiser(actor: User, meeting: Meeting | None = None) -> None:
    if not is_case_staff(actor) or actor.organisation_id is None:
        raise PermissionDenied(ERR_NOT_ORGANISER)
    if meeting is not None and meeting.organisation_id != actor.organisation_id:
        raise PermissionDenied(ERR_NOT_ORGANISER)


def _require_visible(actor: User, case: Case) -> None:
    # The one visibility rule: a meeting is no way round it to a case.
    if not cases_visible_to(user=actor).filter(pk=case.pk).exists():
        raise PermissionDenied(ERR_CASE_NOT_VISIBLE)


def _check_dates(meeting: Meeting) -> None:
    if meeting.agenda_sent_on and meeting.held_on and meeting.held_on < meeting.agenda_sent_on:
        raise ValidationError({"held_on": ERR_AGENDA_AFTER_MEETING})


def _save(meeting: Meeting) -> None:
    _check_dates(meeting)
    meeting.full_clean()
    meeting.save()


MEETING_FIELDS = ("kind", "held_on", "starts_at", "online", "place", "chair", "agenda_sent_on")


@transaction.atomic(durable=True)
def meeting_create(*, actor: User, values: Mapping[str, object]) -> Meeting:
    """Create a meeting of the actor's organisation (values: MEETING_FIELDS)."""
    _require_organiser(actor)
    meeting = Meeting(organisation=actor.organisation, created_by=actor)
    for name in MEETING_FIELDS:
        if name in values:
            setattr(meeting, name, values[name])
    _save(meeting)
    audit_record(actor=actor, action=Action.MEETING_CREATED, obj=meeting, label=meeting.kind)
    return meeting


@transaction.atomic(durable=True)
def meeting_update(*, actor: User, meeting: Meeting, values: Mapping[str, object]) -> Meeting:
    """Change a meeting's date, place, chair or the day its agenda was sent."""
    _require_organiser(actor, meeting)
    changed = sorted(name for name in values if name in MEETING_FIELDS and name != "kind")
    for name in changed:
        setattr(meeting, name, values[name])
    _save(meeting)
    audit_record(
        actor=actor,
        action=Action.MEETING_UPDATED,
        obj=meeting,
        label=meeting.kind,
        reason=",".join(changed),
    )
    return meeting


@transaction.atomic(durable=True)
def meeting_summary_save(*, actor: User, meeting: Meeting, summary: str) -> Meeting:
    """Save the committee's minutes, refused when they look personal (decision 69)."""
    _require_organiser(actor, meeting)
    if meeting.kind != Meeting.Kind.COMMITTEE:
        raise ValidationError(ERR_SUMMARY_KIND)
    kinds = looks_personal([summary], names=True)
    if kinds:
        raise ValidationError(
            {"summary": ERR_SUMMARY_PERSONAL % {"kinds": "、".join(str(k) for k in kinds)}}
        )
    meeting.summary = summary
    _save(meeting)
    audit_record(
        actor=actor,
        action=Action.MEETING_UPDATED,
        obj=meeting,
        label=meeting.kind,
        reason="summary",
    )
    return meeting


@transaction.atomic(durable=True)
def member_add(*, actor: User, meeting: Meeting, values: Mapping[str, object]) -> Member:
    """Add a member: staff of the agency, or an outside member with their organisation.

    An outside member of a 支援会議 is added only with their pledge of secrecy (date and
    basis): without it they would see the pack's personal data with no duty behind it.
    """
    _require_organiser(actor, meeting)
    member = Member(meeting=meeting)
    for name in (
        "user",
        "is_outside",
        "name",
        "organisation_name",
        "organisation_type",
        "title",
        "pledged_on",
        "pledge_basis",
    ):
        if name in values:
            setattr(member, name, values[name])
    user = member.user
    if user is None and not member.name.strip():
        raise ValidationError({"name": ERR_NO_NAME})
    if user is not None:
        if meeting.members.filter(user=user).exists():
            raise ValidationError({"user": ERR_MEMBER_TWICE})
        if member.is_outside and is_case_staff(user):
            raise ValidationError({"user": ERR_STAFF_OUTSIDE})
        if member.is_outside and not has_role(user, Role.MEETING_MEMBER):
            raise ValidationError({"user": ERR_NOT_OUTSIDE_ROLE})
    if not member.is_outside:
        member.organisation_type = Member.OrganisationType.AGENCY
        member.pledged_on, member.pledge_basis = None, ""
    elif meeting.is_support_meeting and not member.has_pledged:
        raise ValidationError({"pledged_on": ERR_NO_PLEDGE})
    member.full_clean()
    member.save()
    audit_record(
        actor=actor,
        action=Action.MEETING_MEMBER_ADDED,
        obj=meeting,
        label=meeting.kind,
        reason=f"member {member.pk} [{member.organisation_type}]",
    )
    if member.has_pledged:
        audit_record(
            actor=actor,
            action=Action.MEETING_PLEDGE_RECORDED,
            obj=meeting,
            label=meeting.kind,
            reason=f"member {member.pk} [{member.pledge_basis} {member.pledged_on}]",
        )
    return member


@transaction.atomic(durable=True)
def attendance_record(*, actor: User, meeting: Meeting, present: set[str]) -> int:
    """Record who attended: the members whose ids are in present, the others absent."""
    _require_organiser(actor, meeting)
    members = list(meeting.members.all())
    for member in members:
        member.attended = str(member.pk) in present
    Member.objects.bulk_update(members, ["attended"])
    audit_record(
        actor=actor,
        action=Action.MEETING_ATTENDANCE_RECORDED,
        obj=meeting,
        label=meeting.kind,
        reason=f"{sum(1 for m in members if m.attended)}/{len(members)}",
    )
    return len(members)


@transaction.atomic(durable=True)
def item_add(*, actor: User, meeting: Meeting, case: Case, briefing: str = "") -> AgendaItem:
    """Put case on the agenda: only a case actor may open (the one visibility rule)."""
    _require_organiser(actor, meeting)
    _require_visible(actor, case)
    if not meeting.has_cases:
        raise ValidationError(ERR_NO_CASES)
    if meeting.items.filter(case=case).exists():
        raise ValidationError(ERR_ALREADY_ON_AGENDA)
    item = AgendaItem(
        meeting=meeting,
        case=case,
        person_id=case.person_id,
        position=meeting.items.count() + 1,
        briefing=briefing,
    )
    item.full_clean()
    item.save()
    audit_record(
        actor=actor,
        action=Action.MEETING_ITEM_ADDED,
        obj=case,
        label=case.number,
        reason=f"meeting {meeting.pk}",
        fields_read=["AgendaItem.briefing"] if briefing else [],
    )
    return item


def _participants(meeting: Meeting) -> str:
    present = [m for m in meeting.members.select_related("user") if m.attended]
    return "、".join(
        f"{m.display_name}（{m.organisation_name or m.get_organisation_type_display()}）"
        for m in present
    ) or str(_("（出欠未記録）"))


@transaction.atomic(durable=True)
def item_minutes_record(
    *,
    actor: User,
    meeting: Meeting,
    case: Case,
    values: Mapping[str, Any],
) -> AgendaItem:
    """Record the minutes of case's item; a 支援調整会議's decision completes its conference.

    values: minutes, decision_text, reasons, and for a decision outcome, guardianship_type,
    petitioner_type. Refused for a case not on the agenda, before the meeting day, or a
    decision with no reasons; nothing is saved then.
    """
    _require_organiser(actor, meeting)
    _require_visible(actor, case)
    item = meeting.items.filter(case=case).first()
    if item is None:
        raise ValidationError(ERR_NOT_ON_AGENDA)
    if meeting.held_on > timezone.localdate():
        raise ValidationError(ERR_MINUTES_BEFORE_MEETING)
    for name in ("minutes", "decision_text", "reasons"):
        if name in values:
            setattr(item, name, values[name] or "")
    outcome = values.get("outcome") or ""
    if outcome:
        if meeting.kind != Meeting.Kind.COORDINATION:
            raise ValidationError(ERR_DECISION_KIND)
        if not item.reasons.strip():
            raise ValidationError({"reasons": ERR_NO_REASONS})
        decision = Decision(
            held_on=meeting.held_on,
            participants=_participants(meeting),
            outcome=outcome,
            guardianship_type=values.get("guardianship_type"),
            petitioner_type=values.get("petitioner_type") or "",
            reasons=item.reasons,
            advice=item.decision_text,
        )
        item.decision = cases.record_save(actor=actor, case=case, record=decision)
        events.conference_decided(case=case, decision=item.decision, actor=actor)
    item.minutes_recorded_at = timezone.now()
    item.full_clean()
    item.save()
    audit_record(
        actor=actor,
        action=Action.MEETING_MINUTES_RECORDED,
        obj=case,
        label=case.number,
        reason=f"meeting {meeting.pk}" + (f" [{outcome}]" if outcome else ""),
    )
    return item


@transaction.atomic(durable=True)
def meeting_case_share(
    *, actor: User, meeting: Meeting, case: Case, organisation: Organisation, reason: str
) -> CaseShare:
    """Share an agenda case of a 支援会議 with a member organisation, on the meeting's basis.

    The one way to a SUPPORT_MEETING share: the share (access) and its meeting (here) are
    written together.
    """
    _require_organiser(actor, meeting)
    if not meeting.is_support_meeting or not meeting.items.filter(case=case).exists():
        raise ValidationError(ERR_SHARE_KIND)
    if not meeting.members.filter(user__organisation=organisation, is_outside=False).exists():
        raise ValidationError(ERR_SHARE_NOT_ATTENDING)
    share = access.share_with_organisation(
        actor=actor,
        case=case,
        organisation=organisation,
        basis=CaseShare.Basis.SUPPORT_MEETING,
        reason=reason,
        through_meeting=True,
    )
    MeetingShare.objects.get_or_create(share=share, defaults={"meeting": meeting})
    return share


@transaction.atomic(durable=True)
def follow_up_add(
    *,
    actor: User,
    meeting: Meeting,
    case: Case,
    action: str,
    owner: User | None,
    due_on: datetime.date | None,
) -> FollowUp:
    """Record a follow-up a meeting decided; it waits in the owner's inbox until its day."""
    _require_organiser(actor, meeting)
    _require_visible(actor, case)
    item = meeting.items.filter(case=case).first()
    if item is None:
        raise ValidationError(ERR_NOT_ON_AGENDA)
    if owner is None:
        raise ValidationError({"owner": ERR_NO_OWNER})
    if not is_case_staff(owner) or not can_change(user=owner, case=case):
        raise ValidationError({"owner": ERR_OWNER_NOT_STAFF})
    if due_on is None:
        raise ValidationError({"due_on": ERR_NO_DUE})
    process = follow_up_start(actor=actor, case=case, owner=owner, due_on=due_on)
    follow_up = FollowUp(
        item=item,
        person_id=case.person_id,
        action=action,
        owner=owner,
        due_on=due_on,
        process=process,
    )
    follow_up.full_clean()
    follow_up.save()
    audit_record(
        actor=actor,
        action=Action.MEETING_FOLLOW_UP_ADDED,
        obj=case,
        label=case.number,
        reason=f"meeting {meeting.pk} [{owner.pk} {due_on}]",
    )
    return follow_up


# Reads of personal data leave an event too; the screens call these, never audit_record.


def meeting_view_record(
    *,
    actor: User,
    meeting: Meeting,
    items: list[AgendaItem],
    fields_read: list[str],
    request: HttpRequest | None = None,
) -> None:
    """Record that actor read a meeting's agenda and minutes: one event per case shown."""
    for item in items:
        audit_record(
            actor=actor,
            action=Action.MEETING_VIEWED,
            obj=item.case,
            label=item.case.number,
            reason=f"meeting {meeting.pk}",
            fields_read=fields_read,
            request=request,
        )
    if not items:
        audit_record(
            actor=actor,
            action=Action.MEETING_VIEWED,
            obj=meeting,
            label=meeting.kind,
            request=request,
        )


def pack_view_record(
    *,
    actor: User,
    meeting: Meeting,
    items: list[AgendaItem],
    fields_read: list[str],
    request: HttpRequest | None = None,
) -> None:
    """Record that an outside member read a 支援会議's pack: one event per case shown."""
    for item in items:
        audit_record(
            actor=actor,
            action=Action.MEETING_PACK_VIEWED,
            obj=item.case,
            label=item.case.number,
            reason=f"meeting {meeting.pk}",
            fields_read=fields_read,
            request=request,
        )
    if not items:
        audit_record(
            actor=actor,
            action=Action.MEETING_PACK_VIEWED,
            obj=meeting,
            label=meeting.kind,
            request=request,
        )
