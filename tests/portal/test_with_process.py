"""The appointment-coordination step is done in its task: requests sent from its page, the
candidate's acceptance completes it, a decline or an expiry leaves it open with the history."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.core import mail
from django.utils import timezone

from advocacy.portal import services
from advocacy.portal.models import CoordinationRequest
from tests.workflows.conftest import Walker, open_names, open_task, process_of, url
from tests.workflows.test_coordination import _to_matching

from .conftest import send_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(users_by_role, worker, case):
    walker = Walker()
    walker.start(worker, case)
    walker.step(worker, case, "consultation", "intake")
    walker.step(worker, case, "consultation", "triage", {"outcome": "coordination"})
    process_of(case, "coordination")
    _to_matching(walker, worker, users_by_role["city_supervisor"], case, "relative")
    assert open_names(case) == ["matching"]
    return case


def _task_page(case) -> str:
    return url(open_task(case, "coordination", "matching"), "execute")


def _send_from_task(worker_client, case, professional):
    """Send a request with the form on the step's page; return the response."""
    task_page = _task_page(case)
    shown = worker_client.get(task_page)
    assert shown.status_code == HTTPStatus.OK
    (section,) = shown.context["sections"]
    assert section.context["form"] is not None
    data = send_data(professional, case.person.area_id) | {"back": task_page}
    return worker_client.post(f"/app/portal/staff/cases/{case.pk}/", data)


def test_the_step_page_shows_the_shortlist_and_the_send_form(waiting, worker_client, pro):
    page = worker_client.get(_task_page(waiting))

    html = page.content.decode()
    assert 'data-testid="shortlist"' in html
    assert 'data-testid="send-form"' in html
    assert 'data-testid="complete"' not in html  # nothing to tick
    assert "まだ依頼を送っていません" in html


def test_a_request_sent_from_the_step_comes_back_to_it(waiting, worker_client, pro):
    task_page = _task_page(waiting)

    response = _send_from_task(worker_client, waiting, pro.professional)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == task_page
    assert CoordinationRequest.objects.filter(case=waiting).count() == 1
    assert open_names(waiting) == ["matching"]  # sent is not done
    page = worker_client.get(task_page).content.decode()
    assert 'data-status="sent"' in page


def test_the_back_address_cannot_lead_off_the_site(waiting, worker_client, pro):
    data = send_data(pro.professional, waiting.person.area_id) | {
        "back": "https://attacker.example/app/inbox/"
    }

    response = worker_client.post(f"/app/portal/staff/cases/{waiting.pk}/", data)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"/app/portal/staff/cases/{waiting.pk}/"


def test_accept_in_the_portal_completes_the_step(waiting, worker_client, pro, pro_client):
    task = open_task(waiting, "coordination", "matching")
    _send_from_task(worker_client, waiting, pro.professional)
    coordination = CoordinationRequest.objects.get(case=waiting)

    response = pro_client.post(f"/app/portal/requests/{coordination.pk}/", {"action": "accept"})

    assert response.status_code == HTTPStatus.FOUND
    assert open_names(waiting) == ["petition"]
    task.refresh_from_db()
    assert task.status == "DONE"


def test_decline_leaves_the_same_step_open_with_the_history(
    waiting, worker, worker_client, pro, pro_client, other_pro, django_capture_on_commit_callbacks
):
    task = open_task(waiting, "coordination", "matching")
    _send_from_task(worker_client, waiting, pro.professional)
    coordination = CoordinationRequest.objects.get(case=waiting)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        pro_client.post(
            f"/app/portal/requests/{coordination.pk}/",
            {"action": "decline", "reason": "capacity"},
        )
    coordination.refresh_from_db()

    assert open_task(waiting, "coordination", "matching").pk == task.pk
    page = worker_client.get(_task_page(waiting)).content.decode()
    assert 'data-status="declined"' in page
    assert str(coordination.get_decline_reason_display()) in page
    # The worker is told, with the case number only.
    (message,) = mail.outbox
    assert message.to == [worker.email]
    assert waiting.number in message.subject
    assert waiting.person.name not in message.body
    # The next candidate can be asked from the same step.
    assert _send_from_task(worker_client, waiting, other_pro.professional).status_code == 302
    assert CoordinationRequest.objects.filter(case=waiting).count() == 2


def test_an_expired_request_leaves_the_step_open_and_tells_the_worker(
    waiting, worker, worker_client, pro, django_capture_on_commit_callbacks
):
    task = open_task(waiting, "coordination", "matching")
    _send_from_task(worker_client, waiting, pro.professional)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        expired = services.requests_expire(now=timezone.now() + datetime.timedelta(days=15))

    assert expired == 1
    assert open_task(waiting, "coordination", "matching").pk == task.pk
    assert [m.to for m in mail.outbox] == [[worker.email]]
    page = worker_client.get(_task_page(waiting)).content.decode()
    assert 'data-status="expired"' in page


def test_withdrawing_a_pending_request_keeps_the_step_open(waiting, worker_client, pro):
    _send_from_task(worker_client, waiting, pro.professional)
    coordination = CoordinationRequest.objects.get(case=waiting)

    worker_client.post(
        f"/app/portal/staff/cases/{waiting.pk}/requests/{coordination.pk}/",
        {"action": "withdraw"},
    )

    coordination.refresh_from_db()
    assert coordination.status == CoordinationRequest.Status.WITHDRAWN
    assert open_names(waiting) == ["matching"]
