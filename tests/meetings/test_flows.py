"""Meetings drive the flows, walked through the real URLs: one 支援調整会議 decides three cases
and their conference steps complete; a follow-up waits in its owner's inbox with its day;
the conference step cannot be completed by hand."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from viewflow.workflow.models import Task

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Decision
from advocacy.meetings.models import AgendaItem, FollowUp
from advocacy.reference.models import GuardianshipType
from tests import factories
from tests.workflows.conftest import Walker, open_names, open_task, post, url
from workflows.models import CaseTask
from workflows.selectors import tab_task_ids

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def default_workflow_settings(settings):
    settings.WORKFLOWS = {}


def _to_conference(walker, worker, case):
    walker.start(worker, case)
    walker.step(worker, case, "consultation", "intake")
    walker.step(worker, case, "consultation", "triage", {"outcome": "coordination"})
    walker.step(
        worker,
        case,
        "coordination",
        "documents",
        {"info_sheet_status": "received", "certificate_status": "received"},
    )
    walker.step(
        worker,
        case,
        "coordination",
        "assessment",
        {"assessed_on": timezone.localdate().isoformat(), "capacity_notes": "架空の所見"},
    )
    assert open_names(case, "coordination") == ["conference"]


@pytest.fixture
def three_cases(users_by_role):
    worker = users_by_role["city_caseworker"]
    walker = Walker()
    cases = [
        factories.case_for(worker, name=f"試験 {given}", kana=f"しけん {kana}")
        for given, kana in (("一郎", "いちろう"), ("二郎", "じろう"), ("三郎", "さぶろう"))
    ]
    for case in cases:
        _to_conference(walker, worker, case)
    return walker, worker, cases


def test_one_coordination_meeting_decides_three_cases_and_completes_their_conferences(
    three_cases,
):
    walker, worker, cases = three_cases
    kind = GuardianshipType.objects.get(code="guardianship")
    decisions = {
        cases[0]: {
            "outcome": "guardianship",
            "guardianship_type": kind.pk,
            "petitioner_type": "mayor",
        },
        cases[1]: {"outcome": "daily_life_support"},
        cases[2]: {"outcome": "voluntary"},
    }

    meeting_id = walker.conference(worker, decisions)

    assert AgendaItem.objects.filter(meeting_id=meeting_id).count() == 3
    assert open_names(cases[0], "coordination") == ["petitioner"]
    assert open_names(cases[1], "coordination") == ["less_restrictive"]
    assert open_names(cases[2], "coordination") == ["voluntary"]
    for case, values in decisions.items():
        decision = Decision.objects.get(case=case)
        assert decision.outcome == values["outcome"]
        assert decision.reasons == "架空の理由"
        item = AgendaItem.objects.get(meeting_id=meeting_id, case=case)
        assert item.decision == decision


def test_the_conference_step_cannot_be_completed_by_hand(three_cases):
    walker, worker, cases = three_cases
    task = open_task(cases[0], "coordination", "conference")
    client = walker.client(worker)

    response = client.post(url(task, "execute"), {"outcome": "no_action", "reasons": "架空"})

    assert response.status_code == 422
    assert "支援調整会議の議事録" in response.content.decode()
    assert open_names(cases[0], "coordination") == ["conference"]
    assert not Decision.objects.exists()


def test_a_decision_for_a_case_not_waiting_for_its_conference_is_refused(three_cases):
    walker, worker, cases = three_cases
    walker.conference(worker, {cases[0]: {"outcome": "voluntary"}})
    client = walker.client(worker)
    meeting_id = AgendaItem.objects.get(case=cases[0]).meeting_id
    second = walker.conference(worker, {cases[1]: {"outcome": "voluntary"}}, meeting_id=meeting_id)
    assert second == meeting_id

    # The first case decided already: a second decision finds no conference step open.
    response = client.post(
        f"/app/meetings/{meeting_id}/cases/{cases[0].pk}/minutes/",
        {"minutes": "架空", "reasons": "架空の理由", "outcome": "no_action"},
    )

    assert response.status_code == 422
    assert Decision.objects.filter(case=cases[0]).count() == 1


def test_a_follow_up_waits_in_its_owners_inbox_with_its_due_date(three_cases, users_by_role):
    walker, worker, cases = three_cases
    supervisor = users_by_role["city_supervisor"]
    meeting_id = walker.conference(worker, {cases[0]: {"outcome": "voluntary"}})
    due = timezone.localdate() + datetime.timedelta(days=10)

    post(
        walker.client(worker),
        f"/app/meetings/{meeting_id}/follow-ups/",
        {
            "case": str(cases[0].pk),
            "action": "架空の親族に連絡する",
            "owner": supervisor.pk,
            "due_on": due.isoformat(),
        },
    )

    follow_up = FollowUp.objects.get()
    assert follow_up.action == "架空の親族に連絡する"
    event = AuditEvent.objects.get(action=Action.MEETING_FOLLOW_UP_ADDED)
    assert "架空の親族" not in event.reason
    task = Task.objects.get(process=follow_up.process, flow_task_type="HUMAN")
    assert task.owner == supervisor
    assert CaseTask.objects.get(task=task).due_on == due
    assert task.pk in tab_task_ids(user=supervisor, tab="mine")
    assert task.pk not in tab_task_ids(user=worker, tab="mine")
    # The owner completes it from the inbox like any confirmation step.
    post(walker.client(supervisor), url(task, "execute"), {"confirmed": "on"})
    follow_up.process.refresh_from_db()
    assert follow_up.process.status == "DONE"


def test_a_follow_up_with_no_owner_shows_the_message_and_saves_nothing(three_cases):
    walker, worker, cases = three_cases
    meeting_id = walker.conference(worker, {cases[0]: {"outcome": "voluntary"}})

    response = walker.client(worker).post(
        f"/app/meetings/{meeting_id}/follow-ups/",
        {"case": str(cases[0].pk), "action": "架空の対応", "owner": "", "due_on": ""},
    )

    assert response.status_code == 422
    assert "対応の担当者を選んでください。" in response.content.decode()
    assert not FollowUp.objects.exists()
