"""Reads of processes and tasks that depend on the user: filtered in SQL through case access."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from advocacy.access.selectors import case_visibility_probe
from advocacy.accounts.models import User
from advocacy.accounts.roles import STAFF_ROLES, Role, has_role, is_case_staff, roles_of
from advocacy.cases.models import Case, Decision, Petition, Referral
from advocacy.cases.selectors import is_visible_to, last_decision
from advocacy.statements import Statement

from .models import CaseProcess, CaseTask

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
    from viewflow.workflow.base import Node

PAGE_SIZE = 25
# Counts stop here ("1000+"): counting a huge queue exactly costs more than it tells.
COUNT_LIMIT = 1000
# Pages stop where the count does: the pages of a tab are cut from one bounded read.
MAX_PAGES = COUNT_LIMIT // PAGE_SIZE
DUE_SOON_DAYS = 7
OPEN = (STATUS.NEW, STATUS.ASSIGNED)
HUMAN = "HUMAN"
# Deactivated accounts whose left-behind tasks the queue shows (an organisation has tens).
LEFT_BEHIND_LIMIT = 500


def _case_visible(user: User, case: str = "case") -> Q:
    """Match rows whose case (the ``case`` path: a foreign key to Case) user may see."""
    return case_visibility_probe(user=user, case=case)


def _roles(user: User) -> list[str]:
    """The task roles user may take ("" is any caseworker), each served by its own index range."""
    return sorted({"", *(role.value for role in roles_of(user))})


# A tab's visible tasks, as one derived table ("v") with these columns, read by every lane.
_COLUMNS = {
    "r_due": "due_on",
    "r_task": "task_id",
    "r_number": "case__number",
    "r_owner": "owner_id",
    "r_status": "status",
    "r_org": "organisation_id",
    "r_role": "role",
}
# A lane's rows in the order of its index range: due first (none last), then oldest task.
_LANE_ORDER = "ORDER BY v.r_due ASC NULLS LAST, v.r_task ASC"


@dataclass(frozen=True)
class _Tab:
    """A tab as SQL: the visible tasks (``base``, built by the ORM once) and its lanes.

    Each lane is a condition on ``v`` that one index range answers (see ``_tab``).
    """

    base: str
    params: tuple
    lanes: list[tuple[str, list]]

    def union(self, columns: str, limit: int, *, ordered: bool = True) -> tuple[str, list]:
        """Return the lanes, each cut at limit (in its order when ordered), as one UNION ALL."""
        parts: list[str] = []
        params: list = []
        for number, (condition, condition_params) in enumerate(self.lanes):
            order = _LANE_ORDER if ordered else ""
            # Each lane in its own derived table, so that it may have its own ORDER BY and
            # LIMIT on SQLite as on PostgreSQL; PostgreSQL pulls the base up into it.
            parts.append(
                f"SELECT * FROM (SELECT {columns} FROM ({self.base}) v WHERE {condition} "  # noqa: S608
                f"{order} LIMIT {int(limit)}) lane{number}"
            )
            params += [*self.params, *condition_params]
        return " UNION ALL ".join(parts), params


def _tab(user: User, tab: str, today: datetime.date | None = None) -> _Tab | None:
    """Return the tab as disjoint lanes of one statement, or None when user has no tasks.

    "mine" is (owner, ASSIGNED); the queue is (organisation, role, NEW) for each of the
    user's roles, and the tasks deactivated accounts still hold; "overdue" is both with
    ``due_on < today``. Each lane reads the index in (due_on, task) order, so a LIMIT stops
    the walk early whatever the size of the tables. The visibility rule is the access
    probe's, compiled once for all the lanes (building it per lane was most of the page's
    Python); the lanes' own conditions are written here.
    """
    if tab not in ("mine", "queue", "overdue"):
        raise ValueError(tab)
    organisation_id = user.organisation_id
    if not is_case_staff(user) or organisation_id is None:
        return None
    visible = CaseTask.objects.filter(_case_visible(user))
    if tab == "overdue":
        visible = visible.filter(due_on__lt=today or timezone.localdate())
    try:
        base, params = (
            visible.order_by()
            .values(**{name: F(path) for name, path in _COLUMNS.items()})
            .query.sql_with_params()
        )
    except EmptyResultSet:
        return None
    organisation = CaseTask._meta.get_field("organisation").get_db_prep_value(
        organisation_id, connection
    )
    mine = [("v.r_owner = %s AND v.r_status = %s", [user.pk, STATUS.ASSIGNED])]
    if tab == "mine":
        return _Tab(base, params, mine)
    roles = _roles(user)
    queue = [
        ("v.r_org = %s AND v.r_role = %s AND v.r_status = %s", [organisation, role, STATUS.NEW])
        for role in roles
    ]
    queue += _left_behind(organisation, roles)
    return _Tab(base, params, queue if tab == "queue" else mine + queue)


def _left_behind(organisation: object, roles: list[str]) -> list[tuple[str, list]]:
    """The lane of open tasks held by deactivated accounts of the organisation, if any.

    ``user_deactivate`` puts them back in the queue (``handover.user_release``); this is the
    belt for an account closed some other way. The accounts are looked up first (a short
    list, most often empty: no lane), then read on the "mine" index. Inside the lane as a
    subquery, PostgreSQL walked every assigned task of the organisation (about 100 ms).
    """
    quote = connection.ops.quote_name
    gone = [
        pk
        for (pk,) in _read(
            f"SELECT {quote('id')} FROM {quote(User._meta.db_table)} "  # noqa: S608
            f"WHERE {quote('organisation_id')} = %s AND {quote('is_active')} = %s "
            f"LIMIT {LEFT_BEHIND_LIMIT}",
            [organisation, False],
        )
    ]
    if not gone:
        return []
    return [
        (
            f"v.r_owner IN ({', '.join(['%s'] * len(gone))}) AND v.r_status = %s "
            f"AND v.r_org = %s AND v.r_role IN ({', '.join(['%s'] * len(roles))})",
            [*gone, STATUS.ASSIGNED, organisation, *roles],
        )
    ]


def _read(sql: str, params: list) -> list[tuple]:
    # Every statement here is made of the ORM's compiled SQL, our models' quoted names and
    # int()-ed limits; every value is a parameter (hence the S608 exemptions).
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def tab_task_ids(
    *, user: User, tab: str, limit: int = COUNT_LIMIT + 1, today: datetime.date | None = None
) -> list[int]:
    """Return the first limit task ids of a tab, overdue and due soon first, oldest first.

    One statement: each lane an index range read in order and cut at limit, merged by the
    database. Its size depends on the user's roles, never on the number of tasks.
    """
    lanes = _tab(user, tab, today)
    if lanes is None:
        return []
    union, params = lanes.union("v.r_due, v.r_task", limit)
    rows = _read(f"{union} ORDER BY 1 ASC NULLS LAST, 2 ASC LIMIT {int(limit)}", params)
    return [task_id for _due, task_id in rows]


def tasks_by_ids(ids: list[int]) -> list[Task]:
    """Return the tasks of ids, in that order, with what a list row shows (one query)."""
    tasks = Task.objects.select_related("case_task__case", "owner").in_bulk(ids)
    return [tasks[pk] for pk in ids if pk in tasks]


def inbox_tasks(*, user: User, limit: int = COUNT_LIMIT) -> list[Task]:
    """Return the open tasks assigned to user, on cases they may still see."""
    return tasks_by_ids(tab_task_ids(user=user, tab="mine", limit=limit))


def queue_tasks(*, user: User, limit: int = COUNT_LIMIT) -> list[Task]:
    """Return the unassigned tasks of user's organisation and roles that user may take."""
    return tasks_by_ids(tab_task_ids(user=user, tab="queue", limit=limit))


