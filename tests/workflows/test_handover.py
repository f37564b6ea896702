"""Staff handover (人事異動): a supervisor moves a worker's cases, open tasks and grants at once.

Walked through the real screens as the supervisor (list → choose → confirm → do), then
checked in the database and as the old worker, who must find nothing left (404).
"""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from advocacy.access.models import CaseUserObjectPermission
from advocacy.access.services import STAFF_PERMISSIONS, grant
from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Case
from advocacy.cases.selectors import cases_visible_to
from tests import factories
from tests.portal.otp import force_login_verified
from tests.workflows.conftest import open_task, url
from workflows import handover, selectors
from workflows.models import CaseTask

pytestmark = pytest.mark.django_db

LIST = "/app/inbox/handover/"
# What a handover writes; a refused one writes none of them.
HANDOVER_ACTIONS = [
    Action.STAFF_HANDOVER,
    Action.CASE_REASSIGNED,
    Action.ACCESS_GRANTED,
    Action.ACCESS_REVOKED,
    Action.TASK_ASSIGNED,
]


def _page(worker) -> str:
    return f"{LIST}{worker.pk}/"


@pytest.fixture
def colleague(city):
    return factories.user(Role.CITY_CASEWORKER, organisation=city)


@pytest.fixture
def second_colleague(city):
    return factories.user(Role.CITY_CASEWORKER, organisation=city)


@pytest.fixture
def cases(walker, worker):
    """Two open cases of worker, each with its intake task assigned to worker."""
    opened = [factories.case_for(worker), factories.case_for(worker)]
    for case in opened:
        walker.start(worker, case)
    return opened


def _intake(case) -> Task:
    return open_task(case, "consultation", "intake")


def _grants(user, case) -> set[str]:
    return set(
        CaseUserObjectPermission.objects.filter(user=user, content_object=case).values_list(
            "permission__codename", flat=True
        )
    )


def _snapshot(cases) -> tuple:
    """Everything a handover changes: workers, task owners (both copies), grants, events."""
    return (
        [Case.objects.get(pk=c.pk).assigned_worker_id for c in cases],
        sorted(Task.objects.filter(status__in=selectors.OPEN).values_list("pk", "owner_id")),
        sorted(CaseTask.objects.values_list("task_id", "owner_id", "status")),
        sorted(
            CaseUserObjectPermission.objects.values_list(
                "user_id", "content_object_id", "permission__codename"
            )
        ),
        AuditEvent.objects.filter(action__in=HANDOVER_ACTIONS).count(),
    )


def _confirm_and_do(client: Client, worker, data: dict):
    """Post the handover form, check the confirmation page, then confirm it."""
    response = client.get(_page(worker))
    assert response.status_code == HTTPStatus.OK
    form = response.context["form"]
    posted = {"reason": "4月1日付の人事異動", "confirmed": form["confirmed"].value(), **data}
    confirm = client.post(_page(worker), {**posted, "step": "confirm"})
    assert confirm.status_code == HTTPStatus.OK, confirm.content.decode()[:3000]
    assert "handover-confirm" in confirm.content.decode()
    # The confirmation carries the choices in hidden fields: post exactly those.
    hidden = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', confirm.content.decode())
    )
    hidden.pop("csrfmiddlewaretoken", None)
    return confirm, client.post(_page(worker), {**hidden, "step": "execute"})


# The whole of a worker's work to one colleague


