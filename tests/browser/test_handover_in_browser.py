"""A supervisor hands a leaving worker's cases over in the browser (人事異動), split by case.

The supervisor logs in through the login form, opens the handover from the inbox, picks the
leaving worker, sends one case to one colleague and the other to another, reads the
confirmation and confirms. The database is read only while the browser is idle.
"""

from __future__ import annotations

import re

import pytest
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from advocacy.access.models import CaseUserObjectPermission
from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Case
from tests import factories
from workflows.consultation.start import consultation_start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_task(case: Case) -> Task:
    return Task.objects.get(
        process__caseprocess__case=case, flow_task_type="HUMAN", status__in=[STATUS.ASSIGNED]
    )


def test_a_supervisor_hands_over_a_leaving_workers_cases(live_server, page, city):
    leaving = factories.user(Role.CITY_CASEWORKER, organisation=city, username="leaving-worker")
    first = factories.user(Role.CITY_CASEWORKER, organisation=city, username="first-colleague")
    second = factories.user(Role.CITY_CASEWORKER, organisation=city, username="second-colleague")
    supervisor = factories.user(
        Role.CITY_CASEWORKER, Role.SUPERVISOR, organisation=city, username="handover-supervisor"
    )
    cases = [factories.case_for(leaving), factories.case_for(leaving)]
    for case in cases:
        consultation_start(actor=leaving, case=case)
    tasks = [_open_task(case) for case in cases]
    assert {task.owner_id for task in tasks} == {leaving.pk}

    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", supervisor.username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/app/inbox/")

    page.get_by_test_id("handover-link").click()
    page.wait_for_url(f"{live_server.url}/app/inbox/handover/")
    page.get_by_test_id(f"handover-choose-{leaving.pk}").click()
    page.wait_for_url(f"{live_server.url}/app/inbox/handover/{leaving.pk}/")
    assert page.get_by_test_id("handover-case").count() == 2

    page.select_option("select[name=to]", str(first.pk))
    page.select_option(f"select[name=to_{cases[1].pk}]", str(second.pk))
    page.get_by_test_id("handover-next").click()

    rows = page.get_by_test_id("handover-summary-row")
    rows.first.wait_for()
    assert rows.count() == 2
    assert str(first) in rows.nth(0).inner_text() and "取り消す" in rows.nth(0).inner_text()
    assert str(second) in rows.nth(1).inner_text()
    page.get_by_test_id("handover-execute").click()

    page.wait_for_url(re.compile(r".*/app/inbox/handover/$"))
    page.get_by_text("担当を引き継ぎました").first.wait_for()
    page.wait_for_load_state("networkidle")

    for case, task, colleague in zip(cases, tasks, (first, second), strict=True):
        case.refresh_from_db()
        task.refresh_from_db()
        assert case.assigned_worker_id == colleague.pk
        assert task.owner_id == colleague.pk
    assert not CaseUserObjectPermission.objects.filter(user=leaving).exists()
    assert AuditEvent.objects.filter(action=Action.STAFF_HANDOVER).count() == 1