def overdue_tasks(
    *, user: User, today: datetime.date | None = None, limit: int = COUNT_LIMIT
) -> list[Task]:
    """Return open tasks past their due date that are user's or in user's queue."""
    return tasks_by_ids(tab_task_ids(user=user, tab="overdue", limit=limit, today=today))


def tab_count(*, user: User, tab: str, limit: int = COUNT_LIMIT) -> tuple[int, bool]:
    """Return (count, more) for a tab, counting at most limit + 1 rows per lane (one query)."""
    lanes = _tab(user, tab)
    if lanes is None:
        return 0, False
    union, params = lanes.union("v.r_task", limit + 1, ordered=False)
    count = _read(f"SELECT COUNT(*) FROM ({union}) counted", params)[0][0]  # noqa: S608
    return min(count, limit), count > limit


@dataclass(frozen=True)
class TabRow:
    """One task of an inbox page: what its row shows, read without the models."""

    task_id: int
    process_id: int
    flow_task: Node
    case_number: str
    due_on: datetime.date | None
    owner: str  # the owner as User.__str__ writes them; "" for none


def tab_rows(*, user: User, tab: str, start: int, size: int) -> list[TabRow]:
    """Return size + 1 rows of a tab from start (the extra one says there is a next page).

    One statement: the lanes cut at start + size + 1, merged, that window of them, and their
    tasks' flow step, process and owner.
    """
    lanes = _tab(user, tab)
    if lanes is None:
        return []
    union, params = lanes.union("v.r_due, v.r_task, v.r_number", start + size + 1)
    quote = connection.ops.quote_name
    tasks, users = quote(Task._meta.db_table), quote(User._meta.db_table)
    sql = (
        f"SELECT p.r_due, p.r_task, p.r_number, t.{quote('process_id')}, "  # noqa: S608
        f"t.{quote('flow_task')}, t.{quote('owner_id')}, u.{quote('username')}, "
        f"u.{quote('last_name')}, u.{quote('first_name')} "
        f"FROM ({union} ORDER BY 1 ASC NULLS LAST, 2 ASC LIMIT {int(size) + 1} "
        f"OFFSET {int(start)}) p "
        f"INNER JOIN {tasks} t ON t.{quote('id')} = p.r_task "
        f"LEFT OUTER JOIN {users} u ON u.{quote('id')} = t.{quote('owner_id')} "
        f"ORDER BY p.r_due ASC NULLS LAST, p.r_task ASC"
    )
    due_field = CaseTask._meta.get_field("due_on")
    flow_field = Task._meta.get_field("flow_task")
    # A page holds a few kinds of step and one or a few owners: each is made once.
    nodes: dict[str, Node] = {}
    owners: dict[int, str] = {}
    rows = []
    for due, task_id, number, process_id, flow_ref, owner_id, username, last, first in _read(
        sql, params
    ):
        if flow_ref not in nodes:
            nodes[flow_ref] = flow_field.from_db_value(flow_ref, None, connection)
        if owner_id is not None and owner_id not in owners:
            owners[owner_id] = str(User(username=username, last_name=last, first_name=first))
        rows.append(
            TabRow(
                task_id=task_id,
                process_id=process_id,
                flow_task=nodes[flow_ref],
                case_number=number,
                due_on=due_field.to_python(due),
                owner=owners.get(owner_id, "") if owner_id is not None else "",
            )
        )
    return rows


