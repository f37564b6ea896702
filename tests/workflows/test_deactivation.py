"""A deactivated account: no access at once, nothing received, its tasks in the queue.

Deactivated as a system administrator does it (the admin's action, with its confirmation),
then checked as the old worker, the colleagues, the supervisor and the reminder sweep; and
the belt: an account closed some other way counts for nothing either.
"""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from advocacy.access.models import CaseUserObjectPermission
from advocacy.access.selectors import permissions_on
from advocacy.access.services import STAFF_PERMISSIONS, grant
from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Case
from advocacy.cases.selectors import cases_visible_to
from tests import factories
from tests.workflows.conftest import open_task, url
from workflows import handover, selectors
from workflows.models import CaseTask

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(city):
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


@pytest.fixture
def sysadmin(users_by_role):
    return users_by_role["system_admin"]


def _deactivate_in_admin(sysadmin, user) -> None:
    client = Client()
    client.force_login(sysadmin)
    changelist = "/admin/accounts/user/"
    ask = client.post(changelist, {"action": "deactivate_users", "_selected_action": [user.pk]})
    assert ask.status_code == HTTPStatus.OK
    assert "無効にします" in ask.content.decode()
    user.refresh_from_db()
    assert user.is_active  # nothing happens before the confirmation
    done = client.post(
        changelist,
        {"action": "deactivate_users", "_selected_action": [user.pk], "post": "yes"},
    )
    assert done.status_code == HTTPStatus.FOUND
    user.refresh_from_db()


def test_a_deactivated_account_loses_access_and_its_tasks_go_to_the_queue(
    walker, worker, supervisor, colleague, sysadmin, cases
):
    intakes = [_intake(case) for case in cases]
    old = walker.client(worker)
    assert old.get(f"/app/cases/{cases[0].pk}/").status_code == HTTPStatus.OK

    _deactivate_in_admin(sysadmin, worker)

    assert not worker.is_active
    event = AuditEvent.objects.get(action=Action.USER_DEACTIVATED)
    assert event.actor_id == sysadmin.pk and event.object_id == str(worker.pk)
    assert not CaseUserObjectPermission.objects.filter(user=worker).exists()
    assert AuditEvent.objects.filter(action=Action.ACCESS_REVOKED).count() == 2
    for intake in intakes:
        intake.refresh_from_db()
        assert intake.status == STATUS.NEW and intake.owner_id is None
        assert CaseTask.objects.get(task=intake).status == STATUS.NEW
    # In the organisation's queue: the supervisors see every case, a colleague those granted.
    assert {t.pk for t in selectors.queue_tasks(user=supervisor)} >= {t.pk for t in intakes}
    assert selectors.queue_tasks(user=colleague) == []
    grant(
        actor=supervisor,
        case=cases[0],
        user=colleague,
        permissions=STAFF_PERMISSIONS,
        reason="応援",
    )
    assert [t.pk for t in selectors.queue_tasks(user=colleague)] == [intakes[0].pk]
    response = walker.client(colleague).post(url(intakes[0], "assign"))
    assert response.status_code == HTTPStatus.FOUND
    intakes[0].refresh_from_db()
    assert intakes[0].owner_id == colleague.pk
    # The old session no longer counts; nothing of the cases remains for the account.
    assert old.get(f"/app/cases/{cases[0].pk}/").status_code == HTTPStatus.FOUND
    assert old.get(url(intakes[1], "detail")).status_code == HTTPStatus.FOUND
    assert not cases_visible_to(user=worker).exists()
    assert permissions_on(user=worker, case=cases[0]) == frozenset()
    assert selectors.inbox_tasks(user=worker) == []
    # Its cases wait for a handover, which the supervisor can still do.
    row = next(r for r in handover.handover_workers(actor=supervisor) if r.user.pk == worker.pk)
    assert (row.cases, row.tasks) == (2, 0)
    handover.worker_hand_over(actor=supervisor, worker=worker, to=colleague, reason="退職")
    assert {c.assigned_worker_id for c in Case.objects.filter(pk__in=[c.pk for c in cases])} == {
        colleague.pk
    }


def test_a_deactivated_account_receives_no_reminder(
    walker, worker, supervisor, sysadmin, cases, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    soon = timezone.localdate() + datetime.timedelta(days=1)
    CaseTask.objects.filter(task__in=[_intake(c) for c in cases]).update(due_on=soon)
    _deactivate_in_admin(sysadmin, worker)

    call_command("send_reminders")

    assert len(mail.outbox) == 2  # each task is reminded, to the supervisors instead
    assert all(worker.email not in message.to for message in mail.outbox)
    assert all(message.to == [supervisor.email] for message in mail.outbox)


def test_an_account_closed_without_the_service_still_counts_for_nothing(
    walker, worker, supervisor, colleague, cases, settings
):
    """The belt: the selectors and reminders ignore an inactive account however it was closed."""
    from advocacy.accounts.models import User

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    intake = _intake(cases[0])
    CaseTask.objects.filter(task=intake).update(due_on=timezone.localdate())
    User.objects.filter(pk=worker.pk).update(is_active=False)  # a script, the shell...
    worker.refresh_from_db()

    assert permissions_on(user=worker, case=cases[0]) == frozenset()
    assert not cases_visible_to(user=worker).exists()
    call_command("send_reminders")
    assert mail.outbox and all(worker.email not in m.to for m in mail.outbox)
    # Its task shows in the queue, and a colleague who may see the case takes it.
    grant(
        actor=supervisor,
        case=cases[0],
        user=colleague,
        permissions=STAFF_PERMISSIONS,
        reason="応援",
    )
    assert intake.pk in {t.pk for t in selectors.queue_tasks(user=colleague)}
    client = walker.client(colleague)
    index = client.get(url(intake, "index"))
    assert index.status_code == HTTPStatus.FOUND and index["Location"] == url(intake, "assign")
    assert client.get(index["Location"]).status_code == HTTPStatus.OK
    assert client.post(url(intake, "assign")).status_code == HTTPStatus.FOUND
    intake.refresh_from_db()
    assert intake.owner_id == colleague.pk
    assert CaseTask.objects.get(task=intake).owner_id == colleague.pk


def test_a_deactivated_professional_is_sent_no_notice(users_by_role, settings):
    from advocacy.accounts.models import User
    from advocacy.portal import services as portal

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    account = users_by_role["professional"]
    User.objects.filter(pk=account.pk).update(is_active=False)
    account.refresh_from_db()
    portal._notify(account.professional, "https://example.invalid/app/portal/")
    assert mail.outbox == []


def test_the_admin_form_cannot_untick_active_and_only_a_system_admin_deactivates(
    worker, colleague, sysadmin, supervisor
):
    from advocacy.accounts.services import user_deactivate, user_reactivate

    client = Client()
    client.force_login(sysadmin)
    form = client.get(f"/admin/accounts/user/{worker.pk}/change/")
    assert 'name="is_active"' not in form.content.decode()

    with pytest.raises(PermissionDenied):
        user_deactivate(actor=supervisor, user=worker)
    with pytest.raises(ValidationError):
        user_deactivate(actor=sysadmin, user=sysadmin)
    worker.refresh_from_db()
    assert worker.is_active
    assert not AuditEvent.objects.filter(action=Action.USER_DEACTIVATED).exists()

    user_deactivate(actor=sysadmin, user=colleague)
    user_reactivate(actor=sysadmin, user=colleague)
    colleague.refresh_from_db()
    assert colleague.is_active
    assert AuditEvent.objects.filter(action=Action.USER_REACTIVATED).count() == 1
