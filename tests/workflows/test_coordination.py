"""The coordination flow: assessment to registration, walked as caseworker and supervisor."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from advocacy.cases.models import Assessment, Case, GuardianAppointment, Petition, Subsidy
from advocacy.reference.models import FamilyCourt, GuardianshipType
from tests.workflows.conftest import open_names, process_of
from workflows import events as services

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate().isoformat()


@pytest.fixture
def coordination(walker, worker, case):
    walker.start(worker, case)
    walker.step(worker, case, "consultation", "intake")
    walker.step(worker, case, "consultation", "triage", {"outcome": "coordination"})
    return process_of(case, "coordination")


def _assess_and_decide(walker, worker, case, outcome, petitioner_type=""):
    walker.step(
        worker,
        case,
        "coordination",
        "documents",
        {
            "info_sheet_status": "received",
            "certificate_status": "received",
            "doctor_view": "guardianship",
        },
    )
    walker.step(
        worker,
        case,
        "coordination",
        "assessment",
        {"assessed_on": _today(), "capacity_notes": "架空の所見", "risks": ""},
    )
    kind = GuardianshipType.objects.get(code="guardianship")
    walker.step(
        worker,
        case,
        "coordination",
        "conference",
        {
            "held_on": _today(),
            "participants": "架空の参加者",
            "outcome": outcome,
            "guardianship_type": kind.pk if outcome == "guardianship" else "",
            "petitioner_type": petitioner_type,
            "reasons": "架空の理由",
            "advice": "",
        },
    )


def test_parallel_assessment_and_documents_share_one_record(walker, worker, case, coordination):
    assert open_names(case) == ["assessment", "documents"]
    _assess_and_decide(walker, worker, case, "other_support")

    assessment = Assessment.objects.get(case=case)
    assert assessment.info_sheet_status == "received"
    assert assessment.capacity_notes == "架空の所見"
    assert open_names(case) == ["less_restrictive"]


def test_less_restrictive_support_closes(walker, worker, supervisor, case, coordination):
    _assess_and_decide(walker, worker, case, "other_support")
    walker.step(worker, case, "coordination", "less_restrictive", {"next_step": "close"})
    walker.step(
        supervisor,
        case,
        "coordination",
        "approve_close",
        {"reason": "less_restrictive", "closed_on": _today()},
    )
    case.refresh_from_db()
    assert case.stage == Case.Stage.CLOSED
    assert process_of(case, "coordination").status == PROCESS.DONE


def test_less_restrictive_support_can_refer(walker, worker, case, coordination):
    _assess_and_decide(walker, worker, case, "daily_life_support")
    walker.step(worker, case, "coordination", "less_restrictive", {"next_step": "refer"})
    assert open_names(case) == ["refer"]


def test_voluntary_guardianship_is_supported_then_closed(walker, worker, case, coordination):
    _assess_and_decide(walker, worker, case, "voluntary")
    walker.step(worker, case, "coordination", "voluntary")
    assert open_names(case) == ["approve_close"]


def _to_matching(walker, worker, supervisor, case, petitioner):
    _assess_and_decide(walker, worker, case, "guardianship", petitioner)
    walker.step(worker, case, "coordination", "petitioner", {"petitioner_type": petitioner})
    if petitioner == "mayor":
        walker.step(
            worker, case, "coordination", "relative_search", {"relative_search_degree": "4"}
        )
        walker.step(
            worker,
            case,
            "coordination",
            "relatives_intentions",
            {"relatives_intentions": "架空の親族は申立を希望しない"},
        )
        walker.step(supervisor, case, "coordination", "mayor_approval", {"approved_on": _today()})
    walker.step(
        worker,
        case,
        "coordination",
        "subsidy_check",
        {"needed": "yes", "applied_on": _today(), "amount_yen": "12000"},
    )
    walker.step(
        worker,
        case,
        "coordination",
        "matching",
        {"profession": "lawyer", "confirmed": "on"},
    )


def test_mayor_petition_to_registration_starts_team_support(
    walker, worker, supervisor, case, coordination
):
    _to_matching(walker, worker, supervisor, case, "mayor")
    assert open_names(case) == []  # waiting for the candidate

    services.candidate_declined(case=case)
    assert open_names(case) == ["matching"]
    walker.step(
        worker,
        case,
        "coordination",
        "matching",
        {"profession": "judicial_scrivener", "confirmed": "on"},
    )
    services.candidate_accepted(case=case)
    assert open_names(case) == ["petition"]

    walker.step(
        worker,
        case,
        "coordination",
        "petition",
        {
            "court": FamilyCourt.objects.get(code="otsu").pk,
            "documents": ["petition", "info_sheet"],
            "filed_on": _today(),
        },
    )
    kind = GuardianshipType.objects.get(code="guardianship")
    walker.step(
        worker,
        case,
        "coordination",
        "ruling",
        {
            "ruling_on": _today(),
            "court_case_number": "令和8年(家)第1号",
            "type_granted": kind.pk,
            "powers": "",
            "supervisor_name": "",
        },
    )
    # The court appointed someone other than the candidate.
    walker.step(
        worker,
        case,
        "coordination",
        "guardian",
        {
            "kind": "person",
            "profession": "social_worker",
            "name": "架空 次郎",
            "appointed_on": _today(),
        },
    )
    walker.step(
        worker,
        case,
        "coordination",
        "registration",
        {"registration_number": "第0000-0000号", "registered_on": _today()},
    )

    petition = Petition.objects.get(case=case)
    assert petition.petitioner_type == "mayor"
    assert petition.relative_search_degree == 4
    assert petition.approved_on and petition.filed_on and petition.ruling_on
    assert petition.registration_number == "第0000-0000号"
    assert GuardianAppointment.objects.get(case=case).petition_id == petition.pk
    assert Subsidy.objects.get(case=case).kind == Subsidy.Kind.PETITION_COST
    case.refresh_from_db()
    assert case.stage == Case.Stage.TEAM_SUPPORT
    assert process_of(case, "coordination").status == PROCESS.DONE
    assert open_names(case) == ["form_team"]
    matching = Task.objects.filter(process=process_of(case, "coordination"), status=STATUS.DONE)
    assert {t.data.get("profession") for t in matching if t.flow_task.name == "matching"} == {
        "lawyer",
        "judicial_scrivener",
    }


def test_relative_petition_skips_the_mayor_steps(walker, worker, supervisor, case, coordination):
    _to_matching(walker, worker, supervisor, case, "relative")
    services.candidate_accepted(case=case)
    assert open_names(case) == ["petition"]


def test_unanswered_request_is_issued_again_when_it_expires(
    walker, worker, supervisor, case, coordination
):
    _to_matching(walker, worker, supervisor, case, "relative")
    process = process_of(case, "coordination")
    timer = Task.objects.get(process=process, flow_task_type="TIMER", status=STATUS.SCHEDULED)
    assert timer.scheduled > timezone.now() + datetime.timedelta(days=29)
    Task.objects.filter(pk=timer.pk).update(
        scheduled=timezone.now() - datetime.timedelta(minutes=1)
    )

    call_command("send_reminders")

    assert open_names(case) == ["matching"]
    handle = Task.objects.get(process=process, flow_task_type="FUNCTION", status=STATUS.CANCELED)
    assert handle.flow_task.name == "await_candidate"
    # A late answer finds nothing waiting.
    with pytest.raises(services.ValidationError):
        services.candidate_accepted(case=case)


def test_acceptance_without_a_waiting_request_is_refused(case):
    with pytest.raises(services.ValidationError):
        services.candidate_accepted(case=case)