@dataclass
class Page:
    items: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def tab_page(*, user: User, tab: str, number: str | int | None, size: int = PAGE_SIZE) -> Page:
    """Return one page of a tab, reading each lane only as far as that page reaches.

    The tab's count is not part of it (tab_count, fetched lazily by the browser): counting
    walks up to COUNT_LIMIT rows per lane, and the page should not wait for that. Pages stop
    at MAX_PAGES, where the count does: nobody pages through a thousand tasks.
    """
    try:
        page_number = max(1, min(int(number if number is not None else 1), MAX_PAGES))
    except (TypeError, ValueError):
        page_number = 1
    rows = tab_rows(user=user, tab=tab, start=(page_number - 1) * size, size=size)
    return Page(
        items=rows[:size],
        number=page_number,
        has_next=len(rows) > size and page_number < MAX_PAGES,
    )


# Checks used by the nodes: each is one query through case access.


def _task_rows(user: User, task: Task) -> QuerySet[CaseTask]:
    return CaseTask.objects.filter(_case_visible(user), task_id=task.pk)


def task_visible_to(*, user: User, task: Task) -> bool:
    """Return whether user may see task: its case is visible to them."""
    if not is_case_staff(user):
        return False
    return _task_rows(user, task).exists()


def task_workable_by(*, user: User, task: Task) -> bool:
    """Return whether user may take and do task: case visible, right organisation and role."""
    organisation_id = user.organisation_id
    if not is_case_staff(user) or organisation_id is None:
        return False
    row = _task_rows(user, task).filter(organisation_id=organisation_id).first()
    if row is None:
        return False
    return not row.role or has_role(user, Role(row.role))


def task_supervised_by(*, user: User, task: Task) -> bool:
    """Return whether user supervises the organisation task is routed to (and sees the case)."""
    organisation_id = user.organisation_id
    if not has_role(user, Role.SUPERVISOR) or organisation_id is None:
        return False
    return (
        _task_rows(user, task).filter(organisation_id=organisation_id).exists()
        if is_case_staff(user)
        else False
    )


