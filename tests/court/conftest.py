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