def test_handover_to_one_colleague_moves_cases_tasks_and_grants(
    walker, worker, supervisor, colleague, cases
):
    intakes = [_intake(case) for case in cases]
    client = walker.client(supervisor)

    listing = client.get(LIST)
    assert listing.status_code == HTTPStatus.OK
    row = next(r for r in listing.context["workers"] if r.user.pk == worker.pk)
    assert (row.cases, row.tasks) == (2, 2)
    assert client.get("/app/inbox/").context["can_hand_over"]

    confirm, done = _confirm_and_do(client, worker, {"to": colleague.pk})
    summary = confirm.context["summary"]
    assert [(r["case"].pk, r["to"], r["tasks"], r["keep"]) for r in summary] == [
        (cases[0].pk, colleague, 1, False),
        (cases[1].pk, colleague, 1, False),
    ]
    assert done.status_code == HTTPStatus.FOUND
    assert done["Location"] == LIST

    for case, intake in zip(cases, intakes, strict=True):
        case.refresh_from_db()
        intake.refresh_from_db()
        assert case.assigned_worker_id == colleague.pk
        assert intake.owner_id == colleague.pk and intake.status == STATUS.ASSIGNED
        assert CaseTask.objects.get(task=intake).owner_id == colleague.pk
        assert _grants(colleague, case) == set(STAFF_PERMISSIONS)
        assert _grants(worker, case) == set()
    assert {t.pk for t in selectors.inbox_tasks(user=colleague)} == {t.pk for t in intakes}
    assert selectors.inbox_tasks(user=worker) == []

    # One handover event, one per case naming it; the grants and tasks audited as always.
    (event,) = AuditEvent.objects.filter(action=Action.STAFF_HANDOVER)
    assert event.actor_id == supervisor.pk and event.object_id == str(worker.pk)
    assert "cases 2, tasks 2" in event.reason
    per_case = AuditEvent.objects.filter(action=Action.CASE_REASSIGNED)
    assert sorted(e.object_id for e in per_case) == sorted(str(c.pk) for c in cases)
    assert all(f"[handover {event.pk}]" in e.reason for e in per_case)
    assert AuditEvent.objects.filter(action=Action.ACCESS_REVOKED).count() == 2
    assert AuditEvent.objects.filter(action=Action.TASK_ASSIGNED).count() >= 2

    # The colleague works the task; the old worker finds nothing (the same 404 as missing).
    assert walker.client(colleague).get(url(intakes[0], "execute")).status_code == HTTPStatus.OK
    old = walker.client(worker)
    assert old.get(f"/app/cases/{cases[0].pk}/").status_code == HTTPStatus.NOT_FOUND
    for action in ("execute", "detail", "index"):
        assert old.get(url(intakes[0], action)).status_code == HTTPStatus.NOT_FOUND
    assert not cases_visible_to(user=worker).exists()


def test_access_is_kept_for_all_cases_when_ticked(walker, worker, supervisor, colleague, cases):
    intake = _intake(cases[0])
    _confirm, done = _confirm_and_do(
        walker.client(supervisor), worker, {"to": colleague.pk, "keep_all": "on"}
    )
    assert done.status_code == HTTPStatus.FOUND

    intake.refresh_from_db()
    assert intake.owner_id == colleague.pk  # the tasks move all the same
    old = walker.client(worker)
    for case in cases:
        assert _grants(worker, case) == set(STAFF_PERMISSIONS)
        assert old.get(f"/app/cases/{case.pk}/").status_code == HTTPStatus.OK
    assert not AuditEvent.objects.filter(action=Action.ACCESS_REVOKED).exists()
    assert "access kept on 2" in AuditEvent.objects.get(action=Action.STAFF_HANDOVER).reason


def test_access_is_kept_on_the_cases_ticked_only(walker, worker, supervisor, colleague, cases):
    kept, revoked = cases
    _confirm, done = _confirm_and_do(
        walker.client(supervisor), worker, {"to": colleague.pk, f"keep_{kept.pk}": "on"}
    )
    assert done.status_code == HTTPStatus.FOUND
    assert _grants(worker, kept) == set(STAFF_PERMISSIONS)
    assert _grants(worker, revoked) == set()
    old = walker.client(worker)
    assert old.get(f"/app/cases/{kept.pk}/").status_code == HTTPStatus.OK
    assert old.get(f"/app/cases/{revoked.pk}/").status_code == HTTPStatus.NOT_FOUND


def test_split_handover_sends_each_case_to_its_colleague(
    walker, worker, supervisor, colleague, second_colleague, cases
):
    first, second = cases
    intakes = [_intake(first), _intake(second)]
    _confirm, done = _confirm_and_do(
        walker.client(supervisor),
        worker,
        {f"to_{first.pk}": colleague.pk, f"to_{second.pk}": second_colleague.pk},
    )
    assert done.status_code == HTTPStatus.FOUND

    for case, intake, receiver in zip(cases, intakes, (colleague, second_colleague), strict=True):
        case.refresh_from_db()
        intake.refresh_from_db()
        assert case.assigned_worker_id == receiver.pk
        assert intake.owner_id == receiver.pk
        assert _grants(receiver, case) == set(STAFF_PERMISSIONS)
    assert _grants(colleague, second) == set()  # each gets only their own cases
    assert _grants(second_colleague, first) == set()
    assert AuditEvent.objects.filter(action=Action.STAFF_HANDOVER).count() == 1
    assert AuditEvent.objects.filter(action=Action.CASE_REASSIGNED).count() == 2


def test_a_per_case_choice_overrides_the_colleague_for_all(
    worker, supervisor, colleague, second_colleague, cases
):
    first, second = cases
    result = handover.worker_hand_over(
        actor=supervisor,
        worker=worker,
        to=colleague,
        by_case={second.pk: second_colleague},
        reason="異動",
    )
    assert (result.cases, result.tasks_moved, result.tasks_queued) == (2, 2, 0)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.assigned_worker, second.assigned_worker) == (colleague, second_colleague)


