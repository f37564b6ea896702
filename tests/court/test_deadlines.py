"""The guardian's deadlines through a year and more of reporting, the clock moved by
time-machine; reminders through the real reminder command; submissions through the URLs."""

from __future__ import annotations

import datetime
import io
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.court.models import Flag, Obligation

from .conftest import client_for, ruled_case

pytestmark = pytest.mark.django_db

Kind = Obligation.Kind


def at(day: datetime.date):
    moment = datetime.datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo("Asia/Tokyo"))
    return time_machine.travel(moment, tick=False)


def remind() -> None:
    call_command("send_reminders", stdout=io.StringIO())


def court_mails(label: str) -> list:
    return [m for m in mail.outbox if label in m.subject]


def obligation(case, kind) -> Obligation:
    return Obligation.objects.get(case=case, kind=kind, submitted_on__isnull=True)


def set_plan(worker, case, month: int):
    response = client_for(worker).post(f"/app/court/cases/{case.pk}/plan/", {"report_month": month})
    assert response.status_code == HTTPStatus.FOUND
    return response


def test_a_plan_before_the_ruling_is_refused_and_nothing_is_saved(worker):
    from tests import factories

    case = factories.case_for(worker)
    client = client_for(worker)
    response = client.post(f"/app/court/cases/{case.pk}/plan/", {"report_month": 6}, follow=True)
    assert "審判日と選任された後見人等を記録してから" in response.content.decode()
    assert not Obligation.objects.filter(case=case).exists()


def test_the_plan_opens_the_first_report_and_the_yearly_report_in_the_courts_month(worker, case):
    with at(datetime.date(2026, 3, 20)):
        set_plan(worker, case, 6)
    first = obligation(case, Kind.FIRST_REPORT)
    yearly = obligation(case, Kind.YEARLY_REPORT)
    assert first.due_on == datetime.date(2026, 4, 10)  # a month after the appointment
    # June 2026 is less than six months after the appointment: the first is June 2027.
    assert yearly.due_on == datetime.date(2027, 6, 30)
    assert AuditEvent.objects.filter(action=Action.COURT_PLAN_SET, object_id=str(case.pk)).exists()


def record(user, obligation_row, data) -> None:
    # A fresh login each time: the clock jumps further than a session lives.
    response = client_for(user).post(f"/app/portal/obligations/{obligation_row.pk}/", data)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()


def test_a_year_of_reporting(worker, supervisor, pro, case):
    with at(datetime.date(2026, 3, 20)):
        set_plan(worker, case, 6)
    with at(datetime.date(2026, 3, 25)):  # 16 days before the first report: too early
        remind()
    assert court_mails("初回報告") == []
    with at(datetime.date(2026, 3, 28)):  # 13 days before
        remind()
        remind()  # a second run sends nothing twice
    soon = court_mails("期限間近")
    assert len(soon) == 1 and case.number in soon[0].subject
    assert pro.email in soon[0].to and worker.email in soon[0].to
    assert "試験" not in soon[0].body and "架空" not in soon[0].body  # no name leaves by mail
    with at(datetime.date(2026, 4, 12)):
        remind()
    assert len(court_mails("期限超過")) == 1

    # The guardian records the first report, late, in the portal.
    first = obligation(case, Kind.FIRST_REPORT)
    with at(datetime.date(2026, 4, 15)):
        record(pro, first, {"submitted_on": "2026-04-14"})
    first.refresh_from_db()
    assert first.submitted_on == datetime.date(2026, 4, 14) and first.was_late
    assert not Flag.objects.filter(case=case).exists()  # one late report is not yet a sign

    # The yearly report falls due in June 2027; it is reminded, then escalated when late.
    with at(datetime.date(2027, 6, 20)):
        remind()
    assert any("定期報告" in m.subject for m in court_mails("期限間近"))
    with at(datetime.date(2027, 7, 10)):  # 10 days late: reminded, not yet escalated
        remind()
    assert court_mails("報告の遅れ") == []
    with at(datetime.date(2027, 7, 20)):  # 20 days late: the supervisor is told
        remind()
    escalated = court_mails("報告の遅れ")
    assert len(escalated) == 1 and escalated[0].to == [supervisor.email]
    assert AuditEvent.objects.filter(action=Action.COURT_REPORT_ESCALATED).count() == 1
    # Two late reports: the case is flagged for the supervisor, with the reason.
    assert Flag.objects.get(case=case).reason == Flag.Reason.LATE_REPORTS

    yearly = obligation(case, Kind.YEARLY_REPORT)
    with at(datetime.date(2027, 7, 22)):
        record(pro, yearly, {"submitted_on": "2027-07-21"})
    # The next year's report and the fee petition for the period just reported.
    assert obligation(case, Kind.YEARLY_REPORT).due_on == datetime.date(2028, 6, 30)
    fee = obligation(case, Kind.FEE_PETITION)
    assert fee.due_on == datetime.date(2027, 8, 20)
    with at(datetime.date(2027, 8, 1)):
        record(pro, fee, {"submitted_on": "2027-08-01"})
    with at(datetime.date(2027, 9, 15)):
        record(pro, fee, {"ruled_on": "2027-09-10"})
    fee.refresh_from_db()
    assert fee.ruled_on == datetime.date(2027, 9, 10)
    assert AuditEvent.objects.filter(action=Action.COURT_FEE_RULING_RECORDED).count() == 1
    # The city's fee subsidy is applied for within three months of the fee ruling.
    assert obligation(case, Kind.SUBSIDY_APPLICATION).due_on == datetime.date(2027, 12, 10)
    assert Flag.objects.filter(case=case).count() == 1  # the open flag is not raised twice


