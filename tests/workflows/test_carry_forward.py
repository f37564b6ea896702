"""Answers already given are carried forward: the conference's petitioner and type reach the
petitioner step and the petition as filed."""

import pytest

from advocacy.cases.models import Petition
from advocacy.reference.models import GuardianshipType
from tests.workflows.conftest import open_task
from tests.workflows.test_coordination import _assess_and_decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordination(walker, worker, case):
    walker.start(worker, case)
    walker.step(worker, case, "consultation", "intake")
    walker.step(worker, case, "consultation", "triage", {"outcome": "coordination"})


def test_the_conference_decision_is_carried_into_the_petitioner_step_and_the_petition(
    walker, worker, case, coordination
):
    _assess_and_decide(walker, worker, case, "guardianship", "relative")

    form = walker.task_form(worker, open_task(case, "coordination", "petitioner"))

    assert form.context["form"].initial["petitioner_type"] == "relative"
    walker.step(worker, case, "coordination", "petitioner", {"petitioner_type": "relative"})
    petition = Petition.objects.get(case=case)
    assert petition.type_sought == GuardianshipType.objects.get(code="guardianship")