def test_the_workers_tasks_on_other_cases_go_to_the_queue(
    walker, city, worker, supervisor, colleague, cases
):
    # A case colleague works, one of whose tasks the supervisor gave to worker.
    theirs = factories.case_for(colleague)
    walker.start(colleague, theirs)
    task = _intake(theirs)
    grant(actor=supervisor, case=theirs, user=worker, permissions=STAFF_PERMISSIONS, reason="応援")
    response = walker.client(supervisor).post(url(task, "reassign"), {"worker": worker.pk})
    assert response.status_code == HTTPStatus.FOUND

    plan = handover.handover_plan(actor=supervisor, worker=worker)
    assert (len(plan.cases), plan.other_tasks) == (2, 1)
    result = handover.worker_hand_over(actor=supervisor, worker=worker, to=colleague, reason="異動")
    assert (result.tasks_moved, result.tasks_queued) == (2, 1)

    task.refresh_from_db()
    assert task.status == STATUS.NEW and task.owner_id is None
    theirs.refresh_from_db()
    assert theirs.assigned_worker_id == colleague.pk  # not one of the worker's cases: unchanged
    assert task.pk in {t.pk for t in selectors.queue_tasks(user=colleague)}


def test_a_supervisors_task_goes_to_the_queue_when_the_colleague_is_a_caseworker(
    walker, city, worker, supervisor, colleague
):
    leaving = factories.user(Role.CITY_CASEWORKER, Role.SUPERVISOR, organisation=city)
    case = factories.case_for(leaving)
    walker.start(leaving, case)
    walker.step(leaving, case, "consultation", "intake")
    walker.step(leaving, case, "consultation", "triage", {"outcome": "information"})
    close = open_task(case, "consultation", "approve_close")
    walker.client(leaving).post(url(close, "assign"))
    close.refresh_from_db()
    assert close.owner_id == leaving.pk

    result = handover.worker_hand_over(
        actor=supervisor, worker=leaving, to=colleague, reason="異動"
    )
    assert (result.cases, result.tasks_moved, result.tasks_queued) == (1, 0, 1)
    close.refresh_from_db()
    assert close.status == STATUS.NEW and close.owner_id is None
    assert close.pk in {t.pk for t in selectors.queue_tasks(user=supervisor)}


# Bad input: refused with a message, nothing moved


def test_a_handover_to_another_organisations_worker_is_refused(
    walker, users_by_role, worker, supervisor, cases
):
    stranger = users_by_role["council_caseworker"]
    before = _snapshot(cases)
    client = walker.client(supervisor)
    form = client.get(_page(worker)).context["form"]
    for step in ("confirm", "execute"):
        response = client.post(
            _page(worker),
            {
                "to": stranger.pk,
                "reason": "異動",
                "confirmed": form["confirmed"].value(),
                "step": step,
            },
        )
        assert response.status_code == HTTPStatus.OK
        assert "他の組織の職員や無効なアカウントには引き継げません" in response.content.decode()
    assert _snapshot(cases) == before

    with pytest.raises(ValidationError) as refused:
        handover.worker_hand_over(actor=supervisor, worker=worker, to=stranger, reason="異動")
    assert refused.value.messages == [str(handover.ERR_RECEIVER_ORGANISATION)]
    assert _snapshot(cases) == before


def test_a_handover_to_a_deactivated_account_is_refused(
    walker, city, worker, supervisor, colleague, cases
):
    from advocacy.accounts.models import User

    User.objects.filter(pk=colleague.pk).update(is_active=False)
    colleague.refresh_from_db()
    before = _snapshot(cases)
    client = walker.client(supervisor)
    form = client.get(_page(worker)).context["form"]
    assert colleague not in form.fields["to"].queryset
    response = client.post(
        _page(worker),
        {
            f"to_{cases[0].pk}": colleague.pk,
            "to": "",
            "reason": "異動",
            "confirmed": form["confirmed"].value(),
            "step": "execute",
        },
    )
    assert response.status_code == HTTPStatus.OK
    assert "無効なアカウントには引き継げません" in response.content.decode()
    assert _snapshot(cases) == before

    with pytest.raises(ValidationError) as refused:
        handover.worker_hand_over(
            actor=supervisor, worker=worker, by_case={cases[0].pk: colleague}, reason="異動"
        )
    assert refused.value.messages == [str(handover.ERR_RECEIVER_INACTIVE)]
    assert _snapshot(cases) == before


