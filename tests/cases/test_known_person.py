"""A consultation about a person already registered goes to that person, not a second one."""

from http import HTTPStatus

import pytest

from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Case, Consultation, Person
from tests import factories
from tests.cases.test_screens import intake_post
from workflows.models import CaseProcess

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(city):
    return factories.user(Role.CITY_CASEWORKER, organisation=city)


def _first_intake(client):
    assert client.post("/app/cases/new/", intake_post()).status_code == HTTPStatus.FOUND
    return Case.objects.get()


def test_the_duplicate_warning_offers_this_person(client, worker):
    client.force_login(worker)
    case = _first_intake(client)

    response = client.post("/app/cases/new/", intake_post())

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    page = response.content.decode()
    assert f'name="for_case" value="{case.pk}"' in page


def test_a_consultation_for_a_person_with_an_open_case_joins_that_case(client, worker):
    client.force_login(worker)
    case = _first_intake(client)

    response = client.post(
        "/app/cases/new/",
        intake_post(**{"for_case": str(case.pk), "consultation-consulted_on": "2026-05-20"}),
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"/app/cases/{case.pk}/"
    assert Person.objects.count() == 1 and Case.objects.count() == 1
    later = Consultation.objects.get(case=case, consulted_on="2026-05-20")
    assert later.is_new is False
    assert list(later.main_concerns.values_list("code", flat=True)) == ["money"]


def test_a_returning_person_gets_a_new_case_with_its_process(client, worker, city):
    client.force_login(worker)
    case = _first_intake(client)
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.CLOSED)

    response = client.post(
        "/app/cases/new/",
        intake_post(**{"for_case": str(case.pk), "consultation-consulted_on": "2026-06-01"}),
    )

    assert response.status_code == HTTPStatus.FOUND
    assert Person.objects.count() == 1
    new = Case.objects.exclude(pk=case.pk).get()
    assert new.person_id == case.person_id
    assert CaseProcess.objects.filter(case=new).exists()


def test_a_daily_life_support_user_who_now_needs_guardianship_gets_a_core_agency_case(
    client, worker
):
    client.force_login(worker)
    assert (
        client.post(
            "/app/cases/new/", intake_post(**{"case-purpose": "daily_life_support"})
        ).status_code
        == HTTPStatus.FOUND
    )
    daily = Case.objects.get()

    client.post("/app/cases/new/", intake_post(**{"for_case": str(daily.pk)}))

    assert Person.objects.count() == 1
    assert set(Case.objects.values_list("purpose", flat=True)) == {
        "daily_life_support",
        "core_agency",
    }


def test_someone_elses_case_id_is_refused_audited_and_nothing_is_created(client, worker, city):
    owner = factories.user(Role.CITY_CASEWORKER, organisation=city)
    hidden = factories.case_for(owner)
    client.force_login(worker)

    response = client.post("/app/cases/new/", intake_post(for_case=str(hidden.pk)))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert Case.objects.count() == 1 and Consultation.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=worker).exists()