def test_a_submission_before_the_ruling_is_refused_with_a_message_and_nothing_saved(
    worker, pro, case
):
    with at(datetime.date(2026, 3, 20)):
        set_plan(worker, case, 6)
        first = obligation(case, Kind.FIRST_REPORT)
        response = client_for(pro).post(
            f"/app/portal/obligations/{first.pk}/", {"submitted_on": "2026-03-09"}
        )
    assert response.status_code == 422
    assert "審判日（2026-03-10）より前にはできません" in response.content.decode()
    first.refresh_from_db()
    assert first.submitted_on is None
    assert not AuditEvent.objects.filter(action=Action.COURT_SUBMISSION_RECORDED).exists()


def test_a_future_submission_date_is_refused(worker, pro, case):
    with at(datetime.date(2026, 3, 20)):
        set_plan(worker, case, 6)
        first = obligation(case, Kind.FIRST_REPORT)
        response = client_for(pro).post(
            f"/app/portal/obligations/{first.pk}/", {"submitted_on": "2026-03-21"}
        )
    assert response.status_code == 422
    first.refresh_from_db()
    assert first.submitted_on is None


def test_the_guardians_home_lists_what_is_due_and_another_professional_sees_nothing(
    worker, pro, other_pro, case
):
    with at(datetime.date(2026, 3, 20)):
        set_plan(worker, case, 6)
        home = client_for(pro).get("/app/portal/").content.decode()
        other_home = client_for(other_pro).get("/app/portal/").content.decode()
    assert case.number in home and "初回報告" in home and "令和8年4月10日" in home
    assert case.number not in other_home


def test_another_professional_cannot_open_or_record_an_obligation(worker, pro, other_pro, case):
    with at(datetime.date(2026, 3, 20)):
        set_plan(worker, case, 6)
        first = obligation(case, Kind.FIRST_REPORT)
        intruder = client_for(other_pro)
        assert intruder.get(f"/app/portal/obligations/{first.pk}/").status_code == 404
        response = intruder.post(
            f"/app/portal/obligations/{first.pk}/", {"submitted_on": "2026-03-19"}
        )
    assert response.status_code == 404
    first.refresh_from_db()
    assert first.submitted_on is None


def test_staff_of_another_organisation_cannot_record_or_plan(worker, pro, case, users_by_role):
    outsider = users_by_role["council_caseworker"]
    with at(datetime.date(2026, 3, 20)):
        set_plan(worker, case, 6)
        first = obligation(case, Kind.FIRST_REPORT)
        client = client_for(outsider)
        assert client.get(f"/app/court/obligations/{first.pk}/").status_code == 404
        plan = client.post(f"/app/court/cases/{case.pk}/plan/", {"report_month": 1})
    assert plan.status_code == 404
    assert obligation(case, Kind.YEARLY_REPORT).due_on == datetime.date(2027, 6, 30)


