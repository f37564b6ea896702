"""Helpers to walk the flows through their real URLs, as each role."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests import factories
from tests.portal.otp import force_login_verified
from workflows.models import CaseProcess

OPEN = (STATUS.NEW, STATUS.ASSIGNED)
TODAY = datetime.date(2026, 5, 11)


@pytest.fixture(autouse=True)
def default_workflow_settings(settings):
    settings.WORKFLOWS = {}


@pytest.fixture
def worker(users_by_role):
    return users_by_role["city_caseworker"]


@pytest.fixture
def supervisor(users_by_role):
    return users_by_role["city_supervisor"]


@pytest.fixture
def case(worker):
    return factories.case_for(worker)


@pytest.fixture
def urgent_case(worker):
    from advocacy.cases.models import Case

    case = factories.case_for(worker)
    Case.objects.filter(pk=case.pk).update(urgency=Case.Urgency.URGENT)
    case.refresh_from_db()
    return case


class Walker:
    """Drive a case through the flows as real users would, through the URLs."""

    def __init__(self):
        self.clients: dict[int, Client] = {}

    def client(self, user) -> Client:
        if user.pk not in self.clients:
            client = force_login_verified(Client(), user)
            self.clients[user.pk] = client
        return self.clients[user.pk]

    def start(self, user, case):
        response = self.client(user).post(f"/app/inbox/cases/{case.pk}/start/")
        assert response.status_code == 302, response.content
        return process_of(case, "consultation")

    def step(self, user, case, flow: str, node: str, data: dict | None = None):
        """Take (if needed) and complete the one open task node of the case's flow."""
        task = open_task(case, flow, node)
        client = self.client(user)
        if task.owner_id is None:
            response = client.post(url(task, "assign"))
            assert response.status_code == 302, response.content
        response = client.post(url(task, "execute"), data or {"confirmed": "on"})
        assert response.status_code == 302, _errors(response)
        return task

    def event(self, user, case, event: str, data: dict | None = None):
        response = self.client(user).post(
            f"/app/inbox/cases/{case.pk}/event/{event}/", data or {"confirmed": "on"}
        )
        assert response.status_code == 302, _errors(response)


def _errors(response) -> str:
    form = response.context and response.context.get("form")
    return str(form.errors) if form else response.content.decode()[:2000]


@pytest.fixture
def walker():
    return Walker()


def process_of(case, flow: str) -> CaseProcess:
    """Return the case's latest process of the flow named by its app name."""
    processes = [
        p
        for p in CaseProcess.objects.filter(case=case).order_by("-pk")
        if p.flow_class.slug == flow
    ]
    assert processes, f"no {flow} process"
    return processes[0]


def open_tasks(case, flow: str | None = None) -> list[Task]:
    tasks = Task.objects.filter(
        process__caseprocess__case=case, status__in=OPEN, flow_task_type="HUMAN"
    ).order_by("pk")
    return [t for t in tasks if flow is None or t.flow_task.flow_class.slug == flow]


def open_names(case, flow: str | None = None) -> list[str]:
    return sorted(t.flow_task.name for t in open_tasks(case, flow))


def open_task(case, flow: str, node: str) -> Task:
    matches = [t for t in open_tasks(case, flow) if t.flow_task.name == node]
    assert len(matches) == 1, f"{flow}.{node}: {open_names(case)}"
    return matches[0]


def url(task: Task, action: str) -> str:
    return task.flow_task.reverse(action, args=[task.process_id, task.pk])
