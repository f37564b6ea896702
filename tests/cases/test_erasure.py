"""Crypto-shredding a person: unreadable everywhere, shown as erased, never an error page."""

from http import HTTPStatus

import pytest
from django.db import connection

from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Consultation, Person
from advocacy.crypto.erased import ERASED
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    supervisor = factories.user(Role.CITY_CASEWORKER, Role.SUPERVISOR, organisation=city)
    return worker, supervisor


def test_supervisor_erases_after_typing_the_case_number(client, people):
    worker, supervisor = people
    case = factories.case_for(worker, name="消去 予定者")
    client.force_login(supervisor)

    wrong = client.post(
        f"/app/cases/{case.pk}/erase/", {"confirm_number": "R0-0000", "reason": "保存期間満了"}
    )
    assert wrong.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "ケース番号が一致しません" in wrong.content.decode()
    assert Person.objects.get().erased_at is None

    done = client.post(
        f"/app/cases/{case.pk}/erase/", {"confirm_number": case.number, "reason": "保存期間満了"}
    )
    assert done.status_code == HTTPStatus.FOUND

    person = Person.objects.get()
    assert person.erased_at is not None
    assert person.name is ERASED
    assert Consultation.objects.get().notes is ERASED
    page = client.get(f"/app/cases/{case.pk}/")
    assert page.status_code == HTTPStatus.OK
    html = page.content.decode()
    assert "（消去済み）" in html
    assert "消去 予定者" not in html
    listed = client.get("/app/cases/")
    assert listed.status_code == HTTPStatus.OK
    (row,) = listed.context["rows"]
    assert row.person.name is ERASED
    assert "（消去済み）" in listed.content.decode()
    assert AuditEvent.objects.filter(action=Action.PERSON_ERASED).count() == 1


def test_erased_values_stay_unreadable_even_with_the_keys_in_hand(people):
    worker, supervisor = people
    case = factories.case_for(worker)
    from advocacy.cases.services import person_erase

    person_erase(actor=supervisor, case=case, reason="保存期間満了")

    with connection.cursor() as cursor:
        cursor.execute("SELECT wrapped FROM crypto_datakey")
        assert all(not bytes(row[0] or b"") for row in cursor.fetchall())
    assert Person.objects.get().kana is ERASED


def test_a_caseworker_cannot_erase(client, people):
    worker, _supervisor = people
    case = factories.case_for(worker)
    client.force_login(worker)

    response = client.post(
        f"/app/cases/{case.pk}/erase/", {"confirm_number": case.number, "reason": "試し"}
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Person.objects.get().erased_at is None


def test_supervisors_see_the_access_history_of_a_case_and_caseworkers_do_not(client, people):
    worker, supervisor = people
    case = factories.case_for(worker)
    client.force_login(worker)
    client.get(f"/app/cases/{case.pk}/")

    worker_page = client.get(f"/app/cases/{case.pk}/").content.decode()
    client.force_login(supervisor)
    supervisor_page = client.get(f"/app/cases/{case.pk}/").content.decode()

    assert 'data-testid="access-history"' not in worker_page
    assert 'data-testid="access-history"' in supervisor_page
    assert "ケース閲覧" in supervisor_page
    assert str(worker) in supervisor_page