def test_the_caseworker_records_for_a_guardian_without_an_account_on_the_case_page(worker, pro):
    case = ruled_case(worker, pro)
    with at(datetime.date(2026, 3, 20)):
        set_plan(worker, case, 6)
        client = client_for(worker)
        page = client.get(f"/app/cases/{case.pk}/").content.decode()
        assert 'data-testid="court-panel"' in page and "定期報告の月: 6月" in page
        first = obligation(case, Kind.FIRST_REPORT)
        response = client.post(
            f"/app/court/obligations/{first.pk}/", {"submitted_on": "2026-03-19"}
        )
    assert response.status_code == HTTPStatus.FOUND
    first.refresh_from_db()
    assert first.submitted_on == datetime.date(2026, 3, 19) and not first.was_late


def test_changing_the_month_moves_the_open_yearly_report(worker, case):
    with at(datetime.date(2026, 3, 20)):
        set_plan(worker, case, 6)
        set_plan(worker, case, 11)
    # November 2026 is eight months after the appointment.
    assert obligation(case, Kind.YEARLY_REPORT).due_on == datetime.date(2026, 11, 30)
    assert Obligation.objects.filter(case=case, kind=Kind.FIRST_REPORT).count() == 1


def test_a_report_overdue_by_the_set_days_gives_the_supervisor_one_task(
    worker, supervisor, case, users_by_role
):
    from tests.workflows.conftest import open_tasks, url

    with at(datetime.date(2026, 3, 20)):
        set_plan(worker, case, 6)
    with at(datetime.date(2026, 4, 20)):  # 10 days late
        remind()
    assert open_tasks(case, "reportoverdue") == []
    with at(datetime.date(2026, 4, 26)):  # 16 days late
        remind()
        remind()
        [task] = open_tasks(case, "reportoverdue")
        assert (
            "後見人等の報告遅延の確認"
            in client_for(supervisor).get("/app/inbox/?tab=queue").content.decode()
        )
        # A caseworker and another organisation's supervisor cannot do it.
        for other in (worker, users_by_role["council_supervisor"]):
            response = client_for(other).post(url(task, "assign"))
            assert response.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND)
        boss = client_for(supervisor)
        assert boss.post(url(task, "assign")).status_code == HTTPStatus.FOUND
        done = boss.post(url(task, "execute"), {"confirmed": "on"})
        assert done.status_code == HTTPStatus.FOUND
    assert open_tasks(case, "reportoverdue") == []


def test_a_fee_ruling_before_the_fee_petition_or_on_a_report_is_refused(worker, pro, case):
    from advocacy.court import services

    with at(datetime.date(2026, 3, 20)):
        set_plan(worker, case, 6)
    yearly = obligation(case, Kind.YEARLY_REPORT)
    with at(datetime.date(2027, 7, 1)):
        services.obligation_submit(
            actor=pro, obligation=yearly, submitted_on=datetime.date(2027, 6, 28)
        )
        fee = obligation(case, Kind.FEE_PETITION)
        with pytest.raises(ValidationError, match="提出日を先に記録してください"):
            services.fee_ruling_record(
                actor=pro, obligation=fee, ruled_on=datetime.date(2027, 6, 30)
            )
        yearly.refresh_from_db()
        with pytest.raises(ValidationError, match="報酬付与の申立にだけ"):
            services.fee_ruling_record(
                actor=pro, obligation=yearly, ruled_on=datetime.date(2027, 6, 30)
            )
        services.obligation_submit(
            actor=pro, obligation=fee, submitted_on=datetime.date(2027, 6, 30)
        )
        with pytest.raises(ValidationError, match="申立の提出日より前"):
            services.fee_ruling_record(
                actor=pro, obligation=fee, ruled_on=datetime.date(2027, 6, 29)
            )
    assert not Obligation.objects.filter(case=case, kind=Kind.SUBSIDY_APPLICATION).exists()
    assert not AuditEvent.objects.filter(action=Action.COURT_FEE_RULING_RECORDED).exists()


def test_the_court_panel_waits_for_a_petition(worker):
    from tests import factories

    case = factories.case_for(worker)
    page = client_for(worker).get(f"/app/cases/{case.pk}/").content.decode()
    assert 'data-testid="court-panel"' not in page
