"""Flow building blocks that know about cases: who may work a task, and when it is due.

viewflow's own checks are not enough for us: ``can_assign`` accepts a model-wide grant and
its queue reads guardian's generic tables. Every check here goes through case access and
the organisation and role the task is routed to (``CaseTask``).

A flow declares a human step in one call: ``caseworker_task`` (assigned at once to the
case's worker when they may do it) or ``supervisor_task`` (waits in the supervisors'
queue), each with the step's title, form, work and due date.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.urls import path
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.flow import utils as flow_utils
from viewflow.workflow.nodes.handle import HandleActivation
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.token import Token

from advocacy.accounts.roles import Role
from advocacy.cases.models import Case

from . import routing, selectors, views

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class CaseViewActivation(ViewActivation):
    """A human task that records its routing and due date as it is created."""

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        activation = super().create(flow_task, prev_activation, token, data=data, seed=seed)
        routing.case_task_create(
            activation=activation, role=flow_task.role, due_on=flow_task.calc_due(activation)
        )
        return activation


class CaseView(flow.View):
    """A human task on a case, for a role of the process's organisation or a named worker.

    ``role=None`` means any caseworker of the organisation; ``Role.SUPERVISOR`` means its
    supervisors. ``due`` is a callable ``activation -> date | None``.
    """

    activation_class = CaseViewActivation
    assign_view_class = views.AssignTaskView
    unassign_view_class = views.UnassignTaskView
    detail_view_class = views.TaskDetailView
    index_view_class = views.TaskIndexView

    def __init__(
        self,
        view,
        *,
        role: Role | None = None,
        due: Callable[..., datetime.date | None] | None = None,
        completed_by: StrOrPromise | None = None,
        **kwargs,
    ):
        super().__init__(view, **kwargs)
        self.role = role.value if role else ""
        self._due = due
        # What completes the step when its form does not (see caseworker_task).
        self.completed_by = completed_by

    def _resolve(self, instance):
        super()._resolve(instance)
        self._due = this.resolve(instance, self._due)

    def calc_due(self, activation) -> datetime.date | None:
        return self._due(activation) if self._due else None

    # Permissions: every one asks the database whether the user may see the task's case.

    def can_view(self, user, task) -> bool:
        return selectors.task_visible_to(user=user, task=task)

    def can_execute(self, user, task) -> bool:
        return task.owner_id == user.pk and selectors.task_workable_by(user=user, task=task)

    def can_assign(self, user, task) -> bool:
        if not user.is_authenticated:
            return False
        # A task a deactivated account still holds waits in the queue like an unassigned one.
        if task.owner_id and (task.owner_id == user.pk or task.owner.is_active):
            return False
        return selectors.task_workable_by(user=user, task=task)

    def can_unassign(self, user, task) -> bool:
        if not task.owner_id or not user.is_authenticated:
            return False
        if task.owner_id == user.pk:
            return selectors.task_visible_to(user=user, task=task)
        return selectors.task_supervised_by(user=user, task=task)

    def can_reassign(self, user, task) -> bool:
        return user.is_authenticated and selectors.task_supervised_by(user=user, task=task)

    # Undo, cancel and revive rewrite history; nobody uses them from the screens.

    def can_undo(self, user, task) -> bool:
        return False

    def can_cancel(self, user, task) -> bool:
        return False

    def can_revive(self, user, task) -> bool:
        return False

    @property
    def reassign_path(self):
        return path(
            f"<int:process_pk>/{self.name}/<int:task_pk>/reassign/",
            flow_utils.wrap_task_view(
                self, views.ReassignTaskView.as_view(), permission=self.can_reassign
            ),
            name="reassign",
        )


class EventHandleActivation(HandleActivation):
    """A handle re-armed after each event, on the process's base token."""

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        # Re-arming through a Split nests the token once per event, and the token column
        # holds 150 characters: a guardian's contacts over years would overflow it. An
        # event handle never reaches a Join, so it can start each round from the base.
        return super().create(flow_task, prev_activation, Token("start"), data=data, seed=seed)


class EventHandle(flow.Handle):
    """Wait for an event reported from outside the task screens (any number of times)."""

    activation_class = EventHandleActivation


def route_is(*codes: str) -> Callable:
    """Return a gateway condition: the process's last decision is one of codes."""

    def condition(activation) -> bool:
        return activation.process.route in codes

    return condition


def answer_is(*codes: str) -> Callable:
    """Return a gateway condition: the last yes/no answer of the process is one of codes."""

    def condition(activation) -> bool:
        return activation.process.answer in codes

    return condition


def case_is_urgent(activation) -> bool:
    return activation.process.case.urgency == Case.Urgency.URGENT


def _task(
    title,
    *,
    role: Role | None,
    form: type | None,
    on_complete: Callable | None,
    record_of: Callable | None,
    initial_of: Callable | None,
    due: Callable | None,
    shows: Callable | None = None,
    completed_by: StrOrPromise | None = None,
) -> CaseView:
    screen = {
        "form_class": form,
        "on_complete": on_complete,
        "record_of": record_of,
        "initial_of": initial_of,
        "shows": shows,
    }
    view = views.TaskFormView.as_view(**{k: v for k, v in screen.items() if v is not None})
    return CaseView(view, role=role, due=due, completed_by=completed_by).Annotation(title=title)


def caseworker_task(
    title,
    *,
    form: type | None = None,
    on_complete: Callable | None = None,
    record_of: Callable | None = None,
    initial_of: Callable | None = None,
    due: Callable[..., datetime.date | None] | None = None,
    shows: Callable | None = None,
    completed_by: StrOrPromise | None = None,
) -> CaseView:
    """Return a caseworker's step, assigned at once to the case's worker when they may do it.

    form is the step's form (a confirmation without one); on_complete the ``steps``
    function that saves it; record_of and initial_of give the record the form edits and
    its initial values; due gives the task's due date; shows gives the record the step is
    about, shown above the form (``steps.Shown``). Each is ``activation -> ...``.

    completed_by, for a step that an event outside its page completes (``events``), says
    which: the page shows it instead of a form, and nobody can complete the step by hand.
    """
    return _task(
        title,
        role=None,
        form=form,
        on_complete=on_complete,
        record_of=record_of,
        initial_of=initial_of,
        due=due,
        shows=shows,
        completed_by=completed_by,
    ).Assign(routing.case_worker)


def supervisor_task(
    title,
    *,
    form: type | None = None,
    on_complete: Callable | None = None,
    record_of: Callable | None = None,
    initial_of: Callable | None = None,
    due: Callable[..., datetime.date | None] | None = None,
) -> CaseView:
    """Return a step for the organisation's supervisors (it waits in their queue)."""
    return _task(
        title,
        role=Role.SUPERVISOR,
        form=form,
        on_complete=on_complete,
        record_of=record_of,
        initial_of=initial_of,
        due=due,
    )


def named_task(
    title,
    *,
    assign: Callable,
    due: Callable[..., datetime.date | None] | None = None,
) -> CaseView:
    """Return a confirmation step for the worker assign(activation) names (else the queue)."""
    return _task(
        title,
        role=None,
        form=None,
        on_complete=None,
        record_of=None,
        initial_of=None,
        due=due,
    ).Assign(assign)
