"""A case the ledger said too little about waits for one supervisor's review, then goes on."""

from __future__ import annotations

import pytest

from advocacy.cases.models import Case
from advocacy.ledger import services
from advocacy.ledger.models import LedgerCase
from tests.ledger import books
from tests.workflows.conftest import Walker, open_names, open_task, process_of, url
from workflows.ledger_review.flows import LedgerReviewFlow

pytestmark = pytest.mark.django_db


@pytest.fixture
def parked(supervisor, mapping):
    data = books.book([books.row("R5-003", conference="R5.5.1", petition="R5.5.20", kind="保佐")])
    services.ledger_import_run(actor=supervisor, data=data, mapping=mapping)
    return LedgerCase.objects.get().case


def test_a_parked_case_has_one_review_task_for_the_supervisors(parked):
    slug = LedgerReviewFlow.slug
    assert open_names(parked) == ["review"]
    task = open_task(parked, slug, "review")
    assert task.owner_id is None  # in the supervisors' queue, nobody's yet


def test_the_supervisor_reviews_and_the_stages_process_starts(parked, users_by_role):
    walker = Walker()
    walker.step(users_by_role["city_supervisor"], parked, LedgerReviewFlow.slug, "review")
    assert parked.stage == Case.Stage.COORDINATION
    assert process_of(parked, "coordination")
    assert "review" not in open_names(parked)


@pytest.mark.parametrize("role", ["city_caseworker", "council_supervisor"])
def test_nobody_else_may_do_the_review(parked, users_by_role, role):
    task = open_task(parked, LedgerReviewFlow.slug, "review")
    client = Walker().client(users_by_role[role])
    response = client.post(url(task, "assign"))
    assert response.status_code in (403, 404)
    assert open_task(parked, LedgerReviewFlow.slug, "review").owner_id is None
