import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.crypto.keycache import key_cache
from advocacy.crypto.keyring import add_master_key, get_keyring
from advocacy.crypto.models import DataKey
from advocacy.crypto.services import datakeys_rewrap_batch, datakeys_to_rewrap, person_reencrypt
from tests import factories
from tests.crypto.conftest import fresh
from tests.testapp.models import Owner, Record


@pytest.mark.django_db
def test_rotation_rewraps_every_live_key_under_the_new_master(key_file):
    owners = [factories.owner(name=f"本人{i}") for i in range(7)]
    old = get_keyring().active_master_id
    new = add_master_key(key_file)
    assert datakeys_to_rewrap().count() == 7

    out = StringIO()
    call_command("rotate_master_key", "--batch-size", "3", "--no-progress", stdout=out)

    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {new}
    assert "Re-wrapped 7 data keys" in out.getvalue()
    assert [fresh(o).name for o in owners] == [f"本人{i}" for i in range(7)]
    assert old in get_keyring().master_keys


@pytest.mark.django_db
def test_rotation_is_resumable_batch_by_batch(key_file):
    for i in range(5):
        factories.owner(name=f"本人{i}")
    add_master_key(key_file)

    assert datakeys_rewrap_batch(batch_size=2)[0] == 2
    assert datakeys_to_rewrap().count() == 3
    call_command("rotate_master_key", "--no-progress", stdout=StringIO())
    assert datakeys_to_rewrap().count() == 0


@pytest.mark.django_db
def test_rotation_leaves_tombstones_alone(key_file):
    from advocacy.crypto.services import person_erase

    owner = factories.owner()
    person_erase(owner_id=owner.pk)
    add_master_key(key_file)

    call_command("rotate_master_key", "--no-progress", stdout=StringIO())

    assert DataKey.objects.get(owner_id=owner.pk).destroyed_at is not None


@pytest.mark.django_db
def test_key_usage_reports_master_keys_and_generations(key_file):
    from advocacy.crypto.services import person_erase, person_reencrypt

    old = get_keyring().active_master_id
    owners = [factories.owner() for _ in range(3)]
    factories.record(owners[0])
    new = add_master_key(key_file)
    factories.owner()
    person_reencrypt(owner_id=owners[1].pk)
    person_erase(owner_id=owners[2].pk)
    out = StringIO()

    call_command("crypto_key_usage", "--scan-values", stdout=out)

    text = out.getvalue()
    assert f"{old}: 1" in text
    assert f"active {new}: 2" in text
    assert "generation 1: 2" in text and "generation 2: 1" in text
    assert "erased owners: 1" in text
    assert "testapp.Owner.name: gen 1: 3, gen 2: 1" in text
    assert "rotate_master_key" in text


@pytest.mark.django_db(transaction=True)
def test_rotation_while_another_thread_reads_and_writes(key_file):
    owners = [factories.owner(name=f"本人{i}") for i in range(60)]
    for owner in owners:
        factories.record(owner, note=f"メモ{owner.pk}")
    add_master_key(key_file)
    failures: list[BaseException] = []
    written: list = []
    reads = 0
    done = threading.Event()

    def reader_writer() -> None:
        nonlocal reads
        try:
            i = 0
            while not done.is_set() or i < 20:
                with key_cache():
                    for record in Record.objects.with_data_keys().order_by("?")[:10]:
                        assert record.note == f"メモ{record.owner_id}"
                        reads += 1
                    new = factories.owner(name=f"新規{i}")
                    written.append((new.pk, factories.record(new, note=f"メモ{new.pk}").pk))
                i += 1
        except BaseException as exc:  # noqa: BLE001  (reported to the main thread)
            failures.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=reader_writer)
    thread.start()
    try:
        last = 0
        while True:
            count, last = datakeys_rewrap_batch(batch_size=7, after_pk=last)
            if not count:
                break
    finally:
        done.set()
        thread.join(timeout=120)

    assert not failures, failures
    assert reads > 0
    # Keys created by the other thread after the sweep passed them: a rerun picks them up.
    call_command("rotate_master_key", "--no-progress", stdout=StringIO())
    assert datakeys_to_rewrap().count() == 0
    with key_cache():
        for owner_id, record_id in written:
            assert Record.objects.get(pk=record_id).note == f"メモ{owner_id}"
            assert Owner.objects.get(pk=owner_id).name.startswith("新規")
        for owner in owners:
            assert fresh(owner).name == owner.name


@pytest.mark.django_db
def test_master_key_rotation_is_audited_per_batch_without_key_material(key_file):
    for i in range(5):
        factories.owner(name=f"本人{i}")
    new = add_master_key(key_file)

    call_command("rotate_master_key", "--batch-size", "2", "--no-progress", stdout=StringIO())

    events = list(AuditEvent.objects.filter(action=Action.KEY_ROTATED).order_by("sequence"))
    assert [e.label for e in events] == [
        f"master {new}: 2 data keys",
        f"master {new}: 2 data keys",
        f"master {new}: 1 data keys",
    ]


@pytest.mark.django_db
def test_person_reencryption_is_audited():
    owner = factories.owner()
    factories.record(owner, note="メモ")

    person_reencrypt(owner_id=owner.pk)

    event = AuditEvent.objects.get(action=Action.KEY_ROTATED)
    assert event.label == f"data key {str(owner.pk)[:8]} gen 2"
