"""Helpers to walk the flows through their real URLs, as each role."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Mapping

import pytest
from django import forms
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
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

    def conference(self, user, decisions: Mapping, *, meeting_id: str | None = None) -> str:
        """Decide cases in one 支援調整会議 through the meeting screens; return its id.

        decisions maps each case to its minutes' decision (outcome, guardianship_type,
        petitioner_type): the meeting is created (unless meeting_id is given), each case put on
        its agenda and its decision recorded in the minutes, which completes its conference.
        """
        client = self.client(user)
        if meeting_id is None:
            response = post(
                client,
                "/app/meetings/new/",
                {
                    "kind": "coordination",
                    "held_on": timezone.localdate().isoformat(),
                    "place": "架空会議室",
                    "chair": user.pk,
                },
            )
            meeting_id = response.url.rstrip("/").split("/")[-1]
        for case, values in decisions.items():
            post(client, f"/app/meetings/{meeting_id}/items/", {"case_number": case.number})
            post(
                client,
                f"/app/meetings/{meeting_id}/cases/{case.pk}/minutes/",
                {"minutes": "架空の議事", "reasons": "架空の理由", **values},
            )
        return meeting_id

    def task_form(self, user, task: Task):
        """Open the task's form as user, taking it from the queue first as the inbox does."""
        client = self.client(user)
        if task.owner_id is None:
            page(client, url(task, "assign"))
            response = client.post(url(task, "assign"))
            assert response.status_code == 302, response.content
        return page(client, url(task, "execute"))

    def complete(self, user, task: Task, data: dict) -> None:
        response = self.client(user).post(url(task, "execute"), data)
        assert response.status_code == 302, f"{task.flow_task.name}: {_errors(response)}"


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


def post(client: Client, path: str, data: dict):
    """POST data to path and insist on a redirect (a refused form shows its errors)."""
    response = client.post(path, data)
    assert response.status_code == 302, f"POST {path}: {response.status_code} {_errors(response)}"
    return response


def page(client: Client, path: str):
    """GET path and insist on 200 (a 500 raises its exception here, with its traceback)."""
    response = client.get(path)
    assert response.status_code == 200, f"GET {path}: {response.status_code}"
    return response


def fire_timer(task: Task) -> None:
    """Make a waiting timer due and run the cron command that fires it."""
    Task.objects.filter(pk=task.pk).update(scheduled=timezone.now() - datetime.timedelta(minutes=1))
    call_command("send_reminders", stdout=io.StringIO())
    task.refresh_from_db()
    assert task.status == STATUS.DONE, f"timer {task.flow_task.name} did not fire"


def walked_edges(process) -> set[tuple[str, str]]:
    """The edges a process has walked, as (node, next node) names (viewflow's Task.previous)."""
    edges = set()
    for task in Task.objects.filter(process=process).prefetch_related("previous"):
        edges |= {(prior.flow_task.name, task.flow_task.name) for prior in task.previous.all()}
    return edges


# Form data derived from a form, as a caseworker fills it in.

TEXT = "架空の{label}"
# A value for form_data's values: fill the field as if it were required (a form-wide rule
# asks for it).
FILL = object()


def form_data(form: forms.Form, *, filled: bool, values: Mapping[str, object] = ()) -> dict:
    """Return POST data for an unbound form as it was rendered.

    Required fields keep the value the page shows or get a valid one derived from the
    field; optional fields are all left empty (filled=False) or all filled (filled=True).
    values sets fields by name: the choices that decide a branch, and the few values a
    field cannot tell about itself (a form-wide rule, say).
    """
    values = dict(values)
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        if name in values and values[name] is not FILL:
            value = values[name]
        elif name in values:
            value = _derived(field)
        elif field.disabled or (not field.required and not filled):
            continue
        else:
            value = _shown(form[name].value())
            if value in (None, "", [], False):
                value = _derived(field)
        if value in (None, False, []):
            continue
        data[form.add_prefix(name)] = value
    return data


def forms_data(form_list: Iterable[forms.Form], *, filled: bool, values: Mapping) -> dict:
    """form_data of several forms on one page; every name in values must belong to one."""
    form_list = list(form_list)
    unknown = set(values) - {name for form in form_list for name in form.fields}
    assert not unknown, f"no form field named {sorted(unknown)}"
    data: dict[str, object] = {}
    for form in form_list:
        mine = {k: v for k, v in values.items() if k in form.fields}
        data |= form_data(form, filled=filled, values=mine)
    return data


def _shown(value):
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return value


def _choices(field) -> list[str]:
    found = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # an option group
            found += [str(v) for v, _label in label]
        else:
            found.append(str(getattr(value, "value", value)))
    return [value for value in found if value not in ("", "None")]


def _derived(field: forms.Field):
    if isinstance(field, forms.BooleanField):
        return "on"
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return _choices(field)[:2]
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return _choices(field)[0]
    if isinstance(field, forms.DateField):
        return timezone.localdate().isoformat()
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        low = field.min_value if field.min_value is not None else 0
        return str(max(low, 1000) if field.max_value is None else field.max_value)
    if isinstance(field, forms.CharField):
        return TEXT.format(label=field.label)[: field.max_length or None]
    raise AssertionError(f"no value derived for {type(field).__name__} {field.label}")
