"""The inbox selectors filter through case access in SQL; the page stays bounded."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import timezone
from viewflow.workflow.status import STATUS

from advocacy.accounts.roles import Role
from advocacy.cases.models import Case
from advocacy.cases.selectors import is_visible_to
from tests import factories
from tests.workflows.conftest import open_task, url
from workflows import selectors
from workflows.models import CaseTask
from workflows.reminders import reminders_send
from workflows.views import TABS

pytestmark = pytest.mark.django_db


def _ids(queryset):
    return [task.pk for task in queryset]


@pytest.fixture
def two_cases(walker, worker, supervisor):
    first, second = factories.case_for(worker), factories.case_for(worker)
    for case in (first, second):
        walker.start(worker, case)
    walker.step(worker, second, "consultation", "intake")
    walker.step(worker, second, "consultation", "triage", {"outcome": "information"})
    return first, second


def test_inbox_queue_and_overdue(users_by_role, worker, supervisor, two_cases):
    first, second = two_cases
    intake = open_task(first, "consultation", "intake")
    close = open_task(second, "consultation", "approve_close")

    assert _ids(selectors.inbox_tasks(user=worker)) == [intake.pk]
    assert _ids(selectors.queue_tasks(user=worker)) == []  # a supervisor's task
    assert _ids(selectors.queue_tasks(user=supervisor)) == [close.pk]
    assert _ids(selectors.inbox_tasks(user=supervisor)) == []
    for role in ("council_caseworker", "council_supervisor", "professional"):
        user = users_by_role[role]
        assert _ids(selectors.inbox_tasks(user=user)) == []
        assert _ids(selectors.queue_tasks(user=user)) == []

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    CaseTask.objects.filter(task=close).update(due_on=yesterday)
    assert _ids(selectors.overdue_tasks(user=supervisor)) == [close.pk]
    assert _ids(selectors.overdue_tasks(user=worker)) == []


def test_revoked_access_removes_the_task_from_the_inbox(worker, supervisor, two_cases):
    from advocacy.access.services import revoke

    first, _second = two_cases
    revoke(actor=supervisor, case=first, user=worker, reason="担当替え")
    assert _ids(selectors.inbox_tasks(user=worker)) == []


def test_overdue_and_due_soon_come_first(walker, worker):
    cases = [factories.case_for(worker) for _i in range(3)]
    for case in cases:
        walker.start(worker, case)
    tasks = [open_task(case, "consultation", "intake") for case in cases]
    today = timezone.localdate()
    CaseTask.objects.filter(task=tasks[2]).update(due_on=today - datetime.timedelta(days=2))
    CaseTask.objects.filter(task=tasks[1]).update(due_on=today + datetime.timedelta(days=1))
    assert _ids(selectors.inbox_tasks(user=worker)) == [tasks[2].pk, tasks[1].pk, tasks[0].pk]


def test_inbox_page_shows_case_numbers_not_names(walker, worker, two_cases):
    first, _second = two_cases
    response = walker.client(worker).get("/app/inbox/")
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert first.number in body
    assert "受付内容の確認" in body
    assert "試験 花子" not in body


def _inbox_queries(client, tab: str) -> tuple[int, int]:
    """Return the queries of a tab's page and of its lazily loaded count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(f"/app/inbox/?tab={tab}")  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as page_queries:
        response = client.get(f"/app/inbox/?tab={tab}&page=1")
    assert response.status_code == HTTPStatus.OK
    with CaptureQueriesContext(connection) as count_queries:
        response = client.get(f"/app/inbox/count/?tab={tab}")
    assert response.status_code == HTTPStatus.OK
    return len(page_queries), len(count_queries)


def _add_tasks(walker, worker, count: int) -> None:
    """Start count consultations, all overdue: intake tasks for worker, except that every
    tenth goes on to the supervisor's queue (approve_close)."""
    for i in range(count):
        case = factories.case_for(worker)
        walker.start(worker, case)
        if i % 10 == 0:
            walker.step(worker, case, "consultation", "intake")
            walker.step(worker, case, "consultation", "triage", {"outcome": "information"})
    CaseTask.objects.update(due_on=timezone.localdate() - datetime.timedelta(days=1))


def test_inbox_queries_do_not_grow_with_tasks(walker, worker, supervisor):
    """Every tab runs the same number of queries with 2 tasks as with 30, for both roles."""
    users = (worker, supervisor)
    _add_tasks(walker, worker, 2)
    few = {(u.pk, tab): _inbox_queries(walker.client(u), tab) for u in users for tab in TABS}
    _add_tasks(walker, worker, 28)
    many = {(u.pk, tab): _inbox_queries(walker.client(u), tab) for u in users for tab in TABS}
    assert many == few
    assert max(page for page, _count in many.values()) <= 20

    client = walker.client(worker)
    response = client.get("/app/inbox/?tab=mine&page=1")
    assert len(response.context["rows"]) == selectors.PAGE_SIZE
    assert response.context["page"].has_next
    assert selectors.tab_count(user=worker, tab="mine") == (26, False)  # 4 are in the queue
    second = client.get("/app/inbox/?tab=mine&page=2")
    assert len(second.context["rows"]) == 26 - selectors.PAGE_SIZE
    assert not second.context["page"].has_next
    assert client.get("/app/inbox/?page=999999").status_code == HTTPStatus.OK
    assert client.get("/app/inbox/?page=x&tab=nope").status_code == HTTPStatus.OK


