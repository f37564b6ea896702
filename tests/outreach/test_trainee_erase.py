"""A trainee's erasure: their data key destroyed, so their ciphertext cannot be read again; the
row stays for the counts; refused while a registered citizen guardian still serves."""

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
from advocacy.cases.models import GuardianAppointment
from advocacy.crypto.datakeys import unwrap
from advocacy.crypto.erased import ERASED
from advocacy.crypto.exceptions import DecryptionError
from advocacy.crypto.models import DataKey
from advocacy.outreach import services
from advocacy.outreach.models import Trainee, TrainingCourse
from advocacy.stats import selectors as stats
from tests import factories
from tests.portal.otp import force_login_verified

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 5, 1)
NAME = "消去 予定子"
KANA = "しょうきょ よていこ"
PHONE = "000-1234-5678"


def _client(user) -> Client:
    return force_login_verified(Client(), user)


@pytest.fixture
def course(council_worker):
    return services.course_create(
        actor=council_worker,
        course=TrainingCourse(
            title="市民後見人養成研修", cohort=4, starts_on=START, sessions=2, required_sessions=2
        ),
    )


@pytest.fixture
def trainee(council_worker, course):
    return services.trainee_enrol(
        actor=council_worker,
        course=course,
        trainee=Trainee(name=NAME, kana=KANA, phone=PHONE, address="架空県架空市1-1"),
    )


@pytest.fixture
def registered(council_worker, course, trainee):
    for session in (1, 2):
        services.attendance_record(
            actor=council_worker, course=course, session=session, present=[trainee]
        )
    services.trainee_complete(actor=council_worker, trainee=trainee, on=datetime.date(2026, 6, 1))
    return services.trainee_register(
        actor=council_worker,
        trainee=trainee,
        on=datetime.date(2026, 6, 10),
        backup="supervision",
        area_codes=[],
    )


def _raw(trainee) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, kana, phone FROM outreach_trainee WHERE id = %s",
            [trainee.pk.hex] if connection.vendor == "sqlite" else [trainee.pk],
        )
        return tuple(bytes(value) for value in cursor.fetchone())


def _erase(client, trainee, **data):
    post = {"confirmed": "on", "reason": "本人からの申出"}
    post.update(data)
    return client.post(f"/app/outreach/training/trainees/{trainee.pk}/erase/", post)


def test_after_erasure_the_ciphertext_cannot_be_decrypted_and_the_screens_say_so(
    council_supervisor, course, trainee
):
    client = _client(council_supervisor)
    before = _raw(trainee)
    [key] = DataKey.objects.filter(owner_id=trainee.pk)
    assert unwrap(key)  # live before

    confirm = client.get(f"/app/outreach/training/trainees/{trainee.pk}/erase/")
    assert confirm.status_code == HTTPStatus.OK
    assert "取り消せません" in confirm.content.decode()
    assert NAME not in confirm.content.decode()  # the confirmation names no one
    response = _erase(client, trainee)
    assert response.status_code == HTTPStatus.FOUND

    # The ciphertext is still there, byte for byte, but its key is gone for good.
    assert _raw(trainee) == before
    [key] = DataKey.objects.filter(owner_id=trainee.pk)
    assert key.destroyed_at is not None and bytes(key.wrapped) == b""
    with pytest.raises(DecryptionError):
        unwrap(key)
    erased = Trainee.objects.get(pk=trainee.pk)
    assert (erased.name, erased.kana, erased.phone, erased.address) == (ERASED,) * 4
    assert erased.erased_at is not None and erased.status == Trainee.Status.ENROLLED

    page = client.get(f"/app/outreach/training/{course.pk}/").content.decode()
    assert "消去済み" in page and 'data-testid="trainee-erased"' in page
    assert NAME not in page and KANA not in page
    again = client.get(f"/app/outreach/training/trainees/{trainee.pk}/erase/").content.decode()
    assert 'data-testid="erased"' in again
    event = AuditEvent.objects.get(action=Action.TRAINEE_ERASED)
    assert event.reason == "本人からの申出" and NAME not in event.label


