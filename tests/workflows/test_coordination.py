"""The coordination flow: assessment to registration, walked as caseworker and supervisor."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from advocacy.cases.models import Assessment, Case, GuardianAppointment, Petition, Subsidy
from advocacy.reference.models import FamilyCourt, GuardianshipType
from tests.workflows.conftest import open_names, open_task, process_of, url
from workflows import events as services
from workflows.models import CaseTask

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
    # The conference is decided in a 支援調整会議's minutes (the meetings' screens).
    walker.conference(
        worker,
        {
            case: {
                "outcome": outcome,
                "guardianship_type": kind.pk if outcome == "guardianship" else "",
                "petitioner_type": petitioner_type,
            }
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


def test_mayor_petition_to_registration_starts_team_support(
    walker, worker, supervisor, case, coordination
):
    _to_matching(walker, worker, supervisor, case, "mayor")
    assert open_names(case) == ["matching"]  # requests are sent from it, in the portal

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


def test_relative_petition_skips_the_mayor_steps(walker, worker, supervisor, case, coordination):
    _to_matching(walker, worker, supervisor, case, "relative")
    services.candidate_accepted(case=case)
    assert open_names(case) == ["petition"]


def test_the_coordination_step_cannot_be_completed_by_hand(
    walker, worker, supervisor, case, coordination
):
    """Ticking the step (any data, any user who may work it) is refused: only an acceptance."""
    _to_matching(walker, worker, supervisor, case, "relative")
    task = open_task(case, "coordination", "matching")
    client = walker.client(worker)
    for data in ({"confirmed": "on"}, {"profession": "lawyer", "confirmed": "on"}, {}):
        response = client.post(url(task, "execute"), data)
        assert response.status_code == 422
        assert "候補者が受任を承諾すると" in response.content.decode()
    assert open_names(case) == ["matching"]
    task.refresh_from_db()
    assert task.status != STATUS.DONE


def test_acceptance_completes_the_step_the_worker_holds(
    walker, worker, supervisor, case, coordination
):
    _to_matching(walker, worker, supervisor, case, "relative")
    task = open_task(case, "coordination", "matching")
    assert task.owner == worker

    services.candidate_accepted(case=case)

    task.refresh_from_db()
    assert task.status == STATUS.DONE
    assert [t.flow_task.name for t in task.leading.all()] == ["petition"]
    assert open_names(case) == ["petition"]
    # A second answer finds nothing waiting.
    with pytest.raises(services.ValidationError):
        services.candidate_accepted(case=case)


def test_acceptance_without_a_waiting_request_is_refused(case):
    with pytest.raises(services.ValidationError):
        services.candidate_accepted(case=case)


def test_a_process_waiting_at_the_old_handle_is_moved_into_the_coordination_step(
    walker, worker, supervisor, case, coordination
):
    """Migration workflows.0004: a wait of the retired await_candidate node becomes the step."""
    migration = importlib.import_module("workflows.migrations.0004_matching_waits_in_its_task")
    _to_matching(walker, worker, supervisor, case, "relative")
    task = open_task(case, "coordination", "matching")
    # As the old flow left it: the request sent, the handle waiting, its timer armed.
    CaseTask.objects.filter(task=task).delete()
    Task.objects.filter(pk=task.pk).update(
        flow_task=migration.WAIT, flow_task_type="FUNCTION", status=STATUS.NEW, owner=None
    )
    timer = Task.objects.create(
        process=task.process, flow_task=migration.TIMER, flow_task_type="TIMER"
    )
    Task.objects.filter(pk=timer.pk).update(status="SCHEDULED")

    migration.waits_to_tasks(django_apps, None)

    assert open_task(case, "coordination", "matching").pk == task.pk
    assert CaseTask.objects.get(task=task).owner == worker
    assert Task.objects.get(pk=timer.pk).status == STATUS.CANCELED
    services.candidate_accepted(case=case)
    assert open_names(case) == ["petition"]
