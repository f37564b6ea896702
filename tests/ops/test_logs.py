"""The real logging configuration writes JSON lines with ids and never a typed value."""

import datetime
import io
import json
import logging.config
import sys

import pytest
from django.conf import settings

from tests import factories

pytestmark = pytest.mark.django_db

# Invented personal values, each typed where a real one would be: a form, a query string, a URL.
CANARIES = {
    "name": "カナリア太郎",
    "kana": "かなりあたろう",
    "username": "canary-user-4417",
    "password": "canary-password-5581",
    "query": "canary-query-9932",
    "path": "canary-path-7710",
}


@pytest.fixture
def captured_log(monkeypatch):
    """settings.LOGGING as configured at start-up, writing to a buffer instead of stderr."""
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buffer)
    logging.config.dictConfig(settings.LOGGING)
    yield buffer
    monkeypatch.undo()
    logging.config.dictConfig(settings.LOGGING)


def test_requests_with_personal_values_leave_none_in_the_log(client, users_by_role, captured_log):
    worker = users_by_role["city_caseworker"]
    factories.case_for(worker, name=CANARIES["name"], kana=CANARIES["kana"])

    client.post(
        "/accounts/login/",
        {"username": CANARIES["username"], "password": CANARIES["password"]},
    )
    client.get(f"/accounts/login/?name={CANARIES['name']}&q={CANARIES['query']}")
    client.force_login(worker)
    client.get(f"/app/inbox/?kana={CANARIES['kana']}&q={CANARIES['query']}")
    client.post("/app/cases/search/", {"kana": CANARIES["kana"]})
    client.get(f"/app/cases/search/?kana={CANARIES['kana']}")
    client.get(f"/app/{CANARIES['path']}/?name={CANARIES['name']}")

    log = captured_log.getvalue()
    lines = [json.loads(line) for line in log.splitlines()]
    assert len([line for line in lines if line["logger"] == "advocacy.request"]) >= 6
    for what, canary in CANARIES.items():
        assert canary not in log, what
    # json.dumps wrote Japanese as it is (json_ensure_ascii off); check the escaped form too.
    for canary in (CANARIES["name"], CANARIES["kana"]):
        assert json.dumps(canary)[1:-1] not in log


def test_each_request_line_names_the_request_user_and_organisation(
    client, users_by_role, captured_log
):
    worker = users_by_role["city_caseworker"]
    client.force_login(worker)

    response = client.get("/app/inbox/")

    lines = [json.loads(line) for line in captured_log.getvalue().splitlines()]
    (line,) = [line for line in lines if line.get("route") == "app/inbox/"]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == worker.pk
    assert line["organisation_id"] == str(worker.organisation_id)
    assert line["status"] == 200
    assert line["method"] == "GET"


def test_each_line_is_timed_in_utc_with_its_offset(client, users_by_role, captured_log):
    client.force_login(users_by_role["city_caseworker"])
    before = datetime.datetime.now(datetime.UTC)

    client.get("/app/inbox/")

    lines = [json.loads(line) for line in captured_log.getvalue().splitlines()]
    assert lines
    for line in lines:
        time = datetime.datetime.fromisoformat(line["time"])
        assert time.utcoffset() == datetime.timedelta(0), line["time"]
        assert abs(time - before) < datetime.timedelta(minutes=5)
