"""The office at work, for `locust --headless` against a gunicorn on loopback (bench_load.py).

Caseworkers open their inbox, the case list, a case page, search by kana and complete an
intake step; supervisors read the case list and preview the year's statistics; a committee
member reads the released report. BENCH_LOAD_THINK (seconds, default 0) is the mean pause
between a user's requests (bench_load.py runs its one-user level without pauses, the baseline
of a request's cost alone): 0 means N users are N requests in flight (the server's capacity);
people at work pause to read, which is what the p95 goal presumes.

Reads BENCH_LOAD_PLAN (a JSON file bench_load.py writes: accounts, their cases, kana and
tasks; invented data) and writes one line per request to BENCH_LOAD_REQUESTS: the request's
name, status and X-Request-ID, so that the driver can match every audited request with its
audit events. BENCH_LOAD_MAX_REQUESTS bounds the requests of each simulated user.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
from http.cookiejar import Cookie

from locust import FastHttpUser, between, constant, events, task
from locust.exception import StopUser

PLAN = json.loads(open(os.environ["BENCH_LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
# This level's share of each account's tasks ("index/levels"): a task completed at one level
# is not there to be completed again at the next (the guard answers 409).
_slice, _levels = (int(n) for n in os.environ.get("BENCH_LOAD_SLICE", "0/1").split("/"))
for _account in PLAN["caseworkers"]:
    _account["tasks"] = _account["tasks"][_slice::_levels]
THINK = float(os.environ.get("BENCH_LOAD_THINK", "0"))
MAX_REQUESTS = int(os.environ.get("BENCH_LOAD_MAX_REQUESTS", "100000"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_log = open(os.environ["BENCH_LOAD_REQUESTS"], "a", encoding="utf-8")  # noqa: SIM115
_log_lock = threading.Lock()


# Each simulated user takes the next (account, session) pair; sessions are never shared.
_accounts = {
    kind: iter(
        [
            (account, account["sessions"][n])
            for n in range(len(PLAN[kind][0]["sessions"]))
            for account in PLAN[kind]
        ]
    )
    for kind in ("caseworkers", "supervisors", "committee")
}


def _cookie(name: str, value: str) -> Cookie:
    return Cookie(
        0,
        name,
        value,
        None,
        False,
        "127.0.0.1",
        False,
        False,
        "/",
        True,
        False,
        None,
        False,
        None,
        None,
        {},
    )


@events.request.add_listener
def _record(request_type, name, response, exception, **kwargs) -> None:
    request_id = response.headers.get("X-Request-ID", "") if response is not None else ""
    status = getattr(response, "status_code", 0) if response is not None else 0
    with _log_lock:
        _log.write(f"{name}\t{status}\t{request_id}\t{'error' if exception else ''}\n")
        _log.flush()


class Office(FastHttpUser):
    abstract = True
    wait_time = between(THINK / 2, THINK * 1.5) if THINK else constant(0)
    kind = ""

    def on_start(self) -> None:
        # A session made by the driver (Django's force_login): logging in through the form
        # would spend the first seconds of every run hashing passwords (Argon2) at once.
        self.account, session = next(_accounts[self.kind])
        self.sent = 0
        self.client.cookiejar.set_cookie(_cookie("sessionid", session))
        if THINK:
            # People do not all click in the same instant a level starts: each begins within
            # one pause, instead of N requests queueing at once at the start of every level.
            time.sleep(random.uniform(0, THINK))

    def get(self, path: str, name: str):
        self._count()
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            return response

    def post(self, path: str, data: dict, name: str, expect: int = 200):
        self._count()
        with self.client.post(
            path, data=data, name=name, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != expect:
                response.failure(f"HTTP {response.status_code}")
            return response

    def _count(self) -> None:
        self.sent += 1
        if self.sent > MAX_REQUESTS:
            raise StopUser


class Caseworker(Office):
    weight = 6
    kind = "caseworkers"

    @task(3)
    def inbox(self) -> None:
        self.get("/app/inbox/?tab=mine", "inbox")

    @task(3)
    def case_list(self) -> None:
        self.get("/app/cases/", "case list")

    @task(3)
    def case_page(self) -> None:
        self.get(f"/app/cases/{random.choice(self.account['cases'])}/", "case page")

    @task(1)
    def search(self) -> None:
        form = self.get("/app/cases/search/", "search form")
        match = CSRF.search(form.text or "")
        if match:
            self.post(
                "/app/cases/search/",
                {"kana": random.choice(self.account["kana"]), "csrfmiddlewaretoken": match[1]},
                "search",
            )

    @task(1)
    def complete_a_task(self) -> None:
        tasks = self.account["tasks"]
        if not tasks:
            return  # this account's pool is used up: the other tasks go on
        path = tasks.pop()
        form = self.get(path, "task form")
        match = CSRF.search(form.text or "")
        if match:
            self.post(
                path, {"confirmed": "on", "csrfmiddlewaretoken": match[1]}, "complete task", 302
            )


class Supervisor(Office):
    weight = 2
    kind = "supervisors"

    @task(3)
    def case_list(self) -> None:
        self.get("/app/cases/", "case list (supervisor)")

    @task(1)
    def preview(self) -> None:
        self.get("/app/stats/preview/", "statistics preview")


class CommitteeMember(Office):
    weight = 1
    kind = "committee"

    @task
    def released_report(self) -> None:
        self.get("/app/stats/", "released report")
