"""Answers in the portal move a waiting coordination process on (and nothing breaks without)."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from advocacy.portal.models import CoordinationRequest
from tests.workflows.conftest import Walker, open_names, process_of
from tests.workflows.test_coordination import _to_matching

from .conftest import send

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(users_by_role, worker, case):
    walker = Walker()
    walker.start(worker, case)
    walker.step(worker, case, "consultation", "intake")
    walker.step(worker, case, "consultation", "triage", {"outcome": "coordination"})
    process_of(case, "coordination")
    _to_matching(walker, worker, users_by_role["city_supervisor"], case, "relative")
    assert open_names(case) == []
    return case


def test_accept_in_the_portal_moves_the_flow_to_the_petition(
    waiting, worker_client, pro, pro_client
):
    send(worker_client, waiting, pro.professional)
    coordination = CoordinationRequest.objects.get(case=waiting)

    response = pro_client.post(f"/app/portal/requests/{coordination.pk}/", {"action": "accept"})

    assert response.status_code == HTTPStatus.FOUND
    assert open_names(waiting) == ["petition"]


def test_decline_in_the_portal_sends_the_flow_back_to_matching(
    waiting, worker_client, pro, pro_client
):
    send(worker_client, waiting, pro.professional)
    coordination = CoordinationRequest.objects.get(case=waiting)

    pro_client.post(
        f"/app/portal/requests/{coordination.pk}/", {"action": "decline", "reason": "capacity"}
    )

    assert open_names(waiting) == ["matching"]
