"""A committee member reaches the statistics and nothing else: every URL of the project, tried.

The URL resolver is walked; each parameter is filled with the id of a real object of this
test's data (a case, its record, a running process and its task), so a refusal is not just a
404 for a made-up id. Only the statistics pages may answer 200, and no answer of any status
may contain a case number, a person's name or any text written into a case.
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLResolver, get_resolver
from viewflow.workflow.models import Process, Task

from advocacy.access.models import CaseUserObjectPermission
from advocacy.cases.models import Case, Consultation

pytestmark = pytest.mark.django_db

STATS_PREFIX = "app/stats/"
# Pages that may answer 200 to anyone signed in: they hold no case data (checked below too).
# health/ answers the test client's loopback address whoever is logged in, and shows no data
# (tests/ops/test_health.py shows it is a 404 from any other address).
NEUTRAL_200 = {"jsi18n/", "admin/jsi18n/", "admin/login/", "health/"}
REFUSED = {
    HTTPStatus.FOUND,
    HTTPStatus.FORBIDDEN,
    HTTPStatus.NOT_FOUND,
    HTTPStatus.METHOD_NOT_ALLOWED,
}


def _routes():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern), getattr(p.pattern, "converters", {})

    return list(walk(get_resolver().url_patterns))


def _fill(route: str, converters: dict, ids: dict[str, str]) -> str:
    import re

    def replace(match):
        name = match.group(2)
        return ids.get(name, ids["case_id"])

    url = re.sub(r"<(?:(\w+):)?(\w+)>", replace, route)
    # Admin's regex routes (^…$) are rare; drop their anchors.
    return "/" + url.replace("^", "").replace("$", "")


@pytest.fixture
def attacked(stats_world, client):
    users, cases = stats_world
    worker = users["city_caseworker"]
    case = cases[0]
    # A release, so that the committee's pages have something to show (and to leak, if they did).
    from advocacy.stats.services import report_release

    report_release(actor=users["city_supervisor"], fiscal_year=2025, kind="before_committee")
    # A running process and task of the test's own data, if the workflows can start one.
    from django.test import Client

    staff = Client()
    staff.force_login(worker)
    staff.post(f"/app/inbox/cases/{case.pk}/start/")
    process = Process.objects.order_by("pk").first()
    task = Task.objects.order_by("pk").first()
    record = Consultation.objects.filter(case=case).first()
    ids = {
        "case_id": str(case.pk),
        "record_id": str(record.pk),
        "request_id": str(record.pk),
        "kind": "consultation",
        "event": "close",
        "process_pk": str(process.pk if process else 1),
        "task_pk": str(task.pk if task else 1),
        "pk": str(users["committee_member"].pk),
        "object_id": str(case.pk),
        "content_type_id": str(ContentType.objects.get_for_model(Case).pk),
    }
    canaries = [c.number for c in cases] + ["カナリア"]
    return users["committee_member"], ids, canaries


def test_committee_members_hold_no_case_permission(attacked):
    member, _ids, _canaries = attacked
    assert not CaseUserObjectPermission.objects.filter(user=member).exists()
    assert not member.user_permissions.exists()
    assert not member.has_perm("cases.view_case")


@pytest.mark.parametrize("method", ["get", "post"])
def test_only_the_statistics_answer_a_committee_member(client, attacked, method):
    member, ids, canaries = attacked
    answered, wrong = [], []
    for route, converters in _routes():
        if route.startswith("accounts/logout") or "logout" in route:
            continue  # would end the session the rest of the walk relies on
        url = _fill(route, converters, ids)
        client.force_login(member)
        response = getattr(client, method)(url)
        body = response.content.decode(errors="replace")
        for canary in canaries:
            assert canary not in body, (url, response.status_code, canary)
        if response.status_code == HTTPStatus.OK:
            answered.append(route)
            if not (route.startswith(STATS_PREFIX) or route in NEUTRAL_200):
                wrong.append((url, response.status_code))
        elif response.status_code not in REFUSED:
            wrong.append((url, response.status_code))
    assert wrong == []
    if method == "get":
        assert {r for r in answered if r.startswith(STATS_PREFIX)} == {
            "app/stats/",
            "app/stats/print/",
            "app/stats/export.csv",
            "app/stats/export.xlsx",
        }


def test_a_supervisor_following_the_menu_lands_on_the_preview(client, users_by_role):
    """The menu's 統計 opens the committee's home; a supervisor is taken to the preview."""
    client.force_login(users_by_role["city_supervisor"])

    response = client.get("/app/stats/")

    assert response.status_code == 302
    assert response.url == "/app/stats/preview/"
    assert client.get(response.url).status_code == 200
