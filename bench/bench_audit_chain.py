"""Does the audit chain serialise audited requests? Events/s at 1, 5 and 20 writers.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
     .venv/bin/python bench/bench_audit_chain.py [seconds per run]      (default 4)

Each writer is a process of its own (as a gunicorn worker is) with its own connection. It
runs transactions like an audited request's: the audit event, then `hold` ms of further work
inside the same transaction (0 for a page view, whose event is its own short transaction; a
task completion's event was written before the step's transition, decision 83), then commit.
Three kinds side by side: "one head" is the design before decision 83 (every append waits
for the single head), "chains" the current one, and the control "own" runs the same appends
with each writer on a chain of its own: what does not scale there is the machine (2 cores),
and what scales there but not with the chain is the chain. Prints transactions a second and the
mean time of one (for a serialised chain, the time it waited for the head), with the load.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # noqa: E402

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 4.0
IS_PG = benchdb.setup("auditchain")

from django.db import connection, connections, transaction  # noqa: E402

from advocacy.audit import services  # noqa: E402
from advocacy.audit.actions import Action  # noqa: E402
from advocacy.audit.chain import GENESIS_HASH  # noqa: E402
from advocacy.audit.models import AuditChainHead  # noqa: E402
from advocacy.audit.services import audit_record  # noqa: E402

WRITERS = (1, 5, 20)
HOLDS_MS = (0, 20)


def _chain_write(writer: int, hold: float) -> None:
    with transaction.atomic():
        audit_record(actor=None, action=Action.CASE_VIEWED, label=f"bench {writer}")
        if hold:
            time.sleep(hold)


def _one_head() -> AuditChainHead:
    # The design before decision 83: every append waits for the one head.
    return AuditChainHead.objects.select_for_update().get(pk=1)


def _worker(kind: str, writer: int, hold: float, until: float, out: multiprocessing.Queue) -> None:
    if kind == "one":
        services._lock_head = _one_head
    elif kind.startswith("own"):
        # The control: the same appends, each writer on a chain of its own (no contention).
        own = int(kind[3:]) + writer
        AuditChainHead.objects.create(pk=own, sequence=0, hash=GENESIS_HASH)
        services._lock_head = lambda: AuditChainHead.objects.select_for_update().get(pk=own)
    count = 0
    held = 0.0
    cpu = time.process_time()
    while time.time() < until:
        started = time.perf_counter()
        _chain_write(writer, hold)
        held += time.perf_counter() - started
        count += 1
    connection.close()
    out.put((count, held, time.process_time() - cpu))


def run(kind: str, writers: int, hold_ms: int) -> tuple[float, float]:
    connections.close_all()  # every child opens its own connection
    out: multiprocessing.Queue = multiprocessing.Queue()
    until = time.time() + SECONDS
    procs = [
        multiprocessing.Process(target=_worker, args=(kind, w, hold_ms / 1000, until, out))
        for w in range(writers)
    ]
    for proc in procs:
        proc.start()
    results = [out.get() for _p in procs]
    for proc in procs:
        proc.join()
    total = sum(count for count, _h, _c in results)
    per_transaction_ms = 1000 * sum(h for _c, h, _p in results) / max(total, 1)
    cpu_ms = 1000 * sum(c for _n, _h, c in results) / max(total, 1)
    if kind.startswith("own"):
        AuditChainHead.objects.filter(pk__gte=int(kind[3:])).delete()
    return total / SECONDS, per_transaction_ms, cpu_ms


def main() -> None:
    if not IS_PG:
        print("needs PostgreSQL (DATABASE_URL)")
        return
    audit_record(actor=None, action=Action.CASE_VIEWED, label="bench")  # chain 1's head
    print(f"{SECONDS:.0f} s a run; load average before: {os.getloadavg()[0]:.2f}")
    print("a second (ms a transaction, client CPU ms): one head (before) | chains (now) | own")
    rows: list[int] = []
    for hold_ms in HOLDS_MS:
        for writers in WRITERS:
            # Side by side, so that a change in the machine's load falls on all three.
            cells = []
            control = f"own{1000 + 100 * len(rows)}"
            for kind in ("one", "chain", control):
                rate, ms, cpu_ms = run(kind, writers, hold_ms)
                cells.append(f"{rate:5.0f} ({ms:5.1f}, cpu {cpu_ms:4.1f})")
            print(
                f"hold {hold_ms:>2} ms, {writers:>2} writers: {' | '.join(cells)}"
                f"   load {os.getloadavg()[0]:.2f}"
            )
            rows.append(writers)
    print(f"chains used: {AuditChainHead.objects.count()}")
    from django.core.management import call_command

    call_command("verify_audit")


if __name__ == "__main__":
    try:
        main()
    finally:
        benchdb.teardown()
