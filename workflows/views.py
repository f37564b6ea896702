"""Screens of the workflows: the inbox, task forms, assignment, and the guard on flow URLs.

Views stay thin: validate the form, call one service, redirect. The case page's actions
(start a consultation, report an event) are in ``case_page_views``: they name the flows,
which import this module.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.flow.views import DetailProcessView, UserIndexTaskView
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from advocacy.access.refusals import refusal_note
from advocacy.accounts.models import User
from advocacy.accounts.roles import Role, has_role
from advocacy.cases.guards import StaffOnlyMixin
from advocacy.cases.services import case_view_record
from advocacy.cases.templatetags.case_format import jdate
from advocacy.urlshape import url_former

from . import assignment, hooks, selectors, steps
from . import forms as step_forms
from .task_audit import task_refusal_record

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MSG_DONE = _("このタスクはすでに完了しているか、取り消されています。")
MSG_TAKEN = _("このタスクはすでに他の職員が担当しています。")
MSG_BUSY = _("他の職員が同じ手続きを処理中です。少し待ってからやり直してください。")
MSG_REFUSED = _("このタスクを操作する権限がありません。")
MSG_COMPLETED = _("「{title}」を完了しました。")
MSG_ASSIGNED = _("「{title}」を担当しました。")
MSG_REASSIGNED = _("「{title}」の担当者を{worker}さんに変更しました。")

# The task page's buttons, by the name of the URL each opens.
ACTION_LABELS = {
    "assign": _("このタスクを担当する"),
    "unassign": _("担当を外して組織の未割当に戻す"),
    "execute": _("タスクを行う"),
}

TABS = {
    "mine": _("自分の担当"),
    "queue": _("組織の未割当"),
    "overdue": _("期限超過"),
}


# The one staff door of every screen (advocacy.cases.guards), the inbox's included.
StaffMixin = StaffOnlyMixin


class InboxView(StaffMixin, TemplateView):
    """The caseworker's home: tasks assigned to them, their organisation's queue, overdue."""

    template_name = "workflows/inbox.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        tab = self.request.GET.get("tab", "mine")
        if tab not in TABS:
            tab = "mine"
        page = selectors.tab_page(user=user, tab=tab, number=self.request.GET.get("page"))
        rows = _rows(page.items)
        # Every tab's count is fetched lazily by the browser (TabCountView, a Turbo frame),
        # so the page never waits for a count of up to a thousand tasks.
        tabs = [{"key": key, "label": label} for key, label in TABS.items()]
        context.update(
            tab=tab,
            tabs=tabs,
            page=page,
            rows=rows,
            rows_html=rows_html(rows),
            can_hand_over=has_role(user, Role.SUPERVISOR),
        )
        return context


class TabCountView(StaffMixin, View):
    """One tab's bounded count ("1000+"), for the inbox's lazily loaded badges."""

    def get(self, request):
        tab = request.GET.get("tab", "")
        if tab not in TABS:
            raise Http404
        count, more = selectors.tab_count(user=request.user, tab=tab)
        return render(
            request,
            "workflows/tab_count.html",
            {"tab": tab, "count": count, "more": more},
        )


def _rows(tasks: list[selectors.TabRow]) -> list[dict]:
    # Each flow task's URL reversed once a page (a reverse() per row was a tenth of it).
    urls: dict[object, Callable[..., str]] = {}
    today = timezone.localdate()
    return [_row(task, urls, today) for task in tasks]


# One row of the inbox's table, as the template's loop wrote it (the same markup and spacing):
# 25 rows through the template engine were a fifth of the page.
_ROW_HTML = (
    '\n      <tr data-testid="task-row">\n        <td>{}</td>\n        <td>{}</td>\n'
    '        <td>{}</td>\n        <td><a href="{}" data-testid="task-link">{}</a></td>\n'
    "        <td>{}</td>\n      </tr>\n    "
)


def rows_html(rows: list[dict]) -> SafeString:
    """Return the table rows of an inbox page, each value escaped as the template did."""
    overdue = format_html(' <span class="adv-badge adv-badge--urgent">{}</span>', _("期限超過"))
    soon = format_html(' <span class="adv-badge">{}</span>', _("まもなく期限"))
    parts = []
    for row in rows:
        due: str = "—"
        if row["due_on"]:
            badge = {"overdue": overdue, "soon": soon}.get(row["due_state"], "")
            due = format_html("{}{}", jdate(row["due_on"]), badge)
        parts.append(
            format_html(
                _ROW_HTML,
                due,
                row["case_number"],
                row["process_title"],
                row["url"],
                row["title"],
                row["owner"] or "—",
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 — every part escaped by format_html


def _task_url(task: selectors.TabRow, urls: dict[object, Callable[..., str]]) -> str:
    flow_task = task.flow_task
    if flow_task not in urls:
        urls[flow_task] = url_former(
            lambda process_id, task_id: flow_task.reverse("index", args=[process_id, task_id]),
            2,
        )
    return urls[flow_task](task.process_id, task.task_id)


def _row(
    task: selectors.TabRow, urls: dict[object, Callable[..., str]], today: datetime.date
) -> dict:
    return {
        "title": task.flow_task.task_title,
        "process_title": task.flow_task.flow_class.process_title,
        "case_number": task.case_number,
        "owner": task.owner,
        "due_on": task.due_on,
        "due_state": selectors.due_state(task.due_on, today),
        "url": _task_url(task, urls),
    }


def _task_context(request: HttpRequest) -> dict:
    activation = request.activation  # type: ignore[attr-defined]  # viewflow's, untyped
    case_task = getattr(activation.task, "case_task", None)
    task, flow_task = activation.task, activation.flow_task
    # A supervisor gives an open task to someone else from every task page (the button in
    # _task_head.html); nobody else sees it.
    reassign = task.status in selectors.OPEN and flow_task.can_reassign(request.user, task)
    case = activation.process.case
    return {
        "activation": activation,
        "task": task,
        "case": case,
        "summary": selectors.task_case_summary(case=case, process=activation.process),
        "title": flow_task.task_title,
        "process_title": activation.flow_class.process_title,
        "due_on": case_task.due_on if case_task else None,
        "reassign_url": (
            flow_task.reverse("reassign", args=[task.process_id, task.pk]) if reassign else ""
        ),
    }


class TaskIndexView(UserIndexTaskView):
    """Open a task where the user can act on it (viewflow's), left-behind tasks included.

    A task still held by a deactivated account waits in the queue (``selectors``): whoever
    may take it is sent to the page that takes it, as for an unassigned task.
    """

    def get_redirect_url(self, *args, **kwargs):
        activation = self.request.activation
        task = activation.task
        if task.status == STATUS.ASSIGNED and activation.flow_task.can_assign(
            self.request.user, task
        ):
            return activation.flow_task.reverse("assign", args=[task.process_id, task.pk])
        return super().get_redirect_url(*args, **kwargs)


class TaskFormView(FormView):
    """Show a step's form; on a valid post run the step's service and complete the task."""

    template_name = "workflows/task.html"
    form_class = step_forms.ConfirmForm
    # A steps function (actor, activation, form) that saves what the step records.
    on_complete = None
    # For a ModelForm: a callable activation -> the record the form edits.
    record_of = None
    # A callable activation -> initial values.
    initial_of = None
    # A callable activation -> steps.Shown (the record the step is about), or None.
    shows = None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        activation = self.request.activation
        if self.record_of is not None:
            record = self.record_of(activation)
            if record is not None:
                kwargs["instance"] = record
        if self.initial_of is not None:
            kwargs["initial"] = {**self.initial_of(activation), **kwargs.get("initial", {})}
        return kwargs

    def get_context_data(self, **kwargs):
        context = {**super().get_context_data(**kwargs), **_task_context(self.request)}
        shown = self.shows(self.request.activation) if self.shows is not None else None
        if shown is not None and self.request.method == "GET":
            # What the page decrypts is audited as on the case page.
            case_view_record(
                actor=self.request.user,
                case=context["case"],
                fields_read=shown.fields_read,
                request=self.request,
            )
        context["shown"] = shown
        context["completed_by"] = self._completed_by()
        context["sections"] = hooks.task_page_sections(
            request=self.request, activation=self.request.activation
        )
        return context

    def _completed_by(self):
        # Declared on the node (nodes.CaseView.completed_by): a step an event completes.
        return self.request.activation.flow_task.completed_by

    def post(self, request, *args, **kwargs):
        completed_by = self._completed_by()
        if completed_by is not None:
            # Nobody completes this step by hand: only its event does (nodes.caseworker_task).
            form = self.get_form()
            form.add_error(None, completed_by)
            return self.render_to_response(self.get_context_data(form=form), status=422)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        activation = self.request.activation
        try:
            steps.task_complete(
                actor=self.request.user, activation=activation, form=form, step=self.on_complete
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, MSG_COMPLETED.format(title=activation.flow_task.task_title))
        return redirect("inbox:index")


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on form, on the fields it names."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class AssignTaskView(FormView):
    """Take a task from the organisation's queue."""

    template_name = "workflows/task_assign.html"
    form_class = forms.Form

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_task_context(self.request)}

    def form_valid(self, form):
        activation = self.request.activation
        assignment.task_assign(actor=self.request.user, activation=activation)
        messages.success(self.request, MSG_ASSIGNED.format(title=activation.flow_task.task_title))
        task = activation.task
        return redirect(task.flow_task.reverse("execute", args=[task.process_id, task.pk]))


