"""Who may see, take and do a task: the wrong role gets 403, another organisation 404."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from advocacy.access.services import STAFF_PERMISSIONS, grant
from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from tests import factories
from tests.portal.otp import force_login_verified
from tests.workflows.conftest import open_names, open_task, process_of, url

pytestmark = pytest.mark.django_db


def _refusals() -> int:
    # A refusal (404, 403) is ACCESS_DENIED, written by access.refusals; a lost race (409)
    # TASK_REFUSED, written by the task guard. Each request writes exactly one of them.
    return AuditEvent.objects.filter(action__in=[Action.ACCESS_DENIED, Action.TASK_REFUSED]).count()


def _client(user) -> Client:
    client = Client()
    if user is not None:
        force_login_verified(client, user)
    return client


@pytest.fixture
def intake(walker, worker, case):
    walker.start(worker, case)
    return open_task(case, "consultation", "intake")


@pytest.fixture
def supervisor_task(walker, worker, case):
    walker.start(worker, case)
    walker.step(worker, case, "consultation", "intake")
    walker.step(worker, case, "consultation", "triage", {"outcome": "information"})
    return open_task(case, "consultation", "approve_close")


OTHER_ORGANISATION = ["council_caseworker", "council_supervisor"]
# Not case staff at all: the inbox application itself turns them away.
NOT_STAFF = ["professional", "committee_member", "system_admin", "no_role"]
ACTIONS = ["execute", "detail", "index", "assign", "unassign", "reassign"]


@pytest.mark.parametrize("role", OTHER_ORGANISATION)
@pytest.mark.parametrize("action", ACTIONS)
def test_another_organisations_staff_get_404(users_by_role, intake, role, action):
    before = _refusals()
    response = _client(users_by_role[role]).get(url(intake, action))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert _refusals() == before + 1


@pytest.mark.parametrize("role", NOT_STAFF)
@pytest.mark.parametrize("action", ACTIONS)
def test_other_roles_get_403(users_by_role, intake, role, action):
    response = _client(users_by_role[role]).get(url(intake, action))
    assert response.status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("role", OTHER_ORGANISATION + NOT_STAFF)
def test_outsiders_cannot_post_either(users_by_role, intake, role):
    response = _client(users_by_role[role]).post(url(intake, "execute"), {"confirmed": "on"})
    assert response.status_code in (HTTPStatus.NOT_FOUND, HTTPStatus.FORBIDDEN)
    intake.refresh_from_db()
    assert intake.status == STATUS.ASSIGNED


def test_anonymous_is_sent_to_login(intake):
    response = _client(None).get(url(intake, "execute"))
    assert response.status_code == HTTPStatus.FOUND
    assert "/accounts/login/" in response["Location"]


def test_caseworker_not_granted_the_case_gets_404(city, intake):
    other = factories.user(Role.CITY_CASEWORKER, organisation=city)
    assert _client(other).get(url(intake, "execute")).status_code == HTTPStatus.NOT_FOUND


def test_supervisor_may_see_but_not_do_a_workers_task(supervisor, intake):
    client = _client(supervisor)
    assert client.get(url(intake, "detail")).status_code == HTTPStatus.OK
    before = _refusals()
    response = client.post(url(intake, "execute"), {"confirmed": "on"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert _refusals() == before + 1
    intake.refresh_from_db()
    assert intake.status == STATUS.ASSIGNED


def test_caseworker_cannot_take_a_supervisor_task(worker, supervisor_task):
    response = _client(worker).post(url(supervisor_task, "assign"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    supervisor_task.refresh_from_db()
    assert supervisor_task.owner_id is None


def test_other_organisations_supervisor_cannot_take_it(users_by_role, supervisor_task):
    response = _client(users_by_role["council_supervisor"]).post(url(supervisor_task, "assign"))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_completing_twice_is_a_clear_conflict(walker, worker, case, intake):
    client = walker.client(worker)
    assert client.post(url(intake, "execute"), {"confirmed": "on"}).status_code == 302
    before = _refusals()
    response = client.post(url(intake, "execute"), {"confirmed": "on"})
    assert response.status_code == HTTPStatus.CONFLICT
    assert "すでに完了" in response.content.decode()
    assert _refusals() == before + 1
    assert open_names(case) == ["triage"]


def test_posting_to_a_finished_process_is_refused(walker, supervisor, case, supervisor_task):
    walker.step(
        supervisor,
        case,
        "consultation",
        "approve_close",
        {"reason": "information_given", "closed_on": timezone.localdate().isoformat()},
    )
    response = walker.client(supervisor).post(
        url(supervisor_task, "execute"),
        {"reason": "other", "closed_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == HTTPStatus.CONFLICT
    case.refresh_from_db()
    assert case.closing_reason == "information_given"


def test_a_task_url_from_another_flow_is_404(walker, worker, case):
    walker.start(worker, case)
    walker.step(worker, case, "consultation", "intake")
    walker.step(worker, case, "consultation", "triage", {"outcome": "coordination"})
    assessment = open_task(case, "coordination", "assessment")
    consultation = process_of(case, "consultation")
    before = _refusals()
    crafted = f"/app/inbox/consultation/{assessment.process_id}/intake/{assessment.pk}/execute/"
    response = walker.client(worker).post(crafted, {"confirmed": "on"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    crafted = f"/app/inbox/coordination/{consultation.pk}/assessment/{assessment.pk}/execute/"
    response = walker.client(worker).post(crafted, {"assessed_on": "2026-01-01"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert _refusals() == before + 2
    assessment.refresh_from_db()
    assert assessment.status == STATUS.ASSIGNED


def test_a_task_url_with_another_cases_process_is_404(walker, worker, intake):
    other_case = factories.case_for(worker)
    walker.start(worker, other_case)
    other = open_task(other_case, "consultation", "intake")
    crafted = f"/app/inbox/consultation/{other.process_id}/intake/{intake.pk}/execute/"
    response = walker.client(worker).post(crafted, {"confirmed": "on"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert Task.objects.get(pk=intake.pk).status == STATUS.ASSIGNED


def test_process_page_and_chart_follow_case_access(users_by_role, worker, intake):
    detail = f"/app/inbox/consultation/{intake.process_id}/"
    chart = f"/app/inbox/consultation/{intake.process_id}/chart/"
    assert _client(worker).get(detail).status_code == HTTPStatus.OK
    assert _client(worker).get(chart).status_code == HTTPStatus.OK
    council = users_by_role["council_caseworker"]
    assert _client(council).get(detail).status_code == HTTPStatus.NOT_FOUND
    assert _client(council).get(chart).status_code == HTTPStatus.NOT_FOUND


def test_viewflow_lists_are_not_exposed(worker, intake):
    client = _client(worker)
    for path in ("/app/inbox/consultation/flows/", "/app/inbox/consultation/tasks/"):
        assert client.get(path).status_code == HTTPStatus.NOT_FOUND


def test_supervisor_reassigns_within_the_organisation(
    walker, city, worker, supervisor, case, intake
):
    colleague = factories.user(Role.CITY_CASEWORKER, organisation=city)
    stranger = factories.user(Role.CITY_CASEWORKER, organisation=city)  # not granted the case
    grant(
        actor=supervisor,
        case=case,
        user=colleague,
        permissions=STAFF_PERMISSIONS,
        reason="担当替え",
    )

    client = walker.client(supervisor)
    response = client.get(url(intake, "reassign"))
    assert response.status_code == HTTPStatus.OK
    choices = [str(pk) for pk, _label in response.context["form"].fields["worker"].choices if pk]
    assert str(colleague.pk) in choices
    assert str(stranger.pk) not in choices

    response = client.post(url(intake, "reassign"), {"worker": stranger.pk})
    assert response.status_code == HTTPStatus.OK  # form error, nothing changed
    response = client.post(url(intake, "reassign"), {"worker": colleague.pk})
    assert response.status_code == HTTPStatus.FOUND
    intake.refresh_from_db()
    assert intake.owner_id == colleague.pk
    assert AuditEvent.objects.filter(action=Action.TASK_ASSIGNED).exists()


def test_caseworker_cannot_reassign(walker, worker, intake):
    response = walker.client(worker).get(url(intake, "reassign"))
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_bad_form_input_changes_nothing(walker, worker, case, intake):
    walker.step(worker, case, "consultation", "intake")
    triage = open_task(case, "consultation", "triage")
    response = walker.client(worker).post(url(triage, "execute"), {"outcome": "nonsense"})
    assert response.status_code == HTTPStatus.OK
    triage.refresh_from_db()
    assert triage.status == STATUS.ASSIGNED


def test_supervisor_routes_a_process_to_a_sharing_organisation(
    walker, worker, supervisor, council, users_by_role, case
):
    from advocacy.access.services import share_with_organisation
    from workflows import processes as services

    walker.start(worker, case)
    walker.step(worker, case, "consultation", "intake")
    walker.step(worker, case, "consultation", "triage", {"outcome": "information"})
    process = process_of(case, "consultation")
    with pytest.raises(services.ValidationError):
        services.process_set_organisation(actor=supervisor, process=process, organisation=council)
    with pytest.raises(services.PermissionDenied):
        services.process_set_organisation(actor=worker, process=process, organisation=council)

    share_with_organisation(
        actor=supervisor, case=case, organisation=council, basis="contract", reason="委託"
    )
    services.process_set_organisation(actor=supervisor, process=process, organisation=council)

    from workflows import selectors

    close = open_task(case, "consultation", "approve_close")
    council_supervisor = users_by_role["council_supervisor"]
    assert [t.pk for t in selectors.queue_tasks(user=council_supervisor)] == [close.pk]
    assert [t.pk for t in selectors.queue_tasks(user=supervisor)] == []


@pytest.mark.parametrize("path", ["start/", "event/contact/"])
def test_a_case_of_another_worker_in_a_case_page_url_is_refused_and_audited(city, path):
    owner = factories.user(Role.CITY_CASEWORKER, organisation=city)
    stranger = factories.user(Role.CITY_CASEWORKER, organisation=city)
    case = factories.case_for(owner)
    client = Client()
    client.force_login(stranger)

    response = client.post(f"/app/inbox/cases/{case.pk}/{path}", {"confirmed": "on"})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert AuditEvent.objects.filter(
        action=Action.ACCESS_DENIED, actor=stranger, label=f"case:{case.pk}"
    ).exists()
