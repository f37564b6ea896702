"""Signs of trouble (不正防止): each flags the case on the supervisor's list with its reason;
only the organisation's supervisors see the list, and reading it is audited."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Contact
from advocacy.court import sweep
from advocacy.court.models import Flag
from tests import factories

from .conftest import client_for

pytestmark = pytest.mark.django_db

NOTE = "架空の定期預金が説明なく解約されている"


def complaint(worker, case, *, contact_from="relative", is_complaint=True):
    return factories.case_record(
        worker,
        case,
        Contact(
            contacted_on=datetime.date(2026, 5, 1),
            contact_from=contact_from,
            is_complaint=is_complaint,
            summary="架空の親族からの苦情",
        ),
    )


def test_a_relatives_complaint_flags_the_case_once(worker, case):
    complaint(worker, case)
    complaint(worker, case, contact_from="guardian")  # not a relative: no flag
    complaint(worker, case, is_complaint=False)  # not a complaint: no flag
    sweep.flags_from_complaints(today=datetime.date(2026, 5, 2))
    sweep.flags_from_complaints(today=datetime.date(2026, 5, 3))
    flag = Flag.objects.get(case=case)
    assert flag.reason == Flag.Reason.RELATIVE_COMPLAINT
    assert flag.raised_on == datetime.date(2026, 5, 1)
    assert AuditEvent.objects.filter(action=Action.COURT_FLAG_RAISED).count() == 1


def test_a_complaint_recorded_through_the_case_page_form_is_flagged(worker, case):
    response = client_for(worker).post(
        f"/app/cases/{case.pk}/records/contact/new/",
        {
            "contacted_on": "2026-05-01",
            "contact_from": "relative",
            "is_complaint": "on",
            "summary": "架空の苦情",
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    sweep.court_reminders_send(today=datetime.date(2026, 5, 2))
    assert Flag.objects.get(case=case).reason == Flag.Reason.RELATIVE_COMPLAINT


def test_the_caseworker_records_an_asset_change_and_the_supervisor_sees_it(
    worker, supervisor, case
):
    response = client_for(worker).post(
        f"/app/court/cases/{case.pk}/asset-change/", {"noted_on": "2026-05-01", "note": NOTE}
    )
    assert response.status_code == HTTPStatus.FOUND
    page = client_for(supervisor).get("/app/court/")
    body = page.content.decode()
    assert case.number in body and "説明のない大きな資産の変動" in body and NOTE in body
    # Reading the notes is audited, naming the field and never the value.
    event = AuditEvent.objects.get(action=Action.COURT_FLAGS_VIEWED)
    assert event.fields_read == ["Flag.note"] and NOTE not in str(event.__dict__)
    stored = Flag.objects.values_list("note", flat=True).get()
    assert NOTE not in str(stored)  # encrypted at rest


def test_an_asset_change_without_words_is_refused_and_nothing_saved(worker, case):
    response = client_for(worker).post(
        f"/app/court/cases/{case.pk}/asset-change/", {"noted_on": "2026-05-01", "note": "  "}
    )
    assert response.status_code == 422
    assert not Flag.objects.exists()


def test_a_caseworker_who_is_not_a_supervisor_cannot_open_the_list(worker, case):
    assert client_for(worker).get("/app/court/").status_code == HTTPStatus.FORBIDDEN


def test_a_professional_cannot_open_the_list(pro, case):
    assert client_for(pro).get("/app/court/").status_code == HTTPStatus.FORBIDDEN


def test_another_organisations_supervisor_sees_no_flag_and_cannot_clear_it(
    worker, case, users_by_role
):
    client_for(worker).post(
        f"/app/court/cases/{case.pk}/asset-change/", {"noted_on": "2026-05-01", "note": NOTE}
    )
    flag = Flag.objects.get()
    outsider = client_for(users_by_role["council_supervisor"])
    body = outsider.get("/app/court/").content.decode()
    assert case.number not in body and NOTE not in body
    response = outsider.post(f"/app/court/flags/{flag.pk}/clear/", {"confirmed": "on"})
    assert response.status_code == 404
    flag.refresh_from_db()
    assert flag.cleared_on is None


def test_the_supervisor_clears_a_flag_only_when_confirmed(worker, supervisor, case):
    client_for(worker).post(
        f"/app/court/cases/{case.pk}/asset-change/", {"noted_on": "2026-05-01", "note": NOTE}
    )
    flag = Flag.objects.get()
    client = client_for(supervisor)
    client.post(f"/app/court/flags/{flag.pk}/clear/", {})
    flag.refresh_from_db()
    assert flag.cleared_on is None
    client.post(f"/app/court/flags/{flag.pk}/clear/", {"confirmed": "on"})
    flag.refresh_from_db()
    assert flag.cleared_on is not None
    assert AuditEvent.objects.filter(action=Action.COURT_FLAG_CLEARED).count() == 1
    assert case.number not in client.get("/app/court/").content.decode()
