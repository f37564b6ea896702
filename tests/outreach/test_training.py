"""Citizen guardian training: trainees encrypted, attendance, completion refused short of it,
the register and the roster; the Council as a 法人後見 candidate."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client

from advocacy.accounts.models import Professional
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.outreach import services
from advocacy.outreach.models import Trainee, TrainingCourse
from tests.portal.otp import force_login_verified

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 5, 1)
NAME = "架空 市民"


def _client(user) -> Client:
    return force_login_verified(Client(), user)


@pytest.fixture
def course(council_worker):
    return services.course_create(
        actor=council_worker,
        course=TrainingCourse(
            title="市民後見人養成研修", cohort=3, starts_on=START, sessions=5, required_sessions=4
        ),
    )


def _enrol(worker, course, name=NAME):
    return services.trainee_enrol(
        actor=worker,
        course=course,
        trainee=Trainee(name=name, kana="かくう しみん", phone="000-0000-0000"),
    )


def _attend(worker, course, trainees, sessions):
    for session in sessions:
        services.attendance_record(actor=worker, course=course, session=session, present=trainees)


def test_a_trainees_name_is_encrypted_at_rest(council_worker, course):
    trainee = _enrol(council_worker, course)

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, kana, phone FROM outreach_trainee")
        row = cursor.fetchone()
    assert NAME not in str(row) and "かくう" not in str(row)
    assert Trainee.objects.get(pk=trainee.pk).name == NAME


def test_completing_a_course_not_attended_enough_is_refused_with_the_count(council_worker, course):
    trainee = _enrol(council_worker, course)
    _attend(council_worker, course, [trainee], [1, 2, 3])

    with pytest.raises(ValidationError) as refused:
        services.trainee_complete(actor=council_worker, trainee=trainee, on=START)

    assert "出席が3回" in refused.value.messages[0] and "4回" in refused.value.messages[0]
    trainee.refresh_from_db()
    assert trainee.status == Trainee.Status.ENROLLED
    # Through the screen: refused with the reason, nothing changed.
    response = _client(council_worker).post(
        f"/app/outreach/training/{course.pk}/",
        {"action": "complete", "trainee": str(trainee.pk), "on": "2026-06-01"},
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "修了にできません" in response.content.decode()
    trainee.refresh_from_db()
    assert trainee.status == Trainee.Status.ENROLLED


def test_a_trainee_who_attended_enough_completes_and_joins_the_register_and_roster(
    council_worker, course
):
    trainee = _enrol(council_worker, course)
    client = _client(council_worker)
    for session in (1, 2, 3, 4):
        response = client.post(
            f"/app/outreach/training/{course.pk}/",
            {"action": "attendance", "session": str(session), "present": [str(trainee.pk)]},
        )
        assert response.status_code == HTTPStatus.FOUND
    post = {"action": "complete", "trainee": str(trainee.pk), "on": "2026-06-01"}
    assert client.post(f"/app/outreach/training/{course.pk}/", post).status_code == 302
    trainee.refresh_from_db()
    assert (trainee.status, trainee.completed_on) == ("completed", datetime.date(2026, 6, 1))

    response = client.post(
        f"/app/outreach/training/{course.pk}/",
        {
            "action": "register",
            "trainee": str(trainee.pk),
            "on": "2026-06-10",
            "backup": "supervision",
            "areas": [],
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    trainee.refresh_from_db()
    candidate = trainee.professional
    assert candidate.profession == Professional.Profession.CITIZEN_GUARDIAN
    assert candidate.user.organisation == council_worker.organisation
    assert not candidate.user.has_usable_password()
    assert trainee.backup == "supervision"
    register = client.get("/app/outreach/register/").content.decode()
    assert NAME in register
    for action in (
        Action.TRAINING_COURSE_CREATED,
        Action.TRAINEE_ENROLLED,
        Action.TRAINEE_ATTENDANCE_RECORDED,
        Action.TRAINEE_COMPLETED,
        Action.TRAINEE_REGISTERED,
        Action.TRAINEE_VIEWED,
    ):
        assert AuditEvent.objects.filter(action=action).exists(), action
    assert NAME not in "".join(AuditEvent.objects.values_list("label", flat=True))


def test_only_those_who_completed_can_be_registered(council_worker, course):
    trainee = _enrol(council_worker, course)
    with pytest.raises(ValidationError):
        services.trainee_register(
            actor=council_worker, trainee=trainee, on=START, backup="relay", area_codes=[]
        )
    assert not Professional.objects.filter(profession="citizen_guardian").exists()


def test_a_session_outside_the_course_is_refused(council_worker, course):
    trainee = _enrol(council_worker, course)
    with pytest.raises(ValidationError):
        services.attendance_record(
            actor=council_worker, course=course, session=6, present=[trainee]
        )


def test_city_staff_and_other_roles_cannot_run_the_councils_training(users_by_role, course):
    city = users_by_role["city_caseworker"]
    with pytest.raises(PermissionDenied):
        services.course_create(
            actor=city,
            course=TrainingCourse(
                title="x", cohort=1, starts_on=START, sessions=1, required_sessions=1
            ),
        )
    # The Council's course is not found by the city's staff (another organisation).
    assert _client(city).get(f"/app/outreach/training/{course.pk}/").status_code == 404
    for role in ("professional", "committee_member"):
        response = _client(users_by_role[role]).get(f"/app/outreach/training/{course.pk}/")
        assert response.status_code == HTTPStatus.FORBIDDEN


def test_the_council_is_a_corporate_guardianship_candidate_with_its_capacity(council_worker):
    client = _client(council_worker)
    response = client.post("/app/outreach/register/", {"capacity": "12", "active": "on"})
    assert response.status_code == HTTPStatus.FOUND
    client.post("/app/outreach/register/", {"capacity": "15", "active": "on"})

    [corporate] = Professional.objects.filter(profession=Professional.Profession.CORPORATE)
    assert corporate.capacity == 15 and corporate.active
    assert corporate.user.organisation == council_worker.organisation
    assert AuditEvent.objects.filter(action=Action.CORPORATE_CANDIDATE_SET).count() == 2