def test_without_the_confirmation_or_a_reason_nothing_is_erased(council_supervisor, trainee):
    client = _client(council_supervisor)
    assert _erase(client, trainee, confirmed="").status_code == 422
    assert _erase(client, trainee, reason=" ").status_code == 422
    assert Trainee.objects.get(pk=trainee.pk).name == NAME
    assert not AuditEvent.objects.filter(action=Action.TRAINEE_ERASED).exists()


def test_a_registered_citizen_guardian_leaves_the_roster_and_the_counts_stay(
    council_supervisor, registered
):
    counts = stats.guardian_development_counts(2026)
    assert (counts[("trainees", "n")], counts[("registered", "n")]) == (1, 1)

    services.trainee_erase(actor=council_supervisor, trainee=registered, reason="辞退")

    assert stats.guardian_development_counts(2026) == counts
    candidate = Professional.objects.select_related("user").get(pk=registered.professional_id)
    assert not candidate.active and not candidate.user.is_active
    assert NAME.split()[0] not in candidate.user.last_name + candidate.user.first_name
    # The account is closed as every deactivation is: its own event, naming no one.
    closed = AuditEvent.objects.get(action=Action.USER_DEACTIVATED)
    assert closed.object_id == str(candidate.user.pk) and NAME.split()[0] not in closed.label
    register = _client(council_supervisor).get("/app/outreach/register/").content.decode()
    assert "消去済み" in register and NAME not in register


def test_a_citizen_guardian_still_serving_is_refused_with_a_clear_message(
    council_worker, council_supervisor, registered
):
    case = factories.case_for(council_worker, name="被後見 架空")
    appointment = factories.case_record(
        council_worker,
        case,
        GuardianAppointment(
            kind="person",
            profession="citizen_guardian",
            professional=registered.professional,
            name="架空 市民後見人",
            appointed_on=datetime.date(2026, 7, 1),
        ),
    )
    client = _client(council_supervisor)
    page = client.get(f"/app/outreach/training/trainees/{registered.pk}/erase/").content.decode()
    assert 'data-testid="serving"' in page

    response = _erase(client, registered)

    assert response.status_code == 422
    assert "受任中の後見等があるため、消去できません" in response.content.decode()
    assert Trainee.objects.get(pk=registered.pk).name == NAME
    assert Professional.objects.get(pk=registered.professional_id).active
    # Once the appointment has ended, the erasure goes through.
    appointment.ended_on = datetime.date(2026, 9, 1)
    factories.case_record(council_worker, case, appointment)
    assert _erase(client, registered).status_code == HTTPStatus.FOUND
    assert Trainee.objects.get(pk=registered.pk).name is ERASED


def test_only_a_supervisor_of_the_council_may_erase(council_worker, users_by_role, trainee):
    assert _erase(_client(council_worker), trainee).status_code == HTTPStatus.FORBIDDEN
    with pytest.raises(PermissionDenied):
        services.trainee_erase(actor=council_worker, trainee=trainee, reason="x")
    city = users_by_role["city_supervisor"]
    assert _erase(_client(city), trainee).status_code == HTTPStatus.NOT_FOUND
    assert Trainee.objects.get(pk=trainee.pk).name == NAME


def test_an_erased_trainee_cannot_be_completed_or_erased_again(
    council_worker, council_supervisor, trainee
):
    services.trainee_erase(actor=council_supervisor, trainee=trainee, reason="辞退")
    with pytest.raises(ValidationError, match="消去済み"):
        services.trainee_complete(actor=council_worker, trainee=trainee, on=START)
    with pytest.raises(ValidationError, match="消去済み"):
        services.trainee_erase(actor=council_supervisor, trainee=trainee, reason="辞退")