class UnassignTaskView(FormView):
    """Put a task back in the organisation's queue."""

    template_name = "workflows/task_unassign.html"
    form_class = forms.Form

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_task_context(self.request)}

    def form_valid(self, form):
        assignment.task_unassign(actor=self.request.user, activation=self.request.activation)
        return redirect("inbox:index")


class ReassignForm(forms.Form):
    worker = forms.ModelChoiceField(label=_("担当者"), queryset=User.objects.none())

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        # A short list (one organisation's staff who may see the case), never all users.
        self.fields["worker"].queryset = User.objects.filter(
            pk__in=[user.pk for user in workers]
        ).order_by("last_name", "first_name")


class ReassignTaskView(FormView):
    """Let a supervisor give a task to a worker of the organisation."""

    template_name = "workflows/task_reassign.html"
    form_class = ReassignForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["workers"] = list(selectors.assignable_workers(task=self.request.activation.task))
        return kwargs

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_task_context(self.request)}

    def form_valid(self, form):
        try:
            assignment.task_reassign(
                actor=self.request.user,
                activation=self.request.activation,
                worker=form.cleaned_data["worker"],
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        activation = self.request.activation
        messages.success(
            self.request,
            MSG_REASSIGNED.format(
                title=activation.flow_task.task_title, worker=form.cleaned_data["worker"]
            ),
        )
        # Back where the supervisor came from: the case page's list of open tasks, or the inbox.
        if self.request.GET.get("from") == "case":
            return redirect("cases:detail", activation.process.case_id)
        return redirect("inbox:index")


class TaskDetailView(TemplateView):
    """A task's state, for anyone who may see its case."""

    template_name = "workflows/task_detail.html"

    def get_context_data(self, **kwargs):
        context = {**super().get_context_data(**kwargs), **_task_context(self.request)}
        activation = self.request.activation
        # viewflow names its actions in English, by the URL they open; ours are Japanese, and
        # the reassignment is the task head's own button (for supervisors).
        actions = []
        for label, url in activation.flow_task.get_available_actions(activation, self.request.user):
            name = url.rstrip("/").rsplit("/", 1)[-1]
            if name != "reassign":
                actions.append((ACTION_LABELS.get(name, label), url))
        context["actions"] = actions
        return context


class ProcessDetailView(DetailProcessView):
    """A process's tasks and chart; the guard has already checked the case is visible."""

    template_name = "workflows/process_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        process = context["process"]
        context["case"] = process.case
        context["task_list"] = (
            process.task_set.filter(flow_task_type="HUMAN")
            .select_related("owner", "case_task")
            .order_by("created")
        )
        context["chart_url"] = self.flow_class.instance.reverse("process_chart", args=[process.pk])
        return context


# The guard around every URL of a flow


def _refuse(request: HttpRequest, flow_class: type[Any], kwargs: dict, reason: str) -> None:
    task_refusal_record(
        actor=request.user,
        flow_slug=flow_class.slug,
        process_pk=kwargs.get("process_pk"),
        task_pk=kwargs.get("task_pk"),
        reason=reason,
    )


def _note_refused(request: HttpRequest, flow_class: type[Any], process_pk, task_pk) -> None:
    refusal_note(request, "task", f"{flow_class.slug}/{process_pk}/{task_pk}")


def _conflict(request: HttpRequest, message: StrOrPromise, status: int = 409) -> HttpResponse:
    return render(request, "workflows/refused.html", {"message": message}, status=status)


def guard_task_url(view, flow_class: type):
    """Wrap a task or process URL of flow_class: refuse crafted URLs, explain lost races.

    The process and task in the URL must belong together, to this flow, on a case the user
    may see; otherwise the answer is the same 404 as for a missing task. Both refusals (that
    404, and the 403 for a task that is not theirs) are recorded by ``access.refusals``; the
    lost races (already done, taken by someone else, locked) are audited here as TASK_REFUSED
    and explained with a 409.
    """

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        # Every guarded URL names a process (base._guard); not every one a task.
        process_pk, task_pk = kwargs["process_pk"], kwargs.get("task_pk")
        if not selectors.url_target_exists(
            user=request.user, flow_class=flow_class, process_pk=process_pk, task_pk=task_pk
        ):
            # A refusal like any other (access.refusals records it); a race below is not.
            _note_refused(request, flow_class, process_pk, task_pk)
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except FlowLockFailed:
            _refuse(request, flow_class, kwargs, "locked")
            return _conflict(request, MSG_BUSY)
        except PermissionDenied:
            task = Task.objects.filter(pk=task_pk).only("status", "owner_id").first()
            if task is not None and task.status not in (STATUS.NEW, STATUS.ASSIGNED):
                _refuse(request, flow_class, kwargs, "task closed")
                return _conflict(request, MSG_DONE)
            url_name = request.resolver_match.url_name if request.resolver_match else ""
            if task is not None and url_name == "assign" and task.owner_id:
                _refuse(request, flow_class, kwargs, "taken")
                return _conflict(request, MSG_TAKEN)
            _note_refused(request, flow_class, process_pk, task_pk)
            return _conflict(request, MSG_REFUSED, status=403)

    return guarded