def test_tab_counts_are_bounded_and_lazy(walker, worker, supervisor, users_by_role):
    _add_tasks(walker, worker, 4)  # 3 intake tasks for worker, 1 for the supervisor, overdue
    assert selectors.tab_count(user=worker, tab="mine", limit=2) == (2, True)
    assert selectors.tab_count(user=worker, tab="mine", limit=5) == (3, False)
    assert selectors.tab_count(user=supervisor, tab="queue") == (1, False)
    assert selectors.tab_count(user=supervisor, tab="overdue") == (1, False)

    client = walker.client(worker)
    page = client.get("/app/inbox/?tab=queue").content.decode()
    # Every count, the open tab's too, is fetched by the browser after the page.
    assert 'src="/app/inbox/count/?tab=mine"' in page
    assert 'src="/app/inbox/count/?tab=overdue"' in page
    assert 'src="/app/inbox/count/?tab=queue"' in page
    assert "（0）" not in page and "（3）" not in page
    badge = client.get("/app/inbox/count/?tab=mine").content.decode()
    assert 'id="tab-count-mine"' in badge and "（3）" in badge
    assert client.get("/app/inbox/count/?tab=nope").status_code == HTTPStatus.NOT_FOUND
    outsider = walker.client(users_by_role["professional"])
    assert outsider.get("/app/inbox/count/?tab=mine").status_code == HTTPStatus.FORBIDDEN


def test_case_task_follows_status_and_owner(walker, worker, supervisor, case):
    """CaseTask's copies of status and owner follow every change viewflow makes."""

    def copy(task):
        row = CaseTask.objects.get(task=task)
        task.refresh_from_db()
        assert (row.status, row.owner_id) == (task.status, task.owner_id)
        return row.status, row.owner_id

    walker.start(worker, case)
    intake = open_task(case, "consultation", "intake")
    assert copy(intake) == (STATUS.ASSIGNED, worker.pk)  # assigned at creation
    response = walker.client(worker).post(url(intake, "unassign"))
    assert response.status_code == HTTPStatus.FOUND
    assert copy(intake) == (STATUS.NEW, None)
    assert _ids(selectors.queue_tasks(user=worker)) == [intake.pk]
    walker.step(worker, case, "consultation", "intake")  # takes it again, then completes
    assert copy(intake) == (STATUS.DONE, worker.pk)
    assert _ids(selectors.inbox_tasks(user=worker)) == [
        open_task(case, "consultation", "triage").pk
    ]
    walker.step(worker, case, "consultation", "triage", {"outcome": "information"})
    close = open_task(case, "consultation", "approve_close")
    assert copy(close) == (STATUS.NEW, None)
    response = walker.client(supervisor).post(url(close, "assign"))
    assert response.status_code == HTTPStatus.FOUND
    assert copy(close) == (STATUS.ASSIGNED, supervisor.pk)
    assert _ids(selectors.inbox_tasks(user=supervisor)) == [close.pk]
    assert _ids(selectors.queue_tasks(user=supervisor)) == []


def test_inbox_is_for_staff(users_by_role, walker):
    for role in ("professional", "committee_member"):
        response = walker.client(users_by_role[role]).get("/app/inbox/")
        assert response.status_code == HTTPStatus.FORBIDDEN


def test_case_page_selector_and_include(walker, worker, supervisor, users_by_role, two_cases):
    _first, second = two_cases
    summaries = selectors.case_workflows(user=worker, case=second)
    assert len(summaries) == 1
    assert [line.title for line in summaries[0].open_tasks] == ["終結の承認"]
    assert [line.title for line in summaries[0].history] == ["振り分け", "受付内容の確認"]
    assert selectors.case_workflows(user=users_by_role["council_caseworker"], case=second) == []
    html = render_to_string(
        "workflows/case_workflows.html",
        {"case": second, "workflows": summaries, "can_change": True},
    )
    assert "終結の承認" in html
    assert f"/app/inbox/consultation/{summaries[0].process.pk}/" in html


def test_case_page_section_checks_again_unless_the_case_was_read_for_that_user(
    worker, users_by_role, two_cases, django_assert_num_queries
):
    from advocacy.cases.selectors import case_get_for

    _first, second = two_cases
    stranger = users_by_role["council_caseworker"]
    read_for_worker = case_get_for(user=worker, case_id=second.pk)
    # A case read for one user and handed to a section for another is checked again, refused.
    assert selectors.case_workflows(user=stranger, case=read_for_worker) == []
    # Read for this user in this request: the section does not run the check a second time.
    with django_assert_num_queries(0) as captured:
        visible = is_visible_to(user=worker, case=read_for_worker)
    assert visible and not captured.captured_queries
    # A case from elsewhere (not through case_get_for) is asked about.
    plain = Case.objects.get(pk=second.pk)
    with django_assert_num_queries(1):
        assert is_visible_to(user=worker, case=plain)
    with django_assert_num_queries(1):
        assert not is_visible_to(user=stranger, case=plain)


