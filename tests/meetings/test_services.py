"""Meeting services: what they record, what they refuse, and that nothing is saved then."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from advocacy.access import services as access
from advocacy.access.models import CaseShare
from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.meetings import services
from advocacy.meetings.models import AgendaItem, FollowUp, Meeting, MeetingShare, Member
from tests import factories
from tests.meetings.conftest import add_outside, make_meeting, today

pytestmark = pytest.mark.django_db


def _actions():
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


def test_a_meeting_is_created_for_the_actors_organisation_and_audited(worker):
    meeting = make_meeting(worker)

    assert meeting.organisation_id == worker.organisation_id
    assert Action.MEETING_CREATED in _actions()


def test_only_staff_create_meetings(outside, users_by_role):
    for user in (outside, users_by_role["professional"], users_by_role["committee_member"]):
        with pytest.raises(PermissionDenied):
            make_meeting(user)
    assert not Meeting.objects.exists()


def test_a_meeting_dated_before_its_agenda_was_sent_is_refused_and_nothing_saved(worker):
    with pytest.raises(ValidationError) as error:
        make_meeting(worker, held_on=today(), agenda_sent_on=today() + datetime.timedelta(days=1))

    assert services.ERR_AGENDA_AFTER_MEETING in error.value.messages
    assert not Meeting.objects.exists()


def test_moving_the_meeting_before_its_agenda_is_refused_and_the_date_stays(worker):
    meeting = make_meeting(worker, agenda_sent_on=today())

    with pytest.raises(ValidationError):
        services.meeting_update(
            actor=worker,
            meeting=meeting,
            values={"held_on": today() - datetime.timedelta(days=3)},
        )

    assert Meeting.objects.get(pk=meeting.pk).held_on == today()


def test_an_outside_member_of_a_support_meeting_needs_a_pledge(worker, outside):
    meeting = make_meeting(worker)

    with pytest.raises(ValidationError) as error:
        add_outside(worker, meeting, outside, pledged=False)

    assert services.ERR_NO_PLEDGE in error.value.messages
    assert not Member.objects.exists()
    member = add_outside(worker, meeting, outside)
    assert member.has_pledged
    assert Action.MEETING_PLEDGE_RECORDED in _actions()
    assert Action.MEETING_MEMBER_ADDED in _actions()


def test_an_outside_member_of_another_kind_of_meeting_needs_no_pledge(worker, outside):
    meeting = make_meeting(worker, kind=Meeting.Kind.COORDINATION)

    member = add_outside(worker, meeting, outside, pledged=False)

    assert not member.has_pledged


def test_staff_cannot_be_added_as_an_outside_member(worker, users_by_role):
    meeting = make_meeting(worker)
    colleague = users_by_role["council_caseworker"]

    with pytest.raises(ValidationError):
        add_outside(worker, meeting, colleague)


def test_attendance_is_recorded(worker, outside):
    meeting = make_meeting(worker)
    member = add_outside(worker, meeting, outside)
    staff = services.member_add(actor=worker, meeting=meeting, values={"user": worker})

    services.attendance_record(actor=worker, meeting=meeting, present={str(member.pk)})

    assert Member.objects.get(pk=member.pk).attended is True
    assert Member.objects.get(pk=staff.pk).attended is False
    assert Action.MEETING_ATTENDANCE_RECORDED in _actions()


def test_minutes_are_encrypted_under_the_cases_person(worker):
    case = factories.case_for(worker)
    meeting = make_meeting(worker)
    services.item_add(actor=worker, meeting=meeting, case=case, briefing="架空の協議事項")
    canary = "議事録カナリア文字列"

    services.item_minutes_record(
        actor=worker, meeting=meeting, case=case, values={"minutes": canary}
    )

    item = AgendaItem.objects.get(meeting=meeting)
    assert item.minutes == canary
    assert item.person_id == case.person_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT minutes FROM meetings_agendaitem")
        (raw,) = cursor.fetchone()
    assert canary.encode() not in (raw.encode() if isinstance(raw, str) else bytes(raw))
    assert Action.MEETING_MINUTES_RECORDED in _actions()
    assert Action.MEETING_ITEM_ADDED in _actions()
    assert not any(canary in (e.reason or "") for e in AuditEvent.objects.all())


def test_minutes_for_a_case_not_on_the_agenda_are_refused_and_nothing_saved(worker):
    on_agenda = factories.case_for(worker)
    other = factories.case_for(worker, name="試験 次郎", kana="しけん じろう")
    meeting = make_meeting(worker)
    services.item_add(actor=worker, meeting=meeting, case=on_agenda)

    with pytest.raises(ValidationError) as error:
        services.item_minutes_record(
            actor=worker, meeting=meeting, case=other, values={"minutes": "架空の議事"}
        )

    assert services.ERR_NOT_ON_AGENDA in error.value.messages
    assert AgendaItem.objects.get().minutes == ""
    assert not AgendaItem.objects.filter(case=other).exists()


def test_no_case_goes_on_the_committees_agenda(worker):
    case = factories.case_for(worker)
    meeting = make_meeting(worker, kind=Meeting.Kind.COMMITTEE)

    with pytest.raises(ValidationError):
        services.item_add(actor=worker, meeting=meeting, case=case)
    assert not AgendaItem.objects.exists()


def test_the_committees_minutes_refuse_personal_looking_words(worker):
    meeting = make_meeting(worker, kind=Meeting.Kind.COMMITTEE)

    with pytest.raises(ValidationError):
        services.meeting_summary_save(
            actor=worker, meeting=meeting, summary="連絡先は 090-1234-5678 です。"
        )
    assert Meeting.objects.get(pk=meeting.pk).summary == ""

    services.meeting_summary_save(
        actor=worker, meeting=meeting, summary="年度の相談件数の報告を受け、広報の方針を協議した。"
    )
    assert Meeting.objects.get(pk=meeting.pk).summary.startswith("年度の相談件数")
    assert AuditEvent.objects.filter(action=Action.MEETING_UPDATED, reason="summary").exists()


def test_a_follow_up_with_no_owner_is_refused_and_nothing_saved(worker):
    case = factories.case_for(worker)
    meeting = make_meeting(worker)
    services.item_add(actor=worker, meeting=meeting, case=case)

    with pytest.raises(ValidationError) as error:
        services.follow_up_add(
            actor=worker,
            meeting=meeting,
            case=case,
            action="架空の対応",
            owner=None,
            due_on=today(),
        )

    assert services.ERR_NO_OWNER in error.value.messages
    assert not FollowUp.objects.exists()


def test_the_generic_share_refuses_the_support_meeting_basis(worker, council):
    case = factories.case_for(worker)

    with pytest.raises(ValidationError) as error:
        access.share_with_organisation(
            actor=worker,
            case=case,
            organisation=council,
            basis=CaseShare.Basis.SUPPORT_MEETING,
            reason="架空の理由",
        )

    assert access.ERR_MEETING_BASIS in error.value.messages
    assert not CaseShare.objects.exists()


def test_a_support_meeting_share_points_to_its_meeting(worker, council, users_by_role):
    case = factories.case_for(worker)
    meeting = make_meeting(worker)
    services.item_add(actor=worker, meeting=meeting, case=case)
    services.member_add(
        actor=worker, meeting=meeting, values={"user": users_by_role["council_caseworker"]}
    )

    share = services.meeting_case_share(
        actor=worker, meeting=meeting, case=case, organisation=council, reason="支援会議で決定"
    )

    assert share.basis == CaseShare.Basis.SUPPORT_MEETING
    assert MeetingShare.objects.get(share=share).meeting == meeting
    assert AuditEvent.objects.filter(action=Action.CASE_SHARED).exists()


def test_a_meeting_share_needs_the_case_on_a_support_meetings_agenda(
    worker, council, users_by_role
):
    case = factories.case_for(worker)
    regular = make_meeting(worker, kind=Meeting.Kind.REGULAR)
    services.item_add(actor=worker, meeting=regular, case=case)
    support = make_meeting(worker)
    for meeting in (regular, support):
        services.member_add(
            actor=worker, meeting=meeting, values={"user": users_by_role["council_caseworker"]}
        )

    for meeting in (regular, support):
        with pytest.raises(ValidationError):
            services.meeting_case_share(
                actor=worker, meeting=meeting, case=case, organisation=council, reason="架空"
            )
    assert not CaseShare.objects.exists()


def test_a_case_the_actor_may_not_open_cannot_go_on_the_agenda(worker, users_by_role):
    theirs = factories.case_for(users_by_role["council_caseworker"])
    meeting = make_meeting(worker)

    with pytest.raises(PermissionDenied):
        services.item_add(actor=worker, meeting=meeting, case=theirs)
    assert not AgendaItem.objects.exists()


def test_another_organisations_staff_cannot_write_to_the_meeting(worker, users_by_role):
    meeting = make_meeting(worker)
    other = users_by_role["council_supervisor"]
    theirs = factories.case_for(other)

    with pytest.raises(PermissionDenied):
        services.item_add(actor=other, meeting=meeting, case=theirs)
    with pytest.raises(PermissionDenied):
        services.meeting_update(actor=other, meeting=meeting, values={"place": "別室"})
    assert not AgendaItem.objects.exists()
    assert Meeting.objects.get(pk=meeting.pk).place == "市役所 第3会議室"


def test_a_colleague_who_may_not_open_the_case_cannot_record_its_minutes(worker, city):
    colleague = factories.user(Role.CITY_CASEWORKER, organisation=city)
    case = factories.case_for(worker)
    meeting = make_meeting(worker)
    services.item_add(actor=worker, meeting=meeting, case=case)

    with pytest.raises(PermissionDenied):
        services.item_minutes_record(
            actor=colleague, meeting=meeting, case=case, values={"minutes": "架空"}
        )
    assert AgendaItem.objects.get().minutes == ""
