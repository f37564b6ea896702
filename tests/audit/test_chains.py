"""Several chains (decision 83): appends do not wait for each other, and tampering shows.

On PostgreSQL an append takes a chain head no other transaction holds; SQLite lets one
writer in at a time, so there every event is in chain 1 and the second-chain tests build a
second chain by hand (the same code path: an append under head 2).
"""

from __future__ import annotations

import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from advocacy.audit import services
from advocacy.audit.actions import Action
from advocacy.audit.chain import GENESIS_HASH, heads_anchor
from advocacy.audit.models import AuditChainHead, AuditEvent
from advocacy.audit.services import audit_record

from .conftest import on_postgresql


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_an_append_does_not_wait_for_a_transaction_holding_a_head():
    if not on_postgresql():
        pytest.skip("SQLite lets one writer in at a time")
    # Chain 1 exists (its first append made it): beginning a chain is the one moment two
    # appends may wait for each other, once per chain.
    audit_record(actor=None, action=Action.CASE_VIEWED, label="first")
    held, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold_a_head() -> None:
        try:
            with transaction.atomic():
                audit_record(actor=None, action=Action.CASE_VIEWED, label="holder")
                held.set()
                release.wait(10)
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_a_head)
    holder.start()
    assert held.wait(10)
    try:
        done = threading.Event()
        result: list[AuditEvent] = []

        def append() -> None:
            try:
                with transaction.atomic():
                    result.append(audit_record(actor=None, action=Action.CASE_VIEWED, label="x"))
                done.set()
            finally:
                connection.close()

        other = threading.Thread(target=append)
        other.start()
        # With one head this append would wait until the holder commits.
        assert done.wait(5), "the append waited for the other transaction's head"
        other.join()
    finally:
        release.set()
        holder.join()
    assert errors == []
    assert result[0].chain == 2 and result[0].sequence == 1
    assert set(AuditEvent.objects.values_list("chain", "sequence")) == {(1, 1), (1, 2), (2, 1)}
    assert verify().startswith("OK 3 events; 2 chains")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("writers", [5, 20])
def test_concurrent_writers_lose_and_repeat_nothing_and_the_chains_verify(writers):
    each = 10
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def append_many(worker: int) -> None:
        try:
            start.wait()
            for n in range(each):
                with transaction.atomic():
                    audit_record(actor=None, action=Action.CASE_VIEWED, label=f"T{worker}-{n}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append_many, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    labels = list(AuditEvent.objects.values_list("label", flat=True))
    assert sorted(labels) == sorted(f"T{w}-{n}" for w in range(writers) for n in range(each))
    for head in AuditChainHead.objects.all():
        sequences = list(
            AuditEvent.objects.filter(chain=head.pk)
            .order_by("sequence")
            .values_list("sequence", flat=True)
        )
        assert sequences == list(range(1, head.sequence + 1))
    assert AuditChainHead.objects.count() <= services.CHAINS
    assert verify().startswith(f"OK {writers * each} events")


@pytest.fixture
def two_chains(city, monkeypatch):
    """Three events in chain 1 and three in chain 2, appended through the service."""
    for n in range(3):
        audit_record(actor=None, action=Action.REPORT_VIEWED, organisation=city, label=f"A{n}")
    AuditChainHead.objects.create(pk=2, sequence=0, hash=GENESIS_HASH)
    monkeypatch.setattr(
        services,
        "_lock_head",
        lambda: AuditChainHead.objects.select_for_update().get(pk=2),
    )
    for n in range(3):
        audit_record(actor=None, action=Action.REPORT_VIEWED, organisation=city, label=f"B{n}")
    monkeypatch.undo()
    assert list(AuditEvent.objects.values_list("chain", "sequence").order_by("id")) == [
        (1, 1),
        (1, 2),
        (1, 3),
        (2, 1),
        (2, 2),
        (2, 3),
    ]


@pytest.mark.django_db
def test_two_chains_verify_and_the_anchor_names_both(two_chains):
    out = verify()
    assert out.startswith("OK 6 events; 2 chains, heads ")
    assert out.split()[-1] == heads_anchor(AuditChainHead.objects.all())


@pytest.mark.django_db
def test_an_edit_in_the_second_chain_is_found(two_chains, tamper):
    tamper("UPDATE audit_auditevent SET label = 'forged' WHERE chain = 2 AND sequence = 2")

    with pytest.raises(CommandError, match=r"chain 2, sequence 2: content does not match"):
        verify()


@pytest.mark.django_db
def test_an_event_moved_to_another_chain_is_found(two_chains, tamper):
    # Chain 2's last event renumbered as chain 1's fourth: its chain is signed.
    tamper("UPDATE audit_auditevent SET chain = 1, sequence = 4 WHERE chain = 2 AND sequence = 3")
    AuditChainHead.objects.filter(pk=1).update(sequence=4)

    with pytest.raises(CommandError, match=r"chain 1, sequence 4: does not follow"):
        verify()


@pytest.mark.django_db
def test_a_deleted_event_of_the_second_chain_is_found(two_chains, tamper):
    tamper("DELETE FROM audit_auditevent WHERE chain = 2 AND sequence = 2")

    with pytest.raises(CommandError, match=r"chain 2, sequence 2: missing"):
        verify()


@pytest.mark.django_db
def test_the_newest_events_of_a_chain_deleted_are_found_by_its_head(two_chains, tamper):
    tamper("DELETE FROM audit_auditevent WHERE chain = 2")

    with pytest.raises(CommandError, match=r"chain 2, sequence 1: missing: the chain head"):
        verify()


@pytest.mark.django_db
def test_a_whole_chain_removed_with_its_head_changes_the_anchor(two_chains, tamper):
    before = heads_anchor(AuditChainHead.objects.all())
    tamper("DELETE FROM audit_auditevent WHERE chain = 2")
    AuditChainHead.objects.filter(pk=2).delete()

    # The database alone cannot tell; the digest kept outside it can (docs/audit.md).
    assert verify().startswith("OK 3 events; 1 chains")
    assert heads_anchor(AuditChainHead.objects.all()) != before