def test_a_caseworker_cannot_hand_over(walker, worker, colleague, cases):
    before = _snapshot(cases)
    client = walker.client(colleague)
    for response in (
        client.get(LIST),
        client.get(_page(worker)),
        client.post(_page(worker), {"to": colleague.pk, "reason": "乗っ取り", "step": "execute"}),
    ):
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert "スーパーバイザー" in response.content.decode()
    assert _snapshot(cases) == before
    assert not client.get("/app/inbox/").context["can_hand_over"]

    with pytest.raises(PermissionDenied):
        handover.worker_hand_over(actor=colleague, worker=worker, to=colleague, reason="異動")
    assert _snapshot(cases) == before


def test_another_organisations_supervisor_finds_no_such_worker(users_by_role, worker, cases):
    client = force_login_verified(Client(), users_by_role["council_supervisor"])
    before = _snapshot(cases)
    assert client.get(_page(worker)).status_code == HTTPStatus.NOT_FOUND
    assert client.post(_page(worker), {"step": "execute"}).status_code == HTTPStatus.NOT_FOUND
    assert worker.pk not in {r.user.pk for r in client.get(LIST).context["workers"]}
    assert _snapshot(cases) == before


def test_a_case_given_to_the_worker_after_the_confirmation_stops_the_handover(
    walker, worker, supervisor, colleague, cases
):
    client = walker.client(supervisor)
    form = client.get(_page(worker)).context["form"]
    confirmed = form["confirmed"].value()
    factories.case_for(worker)  # a third case arrives meanwhile
    before = _snapshot(cases)
    response = client.post(
        _page(worker),
        {"to": colleague.pk, "reason": "異動", "confirmed": confirmed, "step": "execute"},
    )
    assert response.status_code == HTTPStatus.OK
    assert "もう一度確認してください" in response.content.decode()
    assert len(response.context["form"].plan.cases) == 3  # shown again as it stands now
    assert _snapshot(cases) == before


def test_every_case_needs_a_colleague_and_the_worker_is_not_one(
    walker, worker, supervisor, colleague, cases
):
    before = _snapshot(cases)
    client = walker.client(supervisor)
    form = client.get(_page(worker)).context["form"]
    response = client.post(
        _page(worker),
        {
            f"to_{cases[0].pk}": colleague.pk,
            "reason": "異動",
            "confirmed": form["confirmed"].value(),
            "step": "confirm",
        },
    )
    assert response.status_code == HTTPStatus.OK
    assert cases[1].number in str(response.context["form"].non_field_errors())
    with pytest.raises(ValidationError):
        handover.worker_hand_over(actor=supervisor, worker=worker, to=worker, reason="異動")
    with pytest.raises(ValidationError):
        handover.worker_hand_over(actor=supervisor, worker=worker, to=colleague, reason=" ")
    assert _snapshot(cases) == before


# A single task, from the task page and from the case page


def test_a_supervisor_finds_the_reassignment_on_the_task_and_case_pages(
    walker, worker, supervisor, colleague, cases
):
    case = cases[0]
    intake = _intake(case)
    grant(actor=supervisor, case=case, user=colleague, permissions=STAFF_PERMISSIONS, reason="応援")
    client = walker.client(supervisor)

    detail = client.get(url(intake, "detail")).content.decode()
    assert f'href="{url(intake, "reassign")}"' in detail
    page = client.get(f"/app/cases/{case.pk}/").content.decode()
    link = f"{url(intake, 'reassign')}?from=case"
    assert link in page and "担当者を変更" in page

    response = client.post(link, {"worker": colleague.pk})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/app/cases/{case.pk}/"
    intake.refresh_from_db()
    assert intake.owner_id == colleague.pk

    # A caseworker sees neither.
    own = walker.client(colleague)
    assert "reassign-link" not in own.get(url(intake, "execute")).content.decode()
    assert "case-task-reassign" not in own.get(f"/app/cases/{case.pk}/").content.decode()


def test_a_task_locked_by_someone_else_rolls_the_whole_handover_back(
    walker, worker, supervisor, colleague, cases, monkeypatch
):
    from viewflow.workflow.exceptions import FlowLockFailed

    def busy(**kwargs):
        raise FlowLockFailed("locked")

    client = walker.client(supervisor)
    form = client.get(_page(worker)).context["form"]
    before = _snapshot(cases)
    # The cases and grants are written before the tasks are moved: all of it must go back.
    monkeypatch.setattr(handover, "_task_move", busy)
    response = client.post(
        _page(worker),
        {
            "to": colleague.pk,
            "reason": "異動",
            "confirmed": form["confirmed"].value(),
            "step": "execute",
        },
    )
    assert response.status_code == HTTPStatus.CONFLICT
    assert "何も引き継いでいません" in response.content.decode()
    assert _snapshot(cases) == before
