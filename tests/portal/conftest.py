from __future__ import annotations

import pytest
from django.test import Client

from tests import factories

from .otp import force_login_verified

SUMMARY = {
    "age_band": "80-84",
    "main_issues": "預貯金の管理と施設入所契約。親族との関係は疎遠。",
    "workload": "月2回程度の訪問、年1回の家庭裁判所への報告",
}


def summary_for(case) -> dict:
    """A whole summary for request_send: SUMMARY with the case's area and the chosen lists."""
    from advocacy.reference.models import GuardianshipType, PersonCategory

    return {
        **SUMMARY,
        "area": case.person.area,
        "categories": list(PersonCategory.objects.filter(code="elderly")),
        "type_sought": GuardianshipType.objects.get(code="guardianship", active=True),
    }


@pytest.fixture(autouse=True)
def portal_settings(settings):
    settings.WORKFLOWS = {}
    settings.PORTAL_REQUEST_EXPIRY_DAYS = 14


@pytest.fixture
def worker(users_by_role):
    return users_by_role["city_caseworker"]


@pytest.fixture
def case(worker):
    return factories.case_for(worker)


@pytest.fixture
def pro(users_by_role):
    return users_by_role["professional"]


@pytest.fixture
def other_pro(db):
    return factories.professional_user(profession="judicial_scrivener")


@pytest.fixture
def pro_client(pro) -> Client:
    return force_login_verified(Client(), pro)


@pytest.fixture
def worker_client(worker) -> Client:
    client = Client()
    client.force_login(worker)
    return client


def send_data(professional, area_id, need="legal", **overrides) -> dict:
    from advocacy.reference.models import GuardianshipType, PersonCategory

    data = {
        **SUMMARY,
        "professional": str(professional.pk),
        "need": need,
        "area": str(area_id),
        "categories": [str(PersonCategory.objects.get(code="elderly").pk)],
        "type_sought": str(GuardianshipType.objects.get(code="guardianship", active=True).pk),
    }
    data.update(overrides)
    return data


def send(worker_client, case, professional, **overrides):
    return worker_client.post(
        f"/app/portal/staff/cases/{case.pk}/",
        send_data(professional, case.person.area_id, **overrides),
    )
