"""Load at scale: gunicorn on loopback, locust headless at 1, 5, 20 and 50 users.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
     .venv/bin/python bench/bench_load.py [seconds per level] [users …]   (default 40 1 5 20 50)

Builds (once) or reuses the 100,000-case / 1,000,000-task database of bench/loaddb.py,
prepares real intake tasks for the caseworkers to complete, releases the year's report for
the committee, starts gunicorn with DEBUG off on 127.0.0.1:BENCH_LOAD_PORT (18020) and runs
locust (bench/load/locustfile.py) at each level in turn. The one-user level runs each kind of
user (caseworker, supervisor, committee member) alone in turn, without pauses: every page's
cost alone, the baseline of the per-page goal (p95 at 20 users ≤ 4× the page's p50 alone).
Prints per page p50/p95/p99, throughput and errors with the load average, then checks the
audit trail: verify_audit
passes, and every audited request has exactly its events (by request id), none lost, none
repeated, and no event belongs to a request the load did not make.
"""

from __future__ import annotations

import collections
import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loaddb  # noqa: E402

SECONDS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
LEVELS = [int(n) for n in sys.argv[2:]] or [1, 5, 20, 50]
PORT = int(os.environ.get("BENCH_LOAD_PORT", "18020"))
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
# Intake tasks prepared per caseworker account, shared out among the levels.
TASKS_PER_WORKER = int(os.environ.get("BENCH_LOAD_TASKS", "8"))
OUT = loaddb.ROOT / "var" / "bench" / "load"
BUILT = loaddb.attach()

from django.db import connection  # noqa: E402

# Which audit events each request of the load writes (by locust's request name); the others
# write none. Checked against the trail by request id afterwards.
AUDITED = {
    "case list": ["SENSITIVE_FIELDS_READ"],
    "case list (supervisor)": ["SENSITIVE_FIELDS_READ"],
    "case page": ["CASE_VIEWED"],
    "search": ["CASE_SEARCHED"],
    "task form": ["CASE_VIEWED"],
    "complete task": ["TASK_COMPLETED"],
    "statistics preview": ["REPORT_VIEWED"],
    "released report": ["REPORT_VIEWED"],
}


