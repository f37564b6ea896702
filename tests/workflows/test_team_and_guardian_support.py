"""Team support and guardian support, started as the coordination flow would start them."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from advocacy.access.selectors import VIEW_AS_GUARDIAN, permissions_on
from advocacy.access.services import GUARDIAN_PERMISSIONS, grant
from advocacy.cases.models import (
    Case,
    Contact,
    GuardianAppointment,
    Petition,
    Subsidy,
    TeamMeeting,
)
from advocacy.cases.services import record_save
from advocacy.reference.models import FamilyCourt
from tests import factories
from tests.workflows.conftest import open_names, open_task, process_of, url
from workflows import events
from workflows.guardian_support.flows import GuardianSupportFlow
from workflows.models import CaseTask
from workflows.schedule import add_months
from workflows.team_support.flows import TeamSupportFlow

pytestmark = pytest.mark.django_db


def process_of_stage_started(case, slug):
    return any(p.flow_class.slug == slug for p in case.processes.all())


def _today():
    return timezone.localdate()


def _meeting():
    return {"held_on": _today().isoformat(), "participants": "架空の参加者", "notes": "架空"}


def test_team_support_runs_until_the_team_is_independent(walker, worker, supervisor, case):
    TeamSupportFlow.start.run(case=case, actor=worker)
    due = _today() + datetime.timedelta(days=20)
    walker.step(worker, case, "teamsupport", "form_team", {"first_meeting_due": due.isoformat()})

    first = open_task(case, "teamsupport", "first_meeting")
    assert CaseTask.objects.get(task=first).due_on == due
    walker.step(worker, case, "teamsupport", "first_meeting", _meeting())
    monitoring = open_task(case, "teamsupport", "monitoring")
    assert CaseTask.objects.get(task=monitoring).due_on == add_months(_today(), 3)
    walker.step(worker, case, "teamsupport", "monitoring", _meeting())
    walker.step(supervisor, case, "teamsupport", "independence", {"independent": "no"})
    assert open_names(case) == ["monitoring"]
    walker.step(worker, case, "teamsupport", "monitoring", _meeting())
    walker.step(supervisor, case, "teamsupport", "independence", {"independent": "yes"})

    kinds = sorted(TeamMeeting.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["first", "regular", "regular"]
    case.refresh_from_db()
    assert case.stage == Case.Stage.GUARDIAN_SUPPORT
    assert process_of(case, "teamsupport").status == PROCESS.DONE
    guardian_process = process_of(case, "guardiansupport")
    assert guardian_process.status == PROCESS.NEW
    assert open_names(case) == []  # guardian support waits for events


@pytest.fixture
def support(worker, case):
    return GuardianSupportFlow.start.run(case=case, actor=worker)


def test_each_request_for_help_becomes_a_task(walker, worker, case, support):
    walker.event(worker, case, "contact")
    walker.event(worker, case, "contact")
    assert open_names(case) == ["help", "help"]

    first = Task.objects.filter(
        process=support, status=STATUS.ASSIGNED, flow_task_type="HUMAN"
    ).order_by("pk")[0]
    assert CaseTask.objects.get(task=first).due_on == _today() + datetime.timedelta(days=7)
    response = walker.client(worker).post(
        first.flow_task.reverse("execute", args=[first.process_id, first.pk]),
        {
            "contacted_on": _today().isoformat(),
            "contact_from": "guardian",
            "is_help_request": "on",
            "summary": "架空の相談",
        },
    )
    assert response.status_code == 302
    assert Contact.objects.filter(case=case).count() == 1
    assert open_names(case) == ["help"]
    # Tokens stay short however many events arrive (the column holds 150 characters).
    for _i in range(30):
        walker.event(worker, case, "contact")
    assert max(len(str(t.token)) for t in Task.objects.filter(process=support)) < 40


def test_fee_ruling_opens_a_subsidy_application_due_three_months_later(
    walker, worker, case, support
):
    ruling = _today() - datetime.timedelta(days=10)
    walker.event(worker, case, "fee_ruling", {"fee_ruling_on": ruling.isoformat()})
    task = open_task(case, "guardiansupport", "fee_subsidy")
    assert CaseTask.objects.get(task=task).due_on == add_months(ruling, 3)
    walker.step(
        worker,
        case,
        "guardiansupport",
        "fee_subsidy",
        {
            "fee_ruling_on": ruling.isoformat(),
            "deadline": add_months(ruling, 3).isoformat(),
            "applied_on": _today().isoformat(),
            "amount_yen": "240000",
        },
    )
    assert Subsidy.objects.get(case=case).kind == Subsidy.Kind.GUARDIAN_FEE


def test_periodic_review_comes_when_its_timer_fires(walker, worker, case, support):
    timer = Task.objects.get(process=support, flow_task_type="TIMER", status=STATUS.SCHEDULED)
    expected = add_months(_today(), 6)
    assert timezone.localtime(timer.scheduled).date() == expected
    Task.objects.filter(pk=timer.pk).update(
        scheduled=timezone.now() - datetime.timedelta(minutes=1)
    )

    call_command("send_reminders")

    assert open_names(case) == ["review"]
    walker.step(worker, case, "guardiansupport", "review", _meeting())
    # The next review is scheduled again.
    assert Task.objects.filter(
        process=support, flow_task_type="TIMER", status=STATUS.SCHEDULED
    ).exists()
    assert mail.outbox == [] or all("架空" not in m.body for m in mail.outbox)


def _change(walker, worker, case, kind: str, petitioner: str = "guardian"):
    """Report a change and walk its path; the candidate (a roster lawyer) accepts it."""
    walker.event(worker, case, "change")
    walker.step(
        worker,
        case,
        "guardiansupport",
        "change_record",
        {"change_kind": kind, "petitioner_type": petitioner},
    )
    assert "change_matching" in open_names(case)
    successor = factories.professional_user(profession="lawyer")
    events.candidate_accepted(case=case, actor=successor)
    assert "change_petition" in open_names(case)
    assert "change_matching" not in open_names(case)
    walker.step(
        worker,
        case,
        "guardiansupport",
        "change_petition",
        {"court": FamilyCourt.objects.get(code="otsu").pk, "filed_on": _today().isoformat()},
    )
    walker.step(
        worker,
        case,
        "guardiansupport",
        "change_ruling",
        {"ruling_on": _today().isoformat(), "court_case_number": "令和8年(家)第2号"},
    )
    walker.step(
        worker,
        case,
        "guardiansupport",
        "change_appointed",
        {
            "kind": "person",
            "profession": "lawyer",
            "name": "架空 四郎",
            "appointed_on": _today().isoformat(),
        },
    )
    return successor


def _guardian(worker, case, professional=None):
    appointment = GuardianAppointment(
        kind="person",
        profession="social_worker",
        name="架空 三郎",
        appointed_on=_today() - datetime.timedelta(days=400),
        professional=professional.professional if professional else None,
    )
    return record_save(actor=worker, case=case, record=appointment)


def test_a_resignation_appoints_a_successor_and_support_goes_on(walker, worker, case, support):
    before = factories.professional_user(profession="social_worker")
    grant(
        actor=None,
        case=case,
        user=before,
        permissions=GUARDIAN_PERMISSIONS,
        reason="受任調整依頼の承諾",
        check_actor=False,
    )
    previous = _guardian(worker, case, before)
    walker.event(worker, case, "contact")
    stage = Case.objects.get(pk=case.pk).stage

    successor = _change(walker, worker, case, "resignation")

    previous.refresh_from_db()
    assert previous.ended_on == _today()
    assert previous.end_reason == "辞任・後任選任"
    new = GuardianAppointment.objects.get(case=case, ended_on=None)
    assert new.professional == successor.professional
    assert new.role == GuardianAppointment.Role.GUARDIAN
    assert new.petition.purpose == Petition.Purpose.APPOINTMENT
    assert new.petition.change_kind == "resignation"
    # The case, the team and guardian support stay; the help request is still open and
    # the next change can be reported.
    case.refresh_from_db()
    assert case.stage == stage
    support.refresh_from_db()
    assert support.status != PROCESS.DONE
    assert not process_of_stage_started(case, "coordination")
    assert open_names(case) == ["help"]
    assert Task.objects.filter(
        process=support, flow_task=GuardianSupportFlow.await_change, status=STATUS.NEW
    ).exists()
    # The guardian before no longer sees the case in the portal.
    assert VIEW_AS_GUARDIAN not in permissions_on(user=before, case=case)


def test_an_added_guardian_or_supervisor_leaves_the_guardian_in_office(
    walker, worker, case, support
):
    previous = _guardian(worker, case)

    _change(walker, worker, case, "additional")
    _change(walker, worker, case, "supervisor")

    previous.refresh_from_db()
    assert previous.ended_on is None
    roles = sorted(
        GuardianAppointment.objects.filter(case=case, ended_on=None).values_list("role", flat=True)
    )
    assert roles == ["guardian", "guardian", "supervisor"]
    kinds = sorted(
        Petition.objects.filter(case=case, purpose="appointment").values_list(
            "change_kind", flat=True
        )
    )
    assert kinds == ["additional", "supervisor"]


def test_the_change_step_cannot_be_completed_by_hand(walker, worker, case, support):
    walker.event(worker, case, "change")
    walker.step(
        worker,
        case,
        "guardiansupport",
        "change_record",
        {"change_kind": "removal", "petitioner_type": "mayor"},
    )
    task = open_task(case, "guardiansupport", "change_matching")

    response = walker.client(worker).post(url(task, "execute"), {"confirmed": "on"})

    assert response.status_code == 422
    assert open_names(case) == ["change_matching"]


def test_a_second_change_waits_until_the_first_is_done(walker, worker, case, support):
    walker.event(worker, case, "change")

    response = walker.client(worker).post(
        f"/app/inbox/cases/{case.pk}/event/change/", {"confirmed": "on"}
    )

    # Refused with the reason, and no second change started.
    assert response.status_code == 200
    assert "このケースはその連絡を受け付ける段階にありません" in response.content.decode()
    assert open_names(case) == ["change_record"]


def test_closing_hands_over_then_the_supervisor_closes(walker, worker, supervisor, case, support):
    walker.event(worker, case, "closing", {"reason": "death"})
    assert open_names(case) == ["final_settlement", "handover"]
    walker.step(
        worker, case, "guardiansupport", "handover", {"handed_over_on": _today().isoformat()}
    )
    walker.step(worker, case, "guardiansupport", "final_settlement", {"settled": "on"})
    close = open_task(case, "guardiansupport", "approve_close")
    response = walker.client(supervisor).get(
        close.flow_task.reverse("assign", args=[close.process_id, close.pk])
    )
    assert response.status_code == 200
    walker.client(supervisor).post(
        close.flow_task.reverse("assign", args=[close.process_id, close.pk])
    )
    response = walker.client(supervisor).get(
        close.flow_task.reverse("execute", args=[close.process_id, close.pk])
    )
    assert 'value="death" selected' in response.content.decode()
    walker.step(
        supervisor,
        case,
        "guardiansupport",
        "approve_close",
        {"reason": "death", "closed_on": _today().isoformat()},
    )

    case.refresh_from_db()
    assert case.closing_reason == Case.ClosingReason.DEATH
    support.refresh_from_db()
    assert support.status == PROCESS.DONE
    assert not Task.objects.filter(
        process=support, status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.SCHEDULED]
    ).exists()


def test_events_are_refused_when_nothing_waits_for_them(walker, worker, case):
    response = walker.client(worker).post(
        f"/app/inbox/cases/{case.pk}/event/contact/", {"confirmed": "on"}
    )
    assert response.status_code == 200
    assert "受け付ける段階にありません" in response.content.decode()


def test_an_open_step_of_the_old_change_path_becomes_the_new_first_step(
    walker, worker, case, support
):
    """Migration workflows.0005: an open guardian_end task is the change's first step now."""
    migration = importlib.import_module("workflows.migrations.0005_guardian_change_path")
    walker.event(worker, case, "change")
    task = open_task(case, "guardiansupport", "change_record")
    Task.objects.filter(pk=task.pk).update(flow_task=f"{migration.FLOW}.guardian_end")
    assert "change_record" not in open_names(case)

    migration.open_ends_to_change_records(django_apps, None)

    assert open_task(case, "guardiansupport", "change_record").pk == task.pk
