"""The consultation flow walked through its URLs as the caseworker and the supervisor."""

import datetime

import pytest
from django.utils import timezone
from viewflow.workflow.status import PROCESS

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Case, Referral
from tests.workflows.conftest import open_names, open_task, process_of
from workflows.models import CaseTask

pytestmark = pytest.mark.django_db


def _events(case, action):
    return AuditEvent.objects.filter(object_id=str(case.pk), action=action).count()


def test_start_gives_the_case_worker_the_intake_task(walker, worker, case):
    process = walker.start(worker, case)

    assert process.status == PROCESS.NEW
    assert process.lead_organisation_id == case.organisation_id
    intake = open_task(case, "consultation", "intake")
    assert intake.owner_id == worker.pk
    assert open_names(case) == ["intake"]
    assert _events(case, Action.PROCESS_STARTED) == 1


def test_starting_twice_is_refused(walker, worker, case):
    walker.start(worker, case)
    response = walker.client(worker).post(f"/app/inbox/cases/{case.pk}/start/")
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).processes.count() == 1


def test_information_given_is_closed_by_the_supervisor(walker, worker, supervisor, case):
    walker.start(worker, case)
    walker.step(worker, case, "consultation", "intake")
    walker.step(worker, case, "consultation", "triage", {"outcome": "information"})

    close = open_task(case, "consultation", "approve_close")
    assert close.owner_id is None  # in the supervisors' queue
    assert CaseTask.objects.get(task=close).role == "supervisor"
    walker.step(
        supervisor,
        case,
        "consultation",
        "approve_close",
        {"reason": "information_given", "closed_on": timezone.localdate().isoformat()},
    )

    process = process_of(case, "consultation")
    case.refresh_from_db()
    assert process.status == PROCESS.DONE
    assert case.stage == Case.Stage.CLOSED
    assert case.closing_reason == Case.ClosingReason.INFORMATION_GIVEN
    assert open_names(case) == []
    assert _events(case, Action.TASK_COMPLETED) == 3
    assert _events(case, Action.CASE_CLOSED) == 1


def _refer(walker, worker, case, outcome="referral"):
    today = timezone.localdate()
    walker.start(worker, case)
    walker.step(worker, case, "consultation", "intake")
    walker.step(worker, case, "consultation", "triage", {"outcome": outcome})
    walker.step(
        worker,
        case,
        "consultation",
        "refer",
        {
            "referred_on": today.isoformat(),
            "agency": "架空市 地域包括支援センター",
            "follow_up_due": (today + datetime.timedelta(days=14)).isoformat(),
            "feedback_due": (today + datetime.timedelta(days=21)).isoformat(),
        },
    )
    return today


def test_referral_is_followed_up_and_reported_before_closing(walker, worker, supervisor, case):
    today = _refer(walker, worker, case)

    follow_up = open_task(case, "consultation", "follow_up")
    assert CaseTask.objects.get(task=follow_up).due_on == today + datetime.timedelta(days=14)
    walker.step(
        worker,
        case,
        "consultation",
        "follow_up",
        {"followed_up_on": today.isoformat(), "took": "yes"},
    )
    feedback = open_task(case, "consultation", "feedback")
    assert CaseTask.objects.get(task=feedback).due_on == today + datetime.timedelta(days=21)
    walker.step(worker, case, "consultation", "feedback", {"feedback_sent_on": today.isoformat()})
    close = open_task(case, "consultation", "approve_close")
    response = walker.client(supervisor).get(
        close.flow_task.reverse("assign", args=[close.process_id, close.pk])
    )
    assert response.status_code == 200
    walker.step(
        supervisor,
        case,
        "consultation",
        "approve_close",
        {"reason": "referred", "closed_on": today.isoformat()},
    )

    referral = Referral.objects.get(case=case)
    assert referral.followed_up_on == today
    assert referral.feedback_sent_on == today
    case.refresh_from_db()
    assert case.closing_reason == Case.ClosingReason.REFERRED
    assert process_of(case, "consultation").status == PROCESS.DONE


def test_referral_that_did_not_take_goes_back_to_triage(walker, worker, case):
    today = _refer(walker, worker, case)
    walker.step(
        worker,
        case,
        "consultation",
        "follow_up",
        {"followed_up_on": today.isoformat(), "took": "no"},
    )
    assert open_names(case) == ["triage"]


def test_daily_life_support_is_referred_to_the_council_programme(walker, worker, case):
    walker.start(worker, case)
    walker.step(worker, case, "consultation", "intake")
    walker.step(worker, case, "consultation", "triage", {"outcome": "daily_life_support"})
    refer = open_task(case, "consultation", "refer")
    response = walker.client(worker).get(
        refer.flow_task.reverse("execute", args=[refer.process_id, refer.pk])
    )
    assert "日常生活自立支援事業" in response.content.decode()


def test_coordination_starts_the_next_process(walker, worker, case):
    walker.start(worker, case)
    walker.step(worker, case, "consultation", "intake")
    walker.step(worker, case, "consultation", "triage", {"outcome": "coordination"})

    case.refresh_from_db()
    assert case.stage == Case.Stage.COORDINATION
    assert process_of(case, "consultation").status == PROCESS.DONE
    assert process_of(case, "coordination").status == PROCESS.NEW
    assert open_names(case) == ["assessment", "documents"]
    assert _events(case, Action.PROCESS_STARTED) == 2


def test_urgent_case_gives_the_supervisor_a_task_at_once(walker, worker, supervisor, urgent_case):
    walker.start(worker, urgent_case)

    assert open_names(urgent_case) == ["intake", "urgent_review"]
    review = open_task(urgent_case, "consultation", "urgent_review")
    assert review.owner_id is None
    assert CaseTask.objects.get(task=review).due_on == timezone.localdate()
    walker.step(supervisor, urgent_case, "consultation", "urgent_review")
    assert open_names(urgent_case) == ["intake"]
