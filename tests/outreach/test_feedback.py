"""Feedback to the referrer: tasks that follow the consent, the record, the letter, refusals."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from viewflow.workflow.status import PROCESS, STATUS

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases import services as case_services
from advocacy.cases.models import Case, Decision, Petition
from advocacy.outreach import services
from advocacy.outreach.models import Feedback
from advocacy.reference.models import GuardianshipType
from tests import factories
from tests.portal.otp import force_login_verified
from tests.workflows.conftest import Walker, open_tasks, url
from workflows.models import CaseTask

pytestmark = pytest.mark.django_db

M = Feedback.Milestone


def _client(user) -> Client:
    return force_login_verified(Client(), user)


def _feedback_tasks(case):
    return open_tasks(case, "feedback")


def _consenting_case(worker, **kwargs):
    return factories.case_for(worker, intake=True, feedback_consent="given", **kwargs)


def test_intake_with_consent_gives_the_worker_a_taken_on_task_with_a_due_date(worker):
    case = _consenting_case(worker)

    [feedback] = Feedback.objects.filter(case=case)
    assert feedback.milestone == M.TAKEN_ON
    assert feedback.status == Feedback.Status.DUE
    [task] = _feedback_tasks(case)
    assert task.owner == worker
    case_task = CaseTask.objects.get(task=task)
    assert case_task.due_on == timezone.localdate() + datetime.timedelta(days=14)
    assert feedback.due_on == case_task.due_on
    # The task is in the worker's inbox.
    response = _client(worker).get("/app/inbox/")
    assert "相談者への経過報告" in response.content.decode()


@pytest.mark.parametrize("consent", ["not_asked", "not_given"])
def test_without_consent_no_feedback_task_and_the_case_page_says_why(worker, consent):
    case = factories.case_for(worker, intake=True, feedback_consent=consent)

    assert not Feedback.objects.filter(case=case).exists()
    assert _feedback_tasks(case) == []
    page = _client(worker).get(f"/app/cases/{case.pk}/").content.decode()
    assert 'data-testid="feedback-why-not"' in page
    assert ("同意がない" if consent == "not_given" else "同意を確認していない") in page


def test_no_feedback_is_owed_to_the_person_themself(worker):
    case = _consenting_case(worker, referrer_type="self")

    assert not Feedback.objects.filter(case=case).exists()
    page = _client(worker).get(f"/app/cases/{case.pk}/").content.decode()
    assert "本人または親族からの相談" in page


def test_each_milestone_opens_one_feedback_once(worker, supervisor):
    case = _consenting_case(worker)
    guardianship = GuardianshipType.objects.get(code="guardianship")
    factories.case_record(
        worker,
        case,
        Decision(
            held_on=datetime.date(2026, 4, 20),
            participants="架空の参加者",
            outcome="guardianship",
            guardianship_type=guardianship,
            petitioner_type="relative",
            reasons="架空の理由",
        ),
    )
    petition = factories.case_record(
        worker, case, Petition(petitioner_type="relative", filed_on=datetime.date(2026, 5, 1))
    )
    petition.ruling_on = datetime.date(2026, 6, 1)
    petition.type_granted = guardianship
    factories.case_record(worker, case, petition)
    # Another save reaches no new milestone.
    factories.case_record(worker, case, petition)
    case_services.case_close(
        actor=supervisor, case=case, reason="team_independent", on=datetime.date(2026, 7, 1)
    )

    reached = dict(Feedback.objects.filter(case=case).values_list("milestone", "reached_on"))
    assert reached == {
        M.TAKEN_ON: datetime.date(2026, 4, 10),
        M.POLICY_DECIDED: datetime.date(2026, 4, 20),
        M.PETITION_FILED: datetime.date(2026, 5, 1),
        M.RULING: datetime.date(2026, 6, 1),
        M.SUPPORT_ENDED: datetime.date(2026, 7, 1),
    }
    assert len(_feedback_tasks(case)) == 5


def test_withdrawn_consent_cancels_the_open_feedback_and_its_task(worker):
    case = _consenting_case(worker)
    [task] = _feedback_tasks(case)

    response = _client(worker).post(
        f"/app/outreach/cases/{case.pk}/feedback/",
        {"feedback_consent": "not_given", "feedback_consent_on": "2026-04-15"},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert _feedback_tasks(case) == []
    task.refresh_from_db()
    assert task.status == STATUS.CANCELED
    assert task.process.status == PROCESS.CANCELED
    assert Feedback.objects.get(case=case).status == Feedback.Status.CANCELLED
    assert AuditEvent.objects.filter(action=Action.FEEDBACK_CANCELLED).count() == 1
    assert AuditEvent.objects.filter(action=Action.FEEDBACK_CONSENT_CHANGED).count() == 1
    # A later milestone opens nothing while consent is withdrawn.
    factories.case_record(
        worker, case, Petition(petitioner_type="relative", filed_on=datetime.date(2026, 5, 1))
    )
    assert _feedback_tasks(case) == []
    assert Feedback.objects.filter(case=case).count() == 1


def test_consent_given_later_opens_the_milestones_reached_so_far(worker):
    case = factories.case_for(worker, intake=True)
    factories.case_record(
        worker, case, Petition(petitioner_type="relative", filed_on=datetime.date(2026, 5, 1))
    )
    assert _feedback_tasks(case) == []

    case_services.case_feedback_consent_set(
        actor=worker, case=case, consent="given", on=datetime.date(2026, 5, 2)
    )

    assert set(Feedback.objects.filter(case=case).values_list("milestone", flat=True)) == {
        M.TAKEN_ON,
        M.PETITION_FILED,
    }
    assert len(_feedback_tasks(case)) == 2


def test_consent_given_without_its_day_is_refused(worker):
    case = factories.case_for(worker, intake=True)
    with pytest.raises(ValidationError):
        case_services.case_feedback_consent_set(actor=worker, case=case, consent="given", on=None)
    case.refresh_from_db()
    assert case.feedback_consent == Case.Consent.NOT_ASKED


def test_recording_the_feedback_completes_its_task_and_the_letter_prints_it(worker):
    case = _consenting_case(worker)
    feedback = Feedback.objects.get(case=case)
    [task] = _feedback_tasks(case)
    client = _client(worker)
    told = "架空の経過：支援方針を検討しています"

    form = client.get(f"/app/outreach/cases/{case.pk}/feedback/{feedback.pk}/")
    assert form.status_code == HTTPStatus.OK
    response = client.post(
        f"/app/outreach/cases/{case.pk}/feedback/{feedback.pk}/",
        {"given_on": timezone.localdate().isoformat(), "method": "letter", "told": told},
    )

    assert response.status_code == HTTPStatus.FOUND
    feedback.refresh_from_db()
    assert (feedback.status, feedback.method, feedback.told) == ("given", "letter", told)
    task.refresh_from_db()
    assert task.status == STATUS.DONE
    assert AuditEvent.objects.filter(action=Action.FEEDBACK_GIVEN).count() == 1
    letter = client.get(f"/app/outreach/cases/{case.pk}/feedback/{feedback.pk}/letter/")
    assert letter.status_code == HTTPStatus.OK
    body = letter.content.decode()
    assert told in body and "経過のご報告" in body and "架空 一郎" in body
    viewed = AuditEvent.objects.filter(action=Action.FEEDBACK_VIEWED).first()  # newest
    assert "Feedback.told" in viewed.fields_read
    assert told not in str(viewed.fields_read) + viewed.label


def test_the_feedback_task_page_leads_to_the_feedback_screen_and_is_not_done_by_hand(worker):
    walker = Walker()
    case = _consenting_case(worker)
    [task] = _feedback_tasks(case)

    page = walker.task_form(worker, task).content.decode()
    assert f"/app/outreach/cases/{case.pk}/feedback/" in page
    refused = walker.client(worker).post(url(task, "execute"), {"confirmed": "on"})
    assert refused.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED


def test_feedback_without_consent_is_refused_with_the_reason(worker):
    case = _consenting_case(worker)
    feedback = Feedback.objects.get(case=case)
    case_services.case_feedback_consent_set(
        actor=worker, case=case, consent="not_given", on=datetime.date(2026, 4, 15)
    )

    with pytest.raises(ValidationError) as refused:
        services.feedback_give(
            actor=worker,
            feedback=feedback,
            given_on=timezone.localdate(),
            method="phone",
            told="架空の内容",
        )
    assert refused.value.messages == [str(services.ERR_NO_CONSENT)]
    response = _client(worker).post(
        f"/app/outreach/cases/{case.pk}/feedback/{feedback.pk}/",
        {"given_on": timezone.localdate().isoformat(), "method": "phone", "told": "架空の内容"},
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "同意がない" in response.content.decode()
    feedback.refresh_from_db()
    assert feedback.told == "" and feedback.status == Feedback.Status.CANCELLED


def test_other_organisations_and_roles_cannot_reach_a_case_feedback(users_by_role, worker):
    case = _consenting_case(worker)
    feedback = Feedback.objects.get(case=case)
    paths = [
        f"/app/outreach/cases/{case.pk}/feedback/",
        f"/app/outreach/cases/{case.pk}/feedback/{feedback.pk}/",
        f"/app/outreach/cases/{case.pk}/feedback/{feedback.pk}/letter/",
    ]
    for role, status in [
        ("council_caseworker", HTTPStatus.NOT_FOUND),
        ("professional", HTTPStatus.FORBIDDEN),
        ("committee_member", HTTPStatus.FORBIDDEN),
    ]:
        client = _client(users_by_role[role])
        for path in paths:
            assert client.get(path).status_code == status, (role, path)
    # Another case's feedback id under a case the worker may see: not found.
    other = _consenting_case(worker, name="別人 架空")
    guessed = f"/app/outreach/cases/{other.pk}/feedback/{feedback.pk}/"
    assert _client(worker).get(guessed).status_code == HTTPStatus.NOT_FOUND
    # A withdrawal posted by another organisation changes nothing.
    response = _client(users_by_role["council_caseworker"]).post(
        paths[0], {"feedback_consent": "not_given"}
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    case.refresh_from_db()
    assert case.feedback_consent == Case.Consent.GIVEN
