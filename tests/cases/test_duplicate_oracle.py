"""The duplicate warning is not a silent oracle of who another organisation holds.

Its purpose stays (the city and the Council must not open two cases for one person), but a
draft reveals nothing; a confirmed intake names the organisation, is audited and tells that
organisation's supervisors; and a worker who asks too often is stopped and reported.
"""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
import time_machine
from django.core import mail

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Case
from tests import factories
from tests.cases.test_screens import intake_post

pytestmark = pytest.mark.django_db

NEW = "/app/cases/new/"
KANA = "せとうち かなりあ"
BIRTH = datetime.date(1941, 2, 3)
HELD_NAME = "別組織 既存"


@pytest.fixture
def worker(users_by_role):
    return users_by_role["city_caseworker"]


@pytest.fixture
def held(users_by_role):
    """The Council's person, whose kana and birth date the city worker types."""
    return factories.case_for(
        users_by_role["council_caseworker"], name=HELD_NAME, kana=KANA, birth_date=BIRTH
    )


@pytest.fixture
def logged_in(client, worker):
    client.force_login(worker)
    return client


def _shown() -> int:
    return AuditEvent.objects.filter(action=Action.DUPLICATE_MATCH_SHOWN).count()


def _personal_values(case) -> list[str]:
    return [KANA, "せとうち", "かなりあ", HELD_NAME, "1941", "昭和16", case.number]


def test_an_unconfirmed_draft_reveals_nothing_and_writes_nothing(
    logged_in, held, council, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft = logged_in.post(NEW, intake_post(**{"case-confirm_intake": ""}))
        stranger = logged_in.post(
            NEW, intake_post(**{"case-confirm_intake": "", "person-kana": "だれも いない"})
        )

    assert draft.status_code == stranger.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    html = draft.content.decode()
    assert str(council) not in html
    assert 'data-testid="duplicate-warning"' not in html
    assert "登録されている可能性" not in html
    # The same answer as for a kana no one holds: nothing to tell the two apart.
    assert draft.context["duplicates"] == stranger.context["duplicates"]
    assert draft.context["duplicate_limit"] == stranger.context["duplicate_limit"]
    assert "受付の確認" in html
    assert _shown() == 0
    assert not AuditEvent.objects.filter(action=Action.DUPLICATE_CHECK_LIMITED).exists()
    assert mail.outbox == []
    assert Case.objects.count() == 1


def test_a_confirmed_intake_names_the_organisation_audits_it_and_tells_its_supervisors(
    logged_in, worker, held, council, users_by_role, django_capture_on_commit_callbacks
):
    council_supervisor = users_by_role["council_supervisor"]
    with django_capture_on_commit_callbacks(execute=True):
        warned = logged_in.post(NEW, intake_post(**{"person-kana": "セトウチ　カナリア"}))

    assert warned.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    html = warned.content.decode()
    assert 'data-testid="duplicate-warning"' in html
    assert str(council) in html
    assert HELD_NAME not in html and held.number not in html
    event = AuditEvent.objects.get(action=Action.DUPLICATE_MATCH_SHOWN)
    assert event.actor == worker
    assert event.organisation_id == worker.organisation_id
    assert event.object_organisation_id == council.pk  # in the Council's access history
    row = f"{event.label} {event.reason} {event.object_id} {event.fields_read}"
    for value in _personal_values(held):
        assert value not in row
    # The Council's supervisors, and no one else, get a mail with nothing personal in it.
    (message,) = mail.outbox
    assert message.to == [council_supervisor.email]
    text = message.subject + message.body
    for value in [*_personal_values(held), worker.last_name, worker.username]:
        assert value not in text
    assert "/audit/" in message.body  # the details wait behind the login
    assert Case.objects.count() == 1

    # Confirmed as another person: registered, and the warning is not shown (nor audited) again.
    with django_capture_on_commit_callbacks(execute=True):
        registered = logged_in.post(NEW, intake_post(**{"case-confirm_duplicate": "on"}))
    assert registered.status_code == HTTPStatus.FOUND
    assert Case.objects.count() == 2
    assert _shown() == 1


def test_own_visible_cases_are_shown_as_before_without_the_cross_organisation_audit(
    logged_in, worker
):
    own = factories.case_for(worker, kana=KANA, birth_date=BIRTH)

    warned = logged_in.post(NEW, intake_post())

    assert warned.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert f'name="for_case" value="{own.pk}"' in warned.content.decode()
    assert _shown() == 0


def test_the_daily_limit_holds_in_a_loop_and_a_supervisor_is_told(
    logged_in, worker, council, users_by_role, settings, django_capture_on_commit_callbacks
):
    settings.ADVOCACY_DUPLICATE_MATCHES_PER_DAY = 3
    council_worker = users_by_role["council_caseworker"]
    probes = [f"かくう ためし{n}" for n in range(8)]
    for kana in probes:
        factories.case_for(council_worker, kana=kana, birth_date=BIRTH)
    start = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=datetime.UTC)

    answers = []
    with time_machine.travel(start, tick=False) as clock:
        for kana in probes:
            with django_capture_on_commit_callbacks(execute=True):
                response = logged_in.post(NEW, intake_post(**{"person-kana": kana}))
            answers.append(response)
        # Beyond the limit even a kana no one holds gets the same stop: no bit leaks.
        with django_capture_on_commit_callbacks(execute=True):
            nobody = logged_in.post(NEW, intake_post(**{"person-kana": "だれも いない"}))

        assert [r.status_code for r in answers] == [HTTPStatus.UNPROCESSABLE_ENTITY] * 8
        named = [str(council) in r.content.decode() for r in answers]
        assert named == [True] * 3 + [False] * 5
        for response in [*answers[3:], nobody]:
            html = response.content.decode()
            assert "上限" in html
            assert str(council) not in html
        assert nobody.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
        assert _shown() == 3
        limited = AuditEvent.objects.filter(action=Action.DUPLICATE_CHECK_LIMITED)
        assert limited.count() == 6 and {e.actor for e in limited} == {worker}
        assert Case.objects.count() == 8  # nothing registered by the probes

        # The worker's own supervisor hears once that day; the Council's supervisor thrice.
        city_supervisor = users_by_role["city_supervisor"]
        council_supervisor = users_by_role["council_supervisor"]
        to = [message.to for message in mail.outbox]
        assert to.count([city_supervisor.email]) == 1
        assert to.count([council_supervisor.email]) == 3

        # The next day counts afresh.
        clock.shift(datetime.timedelta(days=1))
        logged_in.force_login(worker)  # the session of yesterday has idled out
        with django_capture_on_commit_callbacks(execute=True):
            again = logged_in.post(NEW, intake_post(**{"person-kana": probes[0]}))
        assert str(council) in again.content.decode()
        assert _shown() == 4


def test_the_service_itself_holds_the_limit(worker, council, users_by_role, settings):
    """Not only the screen: any caller of the service is counted the same way."""
    from advocacy.cases.services import duplicate_warning

    settings.ADVOCACY_DUPLICATE_MATCHES_PER_DAY = 2
    council_worker = users_by_role["council_caseworker"]
    for n in range(4):
        factories.case_for(council_worker, kana=f"かくう へいこう{n}", birth_date=BIRTH)

    results = [
        duplicate_warning(actor=worker, kana=f"かくう へいこう{n}", birth_date=BIRTH)
        for n in range(4)
    ]

    assert [bool(r.hidden) for r in results] == [True, True, False, False]
    assert [r.limited for r in results] == [False, False, True, True]
    assert _shown() == 2