def plan() -> Path:
    """Write the accounts, their cases and fresh intake tasks for locust; return the file."""
    from django.test import Client
    from django.urls import get_resolver

    from advocacy.accounts.models import User
    from advocacy.cases.models import Case
    from advocacy.crypto.keycache import key_cache
    from tests import factories
    from workflows.consultation.start import consultation_start
    from workflows.models import CaseTask

    # viewflow learns a flow's URL namespace when the URLconf loads.
    assert get_resolver().url_patterns
    rnd = random.Random(5)  # noqa: S311 - invented data
    caseworkers = []
    started = time.perf_counter()
    for user in User.objects.filter(username__startswith="load_cw").order_by("username"):
        cases = list(
            Case.objects.filter(assigned_worker=user, number__startswith="L")
            .select_related("person")
            .order_by("number")[:300]
        )
        with key_cache():
            kana = sorted({case.person.kana for case in rnd.sample(cases, 20)})
        tasks = []
        for _n in range(TASKS_PER_WORKER):
            case = factories.case_for(user)
            process = consultation_start(actor=user, case=case)
            row = CaseTask.objects.select_related("task").get(
                case=case, task__process=process, status="ASSIGNED"
            )
            task = row.task
            tasks.append(task.flow_task.reverse("execute", args=[task.process_id, task.pk]))
        caseworkers.append(
            {
                "username": user.username,
                "cases": [str(case.pk) for case in cases],
                "kana": kana,
                "tasks": tasks,
            }
        )
    print(
        f"prepared {len(caseworkers) * TASKS_PER_WORKER} intake tasks in "
        f"{time.perf_counter() - started:.0f} s"
    )

    def sessions(username: str, count: int) -> list[str]:
        # Logged in as by the login form, without hashing a password in the measured run.
        user = User.objects.get(username=username)
        made = []
        for _n in range(count):
            client = Client()
            client.force_login(user)
            made.append(client.cookies["sessionid"].value)
        return made

    most = max(LEVELS)
    for account in caseworkers:
        account["sessions"] = sessions(account["username"], -(-most // len(caseworkers)))
    path = OUT / "plan.json"
    path.write_text(
        json.dumps(
            {
                "password": loaddb.PASSWORD,
                "caseworkers": caseworkers,
                "supervisors": [
                    {"username": name, "sessions": sessions(name, -(-most // 4))}
                    for name in ("load_sv", "load_csv")
                ],
                "committee": [{"username": "load_cm", "sessions": sessions("load_cm", most)}],
            }
        ),
        encoding="utf-8",
    )
    return path


def release_for_the_committee() -> None:
    from django.utils import timezone

    from advocacy.accounts.models import User
    from advocacy.dates import fiscal_year_of
    from advocacy.stats.models import Release
    from advocacy.stats.services import report_release

    if not Release.objects.exists():
        report_release(
            actor=User.objects.get(username="load_sv"),
            fiscal_year=fiscal_year_of(timezone.localdate()),
            kind=Release.Kind.BEFORE_COMMITTEE,
        )


def start_gunicorn() -> subprocess.Popen:
    env = {**os.environ, **loaddb.environment(), "DJANGO_DEBUG": "0"}
    server = subprocess.Popen(  # noqa: S603 - our own command line
        [
            str(loaddb.ROOT / ".venv" / "bin" / "gunicorn"),
            "advocacy.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
            # Django is imported once, before the workers fork: none of them starts cold
            # in the middle of a measured run.
            "--preload",
        ],
        cwd=loaddb.ROOT,
        env=env,
    )
    for _i in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/accounts/login/") as response:  # noqa: S310
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer")


# The one-user level runs each kind of user alone in turn, so that every page has the cost of
# a request alone to be compared with (one user of the mix would be a caseworker only).
KINDS = ["Caseworker", "Supervisor", "CommitteeMember"]
WEIGHTS = {"Caseworker": 6, "Supervisor": 2, "CommitteeMember": 1}


def run_level(users: int, plan_path: Path, kind: str = "") -> tuple[list[dict], float, Path]:
    prefix = OUT / f"u{users}{kind}"
    requests_log = OUT / f"u{users}{kind}-requests.tsv"
    requests_log.unlink(missing_ok=True)
    env = {
        **os.environ,
        "BENCH_LOAD_PLAN": str(plan_path),
        "BENCH_LOAD_REQUESTS": str(requests_log),
        "BENCH_LOAD_SLICE": f"{LEVELS.index(users)}/{len(LEVELS)}",
        # One user is the baseline of what a request costs alone: it never pauses, so its
        # p50 is the service time; the pauses of BENCH_LOAD_THINK are for the crowd.
        "BENCH_LOAD_THINK": "0" if users == 1 else os.environ.get("BENCH_LOAD_THINK", "0"),
    }
    load_before = os.getloadavg()[0]
    locust_log = open(f"{prefix}-locust.log", "w", encoding="utf-8")  # noqa: SIM115
    subprocess.run(  # noqa: S603 - our own command line
        [
            str(loaddb.ROOT / ".venv" / "bin" / "locust"),
            "-f",
            str(Path(__file__).parent / "load" / "locustfile.py"),
            "--headless",
            "--only-summary",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{SECONDS}s",
            # Requests in flight at the end are answered, and their ids logged.
            "--stop-timeout",
            "30",
            "--host",
            f"http://127.0.0.1:{PORT}",
            "--csv",
            str(prefix),
            "--loglevel",
            "WARNING",
            *([kind] if kind else []),
        ],
        env=env,
        check=False,
        stdout=locust_log,
        stderr=locust_log,
    )
    locust_log.close()
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    return rows, (load_before + os.getloadavg()[0]) / 2, requests_log


def _rate(rows: list[dict]) -> float:
    return float(next(r for r in rows if r["Name"] == "Aggregated")["Requests/s"])


def _count(row: dict, column: str) -> int:
    return int(row.get(column) or 0)


def audit_check(logs: list[Path], since_id: int) -> None:
    from django.core.management import call_command

    from advocacy.audit.actions import Action
    from advocacy.audit.models import AuditEvent

    call_command("verify_audit")
    expected: dict[str, list[str]] = {}
    refused: set[str] = set()
    for log in logs:
        for line in log.read_text(encoding="utf-8").splitlines():
            name, status, request_id, _error = line.split("\t")
            if request_id and status in {"200", "302"}:
                expected[request_id] = sorted(AUDITED.get(name, []))
            elif request_id:
                refused.add(request_id)  # an error answer: its refusal event is its own
    found: dict[str, list[str]] = collections.defaultdict(list)
    for request_id, action in AuditEvent.objects.filter(id__gt=since_id).values_list(
        "request_id", "action"
    ):
        found[request_id].append(Action(action).name)
    lost = repeated = strays = 0
    for request_id, actions in expected.items():
        got = sorted(found.pop(request_id, []))
        missing = collections.Counter(actions) - collections.Counter(got)
        extra = collections.Counter(got) - collections.Counter(actions)
        lost += sum(missing.values())
        repeated += sum(extra.values())
    of_errors = sum(len(found.pop(request_id, [])) for request_id in refused)
    # Events under an id no response carried: requests still in flight when locust stopped.
    strays = sum(len(actions) for actions in found.values())
    audited = sum(1 for actions in expected.values() if actions)
    print(
        f"audit: {audited:,} audited requests of {len(expected):,}; events lost {lost}, "
        f"extra {repeated}; {of_errors} events of {len(refused)} error answers; "
        f"{strays} events of requests cut off when locust stopped"
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    from advocacy.audit.models import AuditEvent

    print(f"database {os.environ['BENCH_LOAD_DB']} ({'built now' if BUILT else 'reused'})")
    release_for_the_committee()
    plan_path = plan()
    since_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    print(f"audit events from id {since_id} on are the load's")
    connection.close()
    server = start_gunicorn()
    logs = []
    summary = {}
    try:
        for users in LEVELS:
            if users == 1:
                runs = [run_level(1, plan_path, kind) for kind in KINDS]
                logs.extend(log for _rows, _load, log in runs)
                rows = [
                    r for run_rows, _l, _g in runs for r in run_rows if r["Name"] != "Aggregated"
                ]
                rate = sum(
                    WEIGHTS[kind] * _rate(run_rows)
                    for kind, (run_rows, _l, _g) in zip(KINDS, runs, strict=True)
                ) / sum(WEIGHTS.values())
                rows.append(
                    {
                        "Name": "Aggregated",
                        "Requests/s": str(rate),
                        "Failure Count": str(sum(_count(r, "Failure Count") for r in rows)),
                        "Request Count": str(sum(_count(r, "Request Count") for r in rows)),
                    }
                )
                load = sum(run_load for _r, run_load, _g in runs) / len(runs)
                label = "each kind of user alone in turn (rate: the mix's weights), no pauses"
            else:
                rows, load, log = run_level(users, plan_path)
                logs.append(log)
                label = f"pauses {os.environ.get('BENCH_LOAD_THINK', '0')} s"
            summary[users] = (rows, load)
            aggregated = next(r for r in rows if r["Name"] == "Aggregated")
            print(
                f"\n{users} users, {SECONDS} s, {label}, load average {load:.2f}: "
                f"{float(aggregated['Requests/s']):.1f} requests/s, "
                f"{aggregated['Failure Count']} errors of {aggregated['Request Count']}"
            )
            print(f"  {'page':<26} {'n':>6} {'p50':>6} {'p95':>6} {'p99':>6}  ms")
            for row in rows:
                if row["Name"] in {"Aggregated", "login page"}:
                    continue
                print(
                    f"  {row['Name']:<26} {row['Request Count']:>6} {row['50%']:>6} "
                    f"{row['95%']:>6} {row['99%']:>6}  ({row['Failure Count']} errors)"
                )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    if 1 in summary and 20 in summary:
        alone = {r["Name"]: r for r in summary[1][0]}
        twenty = {r["Name"]: r for r in summary[20][0]}
        ratio = float(twenty["Aggregated"]["Requests/s"]) / float(alone["Aggregated"]["Requests/s"])
        # Decision 108: throughput is the capacity, without pauses; the p95 is the office's,
        # with people's pauses. Each figure is printed, with what it says under this run.
        pauses = float(os.environ.get("BENCH_LOAD_THINK", "0"))
        print(
            f"\nthroughput 20 users / 1 user of the mix: {ratio:.2f}× (goal ≥ 1.6×"
            + (", measured without pauses: not this run)" if pauses else ")")
        )
        print(
            "p95 at 20 users / p50 of the page alone (goal ≤ 4×"
            + ("):" if pauses else ", measured with pauses: not this closed loop):")
        )
        worst = 0.0
        for name, row in twenty.items():
            if name in {"Aggregated", "login page"} or name not in alone:
                continue
            page_ratio = float(row["95%"]) / max(float(alone[name]["50%"]), 1.0)
            worst = max(worst, page_ratio)
            print(f"  {name:<26} {row['95%']:>6} / {alone[name]['50%']:>5} ms = {page_ratio:.2f}×")
        print(f"  worst page: {worst:.2f}×")
    audit_check(logs, since_id)


if __name__ == "__main__":
    main()
