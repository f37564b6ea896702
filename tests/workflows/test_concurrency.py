"""Two people completing or taking the same task at the same moment: exactly one wins."""

import threading
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client

from tests import factories
from tests.workflows.conftest import open_names, open_task, url

ROUNDS = 10

# Real transactions (the seeded rows come back through tests/conftest.py's reseed_after_flush).
# PostgreSQL serialises the two requests with row locks; SQLite, which has none, with the
# write lock every transaction takes at its start (settings: transaction_mode IMMEDIATE).
pytestmark = pytest.mark.django_db(transaction=True)


def _race(posts) -> list[int]:
    """Fire the (client, url, data) posts at once from threads; return their status codes."""
    barrier = threading.Barrier(len(posts))
    results: list[int] = [0] * len(posts)

    def run(index, client, path, data):
        try:
            barrier.wait()
            results[index] = client.post(path, data).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *post)) for i, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_completing_one_task_twice_at_once_completes_it_once(walker, worker):
    first, second = _client(worker), _client(worker)
    for _round in range(ROUNDS):
        case = factories.case_for(worker)
        walker.start(worker, case)
        intake = open_task(case, "consultation", "intake")
        path = url(intake, "execute")

        codes = _race([(first, path, {"confirmed": "on"}), (second, path, {"confirmed": "on"})])

        assert sorted(codes) == [HTTPStatus.FOUND, HTTPStatus.CONFLICT]
        assert open_names(case) == ["triage"]  # no duplicate next task


def test_two_supervisors_taking_one_task_at_once(walker, worker, supervisor, city):
    from advocacy.accounts.roles import Role

    other = factories.user(Role.CITY_CASEWORKER, Role.SUPERVISOR, organisation=city)
    clients = {supervisor.pk: _client(supervisor), other.pk: _client(other)}
    for _round in range(ROUNDS):
        case = factories.case_for(worker)
        walker.start(worker, case)
        walker.step(worker, case, "consultation", "intake")
        walker.step(worker, case, "consultation", "triage", {"outcome": "information"})
        close = open_task(case, "consultation", "approve_close")
        path = url(close, "assign")

        codes = _race([(client, path, {}) for client in clients.values()])

        assert sorted(codes) == [HTTPStatus.FOUND, HTTPStatus.CONFLICT]
        close.refresh_from_db()
        assert close.owner_id in clients
