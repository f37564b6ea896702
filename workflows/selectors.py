"""Reads of processes and tasks that depend on the user: filtered in SQL through case access."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from advocacy.access.roles import has_role, is_case_staff, roles_of
from advocacy.access.selectors import cases_visible_to
from advocacy.accounts.models import User
from advocacy.accounts.roles import STAFF_ROLES, Role
from advocacy.cases.models import Case, CaseShare, CaseUserObjectPermission

from .models import CaseProcess, CaseTask

PAGE_SIZE = 25
# Pages past this are not offered: nobody pages through 5,000 tasks, and deep OFFSETs are slow.
MAX_PAGES = 200
# Counts stop here ("1000+"): counting a huge queue exactly costs more than it tells.
COUNT_LIMIT = 1000
DUE_SOON_DAYS = 7
OPEN = (STATUS.NEW, STATUS.ASSIGNED)
HUMAN = "HUMAN"


def _visible_case_ids(user: User):
    return cases_visible_to(user=user).values("pk")


def _task_case_visible(user: User) -> Q:
    """Match tasks whose case user may see, checked per task row.

    The same rule as ``cases_visible_to``, written against the task's case so that the
    database starts from the user's few tasks instead of working out every visible case.
    """
    case_id = OuterRef("case_task__case_id")
    shared = Exists(
        CaseShare.objects.filter(
            case_id=case_id, organisation_id=user.organisation_id, revoked_at__isnull=True
        )
    )
    own = Q(case_task__case__organisation_id=user.organisation_id)
    if not has_role(user, Role.SUPERVISOR):
        own &= Exists(
            CaseUserObjectPermission.objects.filter(
                content_object_id=case_id, user_id=user.pk, permission__codename="view_case"
            )
        )
    return own | shared


def _role_filter(user: User) -> Q:
    """Match tasks routed to a role the user holds ("" is any caseworker)."""
    # One IN list (not an OR) so the (organisation, role, due_on) index can serve it.
    return Q(case_task__role__in=["", *(role.value for role in roles_of(user))])


def _ordered(tasks: QuerySet[Task]) -> QuerySet[Task]:
    # Overdue and due-soon first; tasks without a due date after them, oldest first.
    return tasks.select_related("case_task__case", "owner").order_by(
        F("case_task__due_on").asc(nulls_last=True), "created", "pk"
    )


def inbox_tasks(*, user: User) -> QuerySet[Task]:
    """Return the open tasks assigned to user, on cases they may still see."""
    if not is_case_staff(user):
        return Task.objects.none()
    return _ordered(
        Task.objects.filter(
            _task_case_visible(user), owner=user, status=STATUS.ASSIGNED, flow_task_type=HUMAN
        )
    )


def queue_tasks(*, user: User) -> QuerySet[Task]:
    """Return the unassigned tasks of user's organisation and roles that user may take."""
    if not is_case_staff(user):
        return Task.objects.none()
    return _ordered(
        Task.objects.filter(
            _role_filter(user),
            _task_case_visible(user),
            status=STATUS.NEW,
            flow_task_type=HUMAN,
            case_task__organisation_id=user.organisation_id,
        )
    )


def overdue_tasks(*, user: User, today: datetime.date | None = None) -> QuerySet[Task]:
    """Return open tasks past their due date that are user's or in user's queue."""
    if not is_case_staff(user):
        return Task.objects.none()
    today = today or timezone.localdate()
    mine = Q(owner=user, status=STATUS.ASSIGNED)
    queue = Q(status=STATUS.NEW, case_task__organisation_id=user.organisation_id) & _role_filter(
        user
    )
    return _ordered(
        Task.objects.filter(
            mine | queue,
            _task_case_visible(user),
            flow_task_type=HUMAN,
            case_task__due_on__lt=today,
        )
    )


def bounded_count(queryset: QuerySet, limit: int = COUNT_LIMIT) -> tuple[int, bool]:
    """Return (count, more) counting at most limit rows."""
    count = queryset.order_by()[: limit + 1].count()
    return min(count, limit), count > limit


@dataclass
class Page:
    items: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of(queryset: QuerySet, number: object, size: int = PAGE_SIZE) -> Page:
    """Return one page of queryset without counting it: a look-ahead row says if more exist."""
    try:
        number = max(1, min(int(number), MAX_PAGES))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return Page(items=rows[:size], number=number, has_next=len(rows) > size and number < MAX_PAGES)


# Checks used by the nodes: each is one query through case access.


def _task_rows(user: User, task: Task) -> QuerySet[CaseTask]:
    return CaseTask.objects.filter(task_id=task.pk, case__in=_visible_case_ids(user))


def task_visible_to(*, user: User, task: Task) -> bool:
    """Return whether user may see task: its case is visible to them."""
    if not is_case_staff(user):
        return False
    return _task_rows(user, task).exists()