def url_target_exists(
    *, user: User, flow_class: type, process_pk: int, task_pk: int | None
) -> bool:
    """Return whether a task URL names a task of that process, of that flow, on a visible case."""
    if not is_case_staff(user):
        return False
    if task_pk is None:
        return CaseProcess.objects.filter(
            _case_visible(user), pk=process_pk, flow_class=flow_class
        ).exists()
    return Task.objects.filter(
        _case_visible(user, "process__caseprocess__case"),
        pk=task_pk,
        process_id=process_pk,
        process__flow_class=flow_class,
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
    # Where a supervisor gives the task to someone else; empty for everyone else.
    reassign_url: str = ""


# Events of guardian support that staff report from the case page.
GUARDIAN_EVENTS = {
    "contact": _("後見人等からの支援依頼"),
    "fee_ruling": _("報酬付与の審判"),
    "change": _("後見人等の交代・追加"),
    "closing": _("後見等の終了"),
    "support_end": _("支援の終結（後見等は継続）"),
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
    def events(self) -> list[tuple[str, StrOrPromise]]:
        running = self.process.status not in (PROCESS.DONE, PROCESS.CANCELED)
        if self.process.flow_class.stage == Case.Stage.GUARDIAN_SUPPORT and running:
            return list(GUARDIAN_EVENTS.items())
        return []


HISTORY_LIMIT = 50


# The case page's processes (the newest PROCESSES_SHOWN) and their people's tasks, newest
# first: read on every case page, so compiled once (advocacy.statements).
PROCESSES_SHOWN = 20


def _case_processes_build(*, case_id: object) -> QuerySet[CaseProcess]:
    return CaseProcess.objects.filter(case_id=case_id).order_by("-created")[:PROCESSES_SHOWN]


def _case_tasks_build(*, case_id: object) -> QuerySet[Task]:
    shown = _case_processes_build(case_id=case_id).values("pk")
    return (
        Task.objects.filter(process__in=shown, flow_task_type=HUMAN)
        .select_related("case_task", "owner")
        .order_by("-created")[: HISTORY_LIMIT * 4]
    )


_CASE_PROCESSES = Statement(_case_processes_build)
_CASE_TASKS = Statement(_case_tasks_build)


def case_workflows(*, user: User, case: Case) -> list[ProcessSummary]:
    """Return where each process of case stands and its completed tasks, newest first.

    The caller has already checked that user may see case; this checks again (a query unless
    the case was read for user by ``case_get_for``).
    """
    if not is_visible_to(user=user, case=case):
        return []
    today = timezone.localdate()
    supervisor = has_role(user, Role.SUPERVISOR)
    processes = _CASE_PROCESSES(case_id=case.pk)
    by_process: dict[int, ProcessSummary] = {
        p.pk: ProcessSummary(process=p, title=str(p.flow_class.process_title)) for p in processes
    }
    for task in _CASE_TASKS(case_id=case.pk) if processes else []:
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
            if supervisor and task.flow_task.can_reassign(user, task):
                line.reassign_url = task.flow_task.reverse(
                    "reassign", args=[task.process_id, task.pk]
                )
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


@dataclass(frozen=True)
class CaseSummary:
    """What a task page shows of its case: clear columns only, nothing to decrypt."""

    stage: str
    age_band: str
    area: str
    deadlines: list[tuple[str, datetime.date]]
    decision: Decision | None
    petition: Petition | None


def task_case_summary(*, case: Case, process: CaseProcess) -> CaseSummary:
    """Return the short summary of case shown on every task page (the caller may see case).

    Deadlines are the case's open tasks with a due date and its referrals awaiting their
    follow-up, soonest first; the decision is the latest case conference's.
    """
    person = case.person
    deadlines: list[tuple[str, datetime.date]] = [
        (str(row.task.flow_task.task_title), row.due_on)
        for row in CaseTask.objects.filter(
            task__process__caseprocess__case=case, status__in=OPEN, due_on__isnull=False
        )
        .select_related("task")
        .order_by("due_on")[:5]
        if row.due_on is not None
    ]
    deadlines += [
        (str(_("つないだ先の確認")), due)
        for due in Referral.objects.filter(case=case, followed_up_on__isnull=True)
        .order_by("follow_up_due")
        .values_list("follow_up_due", flat=True)[:3]
        if due is not None
    ]
    return CaseSummary(
        stage=case.get_stage_display(),
        age_band=person.age_band or "—",
        area=str(person.area) if person.area_id else "—",
        deadlines=sorted(deadlines, key=lambda item: item[1]),
        decision=last_decision(case_id=case.pk),
        petition=process.petition if process.petition_id else None,
    )
