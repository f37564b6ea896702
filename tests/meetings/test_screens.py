"""The staff screens of meetings, walked through the URLs: what they show, what they refuse."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from advocacy.access import services as access
from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.dates import fiscal_year_of
from advocacy.meetings import services
from advocacy.meetings.models import SECRECY_NOTICE, AgendaItem, Meeting, Member
from advocacy.meetings.selectors import MEETINGS_PER_PAGE
from tests import factories
from tests.meetings.conftest import add_outside, login, make_meeting, today

pytestmark = pytest.mark.django_db


def _client(user):
    return login(Client(), user)


def test_the_list_pages_the_organisations_meetings_only(worker, users_by_role):
    for day in range(MEETINGS_PER_PAGE + 2):
        make_meeting(worker, held_on=today() - datetime.timedelta(days=day))
    make_meeting(users_by_role["council_caseworker"])

    first = _client(worker).get("/app/meetings/")
    second = _client(worker).get("/app/meetings/?page=2")

    assert first.status_code == 200
    assert len(first.context["rows"]) == MEETINGS_PER_PAGE
    assert len(second.context["rows"]) == 2
    assert first.context["page"].paginator.count == MEETINGS_PER_PAGE + 2


def test_a_meeting_is_created_from_the_form(worker):
    response = _client(worker).post(
        "/app/meetings/new/",
        {
            "kind": "support",
            "held_on": today().isoformat(),
            "place": "第1会議室",
            "chair": worker.pk,
        },
    )

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response.url == f"/app/meetings/{meeting.pk}/"
    assert meeting.kind == Meeting.Kind.SUPPORT


def test_the_form_refuses_a_meeting_dated_before_its_agenda_and_saves_nothing(worker):
    response = _client(worker).post(
        "/app/meetings/new/",
        {
            "kind": "support",
            "held_on": today().isoformat(),
            "agenda_sent_on": (today() + datetime.timedelta(days=2)).isoformat(),
        },
    )

    assert response.status_code == 422
    assert str(services.ERR_AGENDA_AFTER_MEETING) in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_meeting_page_shows_members_agenda_and_the_secrecy_notice(worker, outside):
    case = factories.case_for(worker, name="議題 花子")
    meeting = make_meeting(worker)
    add_outside(worker, meeting, outside)
    services.item_add(actor=worker, meeting=meeting, case=case, briefing="架空の協議事項")

    response = _client(worker).get(f"/app/meetings/{meeting.pk}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert str(SECRECY_NOTICE) in body
    assert "議題 花子" in body and "架空の協議事項" in body
    assert "架空居宅介護支援事業所" in body
    assert AuditEvent.objects.filter(action=Action.MEETING_VIEWED, object_id=str(case.pk)).exists()


def test_a_member_without_a_pledge_is_refused_on_the_form(worker, outside):
    meeting = make_meeting(worker)

    response = _client(worker).post(
        f"/app/meetings/{meeting.pk}/members/",
        {
            "is_outside": "on",
            "user": outside.pk,
            "organisation_name": "架空相談支援事業所",
            "organisation_type": "disability_consultation",
        },
    )

    assert response.status_code == 422
    assert str(services.ERR_NO_PLEDGE) in response.content.decode()
    assert not Member.objects.exists()


def test_attendance_and_agenda_through_the_page(worker, outside):
    case = factories.case_for(worker)
    meeting = make_meeting(worker)
    member = add_outside(worker, meeting, outside)
    client = _client(worker)

    client.post(f"/app/meetings/{meeting.pk}/attendance/", {"present": [str(member.pk)]})
    client.post(f"/app/meetings/{meeting.pk}/items/", {"case_number": case.number})

    assert Member.objects.get(pk=member.pk).attended is True
    assert AgendaItem.objects.get(meeting=meeting).case == case


def test_another_organisations_case_cannot_be_put_on_the_agenda(worker, users_by_role):
    theirs = factories.case_for(users_by_role["council_caseworker"])
    meeting = make_meeting(worker)

    response = _client(worker).post(
        f"/app/meetings/{meeting.pk}/items/", {"case_number": theirs.number}
    )

    assert response.status_code == 422
    assert not AgendaItem.objects.exists()


def test_another_organisations_staff_get_a_404_for_the_meeting(worker, users_by_role):
    meeting = make_meeting(worker)
    other = _client(users_by_role["council_caseworker"])

    for path in ("", "print/", "edit/"):
        response = (other.post if path == "edit/" else other.get)(
            f"/app/meetings/{meeting.pk}/{path}"
        )
        assert response.status_code == 404, path


def test_roles_other_than_staff_get_a_403(worker, users_by_role):
    meeting = make_meeting(worker)
    for role in ("professional", "committee_member", "system_admin"):
        client = _client(users_by_role[role])
        assert client.get("/app/meetings/").status_code == 403, role
        assert client.get(f"/app/meetings/{meeting.pk}/").status_code == 403, role


def test_a_colleague_who_may_not_open_an_agenda_case_does_not_see_it(worker, city):
    colleague = factories.user(Role.CITY_CASEWORKER, organisation=city)
    hidden = factories.case_for(worker, name="非公開 花子")
    meeting = make_meeting(worker)
    services.item_add(actor=worker, meeting=meeting, case=hidden, briefing="非公開の協議事項")

    page = _client(colleague).get(f"/app/meetings/{meeting.pk}/")
    minutes = _client(colleague).get(f"/app/meetings/{meeting.pk}/cases/{hidden.pk}/minutes/")
    printed = _client(colleague).get(f"/app/meetings/{meeting.pk}/print/")

    assert page.status_code == 200
    assert page.context["hidden_items"] == 1
    for response in (page, printed):
        assert "非公開 花子" not in response.content.decode()
        assert "非公開の協議事項" not in response.content.decode()
    assert minutes.status_code == 404


def test_minutes_for_a_case_not_on_the_agenda_show_the_message_and_save_nothing(worker):
    on_agenda = factories.case_for(worker)
    other = factories.case_for(worker, name="試験 次郎", kana="しけん じろう")
    meeting = make_meeting(worker)
    services.item_add(actor=worker, meeting=meeting, case=on_agenda)
    path = f"/app/meetings/{meeting.pk}/cases/{other.pk}/minutes/"

    shown = _client(worker).get(path)
    posted = _client(worker).post(path, {"minutes": "架空の議事録"})

    for response in (shown, posted):
        assert response.status_code == 422
        assert str(services.ERR_NOT_ON_AGENDA) in response.content.decode()
    assert not AgendaItem.objects.filter(case=other).exists()
    assert AgendaItem.objects.get().minutes == ""


def test_the_printed_papers_carry_the_notice_and_the_era_date(worker):
    case = factories.case_for(worker)
    meeting = make_meeting(worker, held_on=datetime.date(2026, 11, 20))
    services.item_add(actor=worker, meeting=meeting, case=case)
    regular = make_meeting(worker, kind=Meeting.Kind.REGULAR)

    printed = _client(worker).get(f"/app/meetings/{meeting.pk}/print/").content.decode()
    plain = _client(worker).get(f"/app/meetings/{regular.pk}/print/").content.decode()

    assert 'class="secrecy-running"' in printed
    assert str(SECRECY_NOTICE) in printed
    assert "令和8年11月20日" in printed
    assert str(SECRECY_NOTICE) not in plain


def test_the_regular_meeting_proposes_open_cases_due_for_review(worker, settings):
    settings.ADVOCACY_REVIEW_NO_CONTACT_MONTHS = 3
    quiet = factories.case_for(worker, consulted_on=today() - datetime.timedelta(days=200))
    recent = factories.case_for(
        worker, name="試験 次郎", kana="しけん じろう", consulted_on=today()
    )
    meeting = make_meeting(worker, kind=Meeting.Kind.REGULAR)

    proposed = list(_client(worker).get(f"/app/meetings/{meeting.pk}/").context["proposed"])

    assert quiet in proposed
    assert recent not in proposed


def test_the_support_meeting_share_from_the_page(worker, council, users_by_role):
    case = factories.case_for(worker)
    meeting = make_meeting(worker)
    services.item_add(actor=worker, meeting=meeting, case=case)
    services.member_add(
        actor=worker, meeting=meeting, values={"user": users_by_role["council_caseworker"]}
    )

    response = _client(worker).post(
        f"/app/meetings/{meeting.pk}/shares/",
        {"case": str(case.pk), "organisation": str(council.pk), "reason": "支援会議で共有"},
    )

    assert response.status_code == 302
    assert access.CaseShare.objects.get().meeting_link.meeting == meeting


def test_the_committees_meeting_shows_the_release_it_had(worker, supervisor):
    from advocacy.stats.services import report_release

    release = report_release(
        actor=supervisor, fiscal_year=fiscal_year_of(today()), kind="before_committee"
    )
    meeting = make_meeting(worker, kind=Meeting.Kind.COMMITTEE)
    earlier = make_meeting(
        worker, kind=Meeting.Kind.COMMITTEE, held_on=today() - datetime.timedelta(days=400)
    )

    shown = _client(worker).get(f"/app/meetings/{meeting.pk}/").content.decode()
    before = _client(worker).get(f"/app/meetings/{earlier.pk}/").content.decode()

    assert f'data-release="{release.pk}"' in shown
    assert 'data-testid="meeting-release"' in before
    assert f'data-release="{release.pk}"' not in before