def task_workable_by(*, user: User, task: Task) -> bool:
    """Return whether user may take and do task: case visible, right organisation and role."""
    if not is_case_staff(user):
        return False
    row = _task_rows(user, task).filter(organisation_id=user.organisation_id).first()
    if row is None:
        return False
    return not row.role or has_role(user, Role(row.role))


def task_supervised_by(*, user: User, task: Task) -> bool:
    """Return whether user supervises the organisation task is routed to (and sees the case)."""
    if not has_role(user, Role.SUPERVISOR):
        return False
    return (
        _task_rows(user, task).filter(organisation_id=user.organisation_id).exists()
        if is_case_staff(user)
        else False
    )


def url_target_exists(
    *, user: User, flow_class: type, process_pk: int, task_pk: int | None
) -> bool:
    """Return whether a task URL names a task of that process, of that flow, on a visible case."""
    if not is_case_staff(user):
        return False
    visible = _visible_case_ids(user)
    if task_pk is None:
        return CaseProcess.objects.filter(
            pk=process_pk, flow_class=flow_class, case__in=visible
        ).exists()
    return Task.objects.filter(
        pk=task_pk,
        process_id=process_pk,
        process__flow_class=flow_class,
        process__caseprocess__case__in=visible,
    ).exists()


def assignable_workers(*, task: Task) -> QuerySet[User]:
    """Return the staff of the task's organisation with its role who may see its case."""
    row = CaseTask.objects.select_related("case").get(task_id=task.pk)
    staff = User.objects.filter(
        is_active=True,
        organisation_id=row.organisation_id,
        groups__name__in=[role.value for role in STAFF_ROLES],
    )
    if row.role:
        staff = staff.filter(groups__name=row.role)
    granted = Q(
        caseuserobjectpermission__content_object_id=row.case_id,
        caseuserobjectpermission__permission__codename="view_case",
    )
    supervisors = Q(groups__name=Role.SUPERVISOR.value, organisation_id=row.case.organisation_id)
    # One organisation's staff: tens of people, bounded all the same.
    return staff.filter(granted | supervisors).distinct().order_by("last_name", "first_name")[:200]


# The case page.


@dataclass
class TaskLine:
    task: Task
    title: str
    due_on: datetime.date | None
    owner: User | None
    overdue: bool = False


# Events of guardian support that staff report from the case page.
GUARDIAN_EVENTS = {
    "contact": _("後見人等からの支援依頼"),
    "fee_ruling": _("報酬付与の審判"),
    "change": _("後見人等の交代"),
    "closing": _("後見等の終了"),
}


@dataclass
class ProcessSummary:
    process: CaseProcess
    title: str
    open_tasks: list[TaskLine] = field(default_factory=list)
    history: list[TaskLine] = field(default_factory=list)

    @property
    def detail_url_name(self) -> str:
        return f"inbox:{self.process.flow_class.slug}:process_detail"

    @property
    def events(self) -> list[tuple[str, str]]:
        from .guardian_support.flows import GuardianSupportFlow

        running = self.process.status not in (PROCESS.DONE, PROCESS.CANCELED)
        if self.process.flow_class is GuardianSupportFlow and running:
            return list(GUARDIAN_EVENTS.items())
        return []


HISTORY_LIMIT = 50


def case_workflows(*, user: User, case: Case) -> list[ProcessSummary]:
    """Return where each process of case stands and its completed tasks, newest first.

    The caller has already checked that user may see case; this checks again (one query).
    """
    if not cases_visible_to(user=user).filter(pk=case.pk).exists():
        return []
    today = timezone.localdate()
    processes = list(CaseProcess.objects.filter(case=case).order_by("-created")[:20])
    tasks = (
        Task.objects.filter(process__in=[p.pk for p in processes], flow_task_type=HUMAN)
        .select_related("case_task", "owner")
        .order_by("-created")
    )
    by_process: dict[int, ProcessSummary] = {
        p.pk: ProcessSummary(process=p, title=str(p.flow_class.process_title)) for p in processes
    }
    for task in tasks[: HISTORY_LIMIT * 4]:
        case_task = getattr(task, "case_task", None)
        due_on = case_task.due_on if case_task else None
        line = TaskLine(
            task=task,
            title=str(task.flow_task.task_title),
            due_on=due_on,
            owner=task.owner,
            overdue=bool(due_on and due_on < today and task.status in OPEN),
        )
        summary = by_process[task.process_id]
        if task.status in OPEN:
            summary.open_tasks.append(line)
        elif task.status == STATUS.DONE and len(summary.history) < HISTORY_LIMIT:
            summary.history.append(line)
    return list(by_process.values())


def due_state(due_on: datetime.date | None, today: datetime.date | None = None) -> str:
    """Return "overdue", "soon" or "" for a due date."""
    if due_on is None:
        return ""
    today = today or timezone.localdate()
    if due_on < today:
        return "overdue"
    if due_on <= today + datetime.timedelta(days=DUE_SOON_DAYS):
        return "soon"
    return ""
