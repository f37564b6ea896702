from __future__ import annotations

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.audit.services import audit_record

THREADS = 4
EVENTS_EACH = 25


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_a_single_valid_chain():
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def append_many(worker: int) -> None:
        try:
            start.wait()
            for n in range(EVENTS_EACH):
                # Each append in its own transaction, as each would be in its own request.
                with transaction.atomic():
                    audit_record(actor=None, action=Action.CASE_VIEWED, label=f"T{worker}-{n}")
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append_many, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    total = THREADS * EVENTS_EACH
    # Each chain numbers its events 1, 2, 3 … with no gap and no repeat (decision 83).
    for chain in AuditEvent.objects.values_list("chain", flat=True).distinct():
        sequences = list(
            AuditEvent.objects.filter(chain=chain)
            .order_by("sequence")
            .values_list("sequence", flat=True)
        )
        assert sequences == list(range(1, len(sequences) + 1))
    assert AuditEvent.objects.count() == total
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert out.getvalue().startswith(f"OK {total} events")