def test_reminders_are_sent_once_without_personal_data(walker, worker, supervisor, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    case = factories.case_for(worker)
    walker.start(worker, case)
    intake = open_task(case, "consultation", "intake")
    today = timezone.localdate()
    CaseTask.objects.filter(task=intake).update(due_on=today + datetime.timedelta(days=2))

    assert reminders_send() == 1
    assert reminders_send() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [worker.email]
    assert case.number in message.subject
    assert "受付内容の確認" in message.body
    assert "試験" not in message.body + message.subject
    assert "架空" not in message.body + message.subject

    # Once overdue it is reminded once more, and only once.
    CaseTask.objects.filter(task=intake).update(due_on=today - datetime.timedelta(days=1))
    call_command("send_reminders")
    call_command("send_reminders")
    assert len(mail.outbox) == 2
    assert "期限超過" in mail.outbox[1].subject


def test_queue_reminders_go_to_the_role(walker, worker, city, supervisor, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    other_supervisor = factories.user(Role.CITY_CASEWORKER, Role.SUPERVISOR, organisation=city)
    case = factories.case_for(worker)
    walker.start(worker, case)
    walker.step(worker, case, "consultation", "intake")
    walker.step(worker, case, "consultation", "triage", {"outcome": "information"})
    close = open_task(case, "consultation", "approve_close")
    CaseTask.objects.filter(task=close).update(due_on=timezone.localdate())

    assert reminders_send() == 1
    assert sorted(mail.outbox[0].to) == sorted([supervisor.email, other_supervisor.email])


def test_a_tab_page_reads_each_lane_only_as_far_as_the_page(walker, worker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _add_tasks(walker, worker, 3)
    with CaptureQueriesContext(connection) as first:
        page = selectors.tab_page(user=worker, tab="mine", number=1)
    with CaptureQueriesContext(connection) as third:
        selectors.tab_page(user=worker, tab="mine", number=3)

    assert len(page.items) == 2 and not page.has_next

    def page_statement(queries):
        statements = [q["sql"] for q in queries if 'FROM "workflows_casetask"' in q["sql"]]
        assert len(statements) == 1  # the lanes, the window and the rows: one statement
        return statements[0]

    # "mine" is one lane, cut where the page ends; the window is the page and one more row.
    for queries, lane_limit, window in (
        (first, 26, "LIMIT 26 OFFSET 0"),
        (third, 76, "LIMIT 26 OFFSET 50"),
    ):
        sql = page_statement(queries)
        assert re.findall(r"LIMIT (\d+)\) lane\d", sql) == [str(lane_limit)]
        assert window in sql


# The inbox's rows as the template's loop wrote them before they were written in Python.
TEMPLATE_ROWS = (
    "{% load i18n case_format %}    <tbody>\n"
    "    {% for row in rows %}\n"
    '      <tr data-testid="task-row">\n'
    "        <td>{% if row.due_on %}{{ row.due_on|jdate }}{% if row.due_state == 'overdue' %} "
    "<span class=\"adv-badge adv-badge--urgent\">{% trans '期限超過' %}</span>"
    "{% elif row.due_state == 'soon' %} <span class=\"adv-badge\">{% trans 'まもなく期限' %}"
    "</span>{% endif %}{% else %}—{% endif %}</td>\n"
    "        <td>{{ row.case_number }}</td>\n"
    "        <td>{{ row.process_title }}</td>\n"
    '        <td><a href="{{ row.url }}" data-testid="task-link">{{ row.title }}</a></td>\n'
    '        <td>{{ row.owner|default:"—" }}</td>\n'
    "      </tr>\n"
    "    {% endfor %}\n"
    "    </tbody>"
)


def test_inbox_rows_are_the_markup_the_template_wrote():
    from django.template import engines

    from workflows.views import rows_html

    today = timezone.localdate()
    rows = [
        {
            "due_on": due_on,
            "due_state": selectors.due_state(due_on, today),
            "case_number": number,
            "process_title": "相談受付",
            "title": title,
            "url": url,
            "owner": owner,
        }
        for due_on, number, title, url, owner in (
            (
                today - datetime.timedelta(days=3),
                "R8-0001",
                "受付内容の確認",
                "/app/x/1/2/",
                "高島 花子",
            ),
            (today + datetime.timedelta(days=2), "R8-0002", "振り分け", "/app/x/3/4/", ""),
            (today + datetime.timedelta(days=30), "R8-<3>", "a & <b>", '/app/"q"/?a=1&b=2', "<i>"),
            (None, "R8-0004", "終結の承認", "/app/x/5/6/", "sv"),
        )
    ]
    template = engines["django"].from_string(TEMPLATE_ROWS)
    assert template.render({"rows": rows}) == f"    <tbody>\n    {rows_html(rows)}\n    </tbody>"
    assert template.render({"rows": []}) == f"    <tbody>\n    {rows_html([])}\n    </tbody>"
