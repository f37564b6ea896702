"""A case after its ruling: a petition ruled, a professional guardian appointed and granted
the guardian's view, as the portal's acceptance leaves it. Every name is invented."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from tests import factories
from tests.portal.otp import force_login_verified

FILED = datetime.date(2026, 1, 20)
RULED = datetime.date(2026, 3, 10)
APPOINTED = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def court_settings(settings):
    settings.WORKFLOWS = {}
    settings.COURT = {}


@pytest.fixture
def worker(users_by_role):
    return users_by_role["city_caseworker"]


@pytest.fixture
def supervisor(users_by_role):
    return users_by_role["city_supervisor"]


@pytest.fixture
def pro(users_by_role):
    return users_by_role["professional"]


@pytest.fixture
def other_pro(db):
    return factories.professional_user(profession="judicial_scrivener")


def ruled_case(worker, pro, *, ruled_on=RULED, appointed_on=APPOINTED, **case_kwargs):
    """Open a case, record its petition and ruling, appoint pro and grant the guardian's view."""
    from advocacy.access import services as access
    from advocacy.cases.models import GuardianAppointment, Petition

    case = factories.case_for(worker, **case_kwargs)
    petition = factories.case_record(
        worker,
        case,
        Petition(petitioner_type="relative", filed_on=FILED, ruling_on=ruled_on),
    )
    factories.case_record(
        worker,
        case,
        GuardianAppointment(
            petition=petition,
            kind="person",
            profession="lawyer",
            professional=pro.professional,
            name="架空 弁護士",
            appointed_on=appointed_on,
        ),
    )
    access.grant(
        actor=None,
        case=case,
        user=pro,
        permissions=access.GUARDIAN_PERMISSIONS,
        reason="受任（テスト）",
        check_actor=False,
    )
    return case


@pytest.fixture
def case(worker, pro):
    return ruled_case(worker, pro)


def client_for(user) -> Client:
    return force_login_verified(Client(), user)


def subsidy_application(
    worker,
    case,
    *,
    applied_on,
    kind="guardian_fee",
    amount_yen=0,
    decision="pending",
    decided_on=None,
):
    """Record a subsidy application (cases.Subsidy) through the record service.

    Dates after today are recorded on a clock moved to them: an application is never
    dated in the future when it is entered.
    """
    import time_machine
    from django.utils import timezone

    from advocacy.cases.models import Subsidy

    last = max(day for day in (applied_on, decided_on, timezone.localdate()) if day)
    with time_machine.travel(datetime.datetime.combine(last, datetime.time(12)), tick=False):
        return factories.case_record(
            worker,
            case,
            Subsidy(
                kind=kind,
                applied_on=applied_on,
                amount_yen=amount_yen,
                decision=decision,
                decided_on=decided_on,
            ),
        )


def subsidy_assessed(
    worker,
    case,
    *,
    applied_on,
    kind="guardian_fee",
    decision="pending",
    decided_on=None,
    amount_yen=0,
    **facts,
):
    """An application and its computation, both through the services."""
    from advocacy.court import services

    application = subsidy_application(
        worker,
        case,
        applied_on=applied_on,
        kind=kind,
        amount_yen=amount_yen,
        decision=decision,
        decided_on=decided_on,
    )
    return services.subsidy_assess(actor=worker, application=application, **facts)
