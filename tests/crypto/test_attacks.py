"""Attacks on the stored data: read it raw, move it, alter it, lose its keys."""

import base64
import datetime
import decimal
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advocacy.crypto.datakeys import unwrap
from advocacy.crypto.exceptions import DecryptionError, UnknownMasterKeyError
from advocacy.crypto.fields import Ciphertext
from advocacy.crypto.keyring import create_key_file, get_keyring
from advocacy.crypto.models import DataKey
from advocacy.crypto.signals import decryption_failed
from tests import factories
from tests.crypto.conftest import fresh
from tests.rawscan import dump, encodings
from tests.testapp.models import Owner, Record

pytestmark = pytest.mark.django_db

CANARIES = [
    "カナリア瀬戸内太郎",
    "ｶﾅﾘｱ",
    "canary-ascii-7f3e",
    "1937-11-23",
    "987654.32",
    "4242424242",
    "🐤カナリア",
]


def write_canaries() -> tuple[Owner, Record]:
    owner = factories.owner(
        name=CANARIES[0],
        kana=CANARIES[1] + " " + CANARIES[2],
        birth_date=datetime.date(1937, 11, 23),
    )
    record = factories.record(
        owner,
        text=CANARIES[0] + CANARIES[6],
        amount=decimal.Decimal(CANARIES[4]),
        count=int(CANARIES[5]),
        data={"name": CANARIES[2], "born": CANARIES[3]},
        note=CANARIES[2],
    )
    return owner, record


def test_no_canary_in_the_raw_tables_in_any_encoding():
    owner, record = write_canaries()

    haystack = dump("testapp_owner", "testapp_record", "crypto_datakey")

    assert fresh(record).data["name"] == CANARIES[2]
    for canary in CANARIES:
        for form in encodings(canary):
            assert form not in haystack, (canary, form)


def test_no_plaintext_is_ever_sent_to_the_database():
    with CaptureQueriesContext(connection) as queries:
        write_canaries()

    sent = "\n".join(q["sql"] for q in queries.captured_queries).encode()
    for canary in CANARIES[:3]:
        for form in encodings(canary):
            assert form not in sent


def test_dumpdata_refuses_encrypted_models_and_writes_no_canary(tmp_path):
    from django.core.management import CommandError, call_command

    write_canaries()
    out = tmp_path / "dump.json"

    with pytest.raises(CommandError, match="testapp.Owner.name is encrypted"):
        call_command("dumpdata", "testapp", output=str(out))
    with pytest.raises(CommandError, match="encrypted"):
        call_command("dumpdata", "cases.person", "testapp.record", output=str(out))
    written = out.read_bytes() if out.exists() else b""
    for canary in CANARIES:
        for form in encodings(canary):
            assert form not in written, (canary, form)
    # Models without encrypted fields still serialise.
    call_command("dumpdata", "reference.area", output=str(out))
    assert json.loads(out.read_text())


def test_no_key_touches_the_database():
    owner, _ = write_canaries()
    keyring = get_keyring()
    data_key = unwrap(DataKey.objects.get(owner_id=owner.pk))
    secrets = [k.key for k in keyring.master_keys.values()]
    secrets += [keyring.blind_index_key.key, keyring.audit_key.key, data_key]

    haystack = dump("testapp_owner", "testapp_record", "crypto_datakey")

    for secret in secrets:
        for form in (secret, secret.hex().encode(), base64.b64encode(secret)):
            assert form not in haystack


def sql_copy(model, column_from: str, pk_from, column_to: str, pk_to) -> None:
    table = model._meta.db_table
    prep = model._meta.pk.get_db_prep_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column_from} FROM {table} WHERE id = %s",  # noqa: S608
            [prep(pk_from, connection)],
        )
        (value,) = cursor.fetchone()
        cursor.execute(
            f"UPDATE {table} SET {column_to} = %s WHERE id = %s",  # noqa: S608
            [value, prep(pk_to, connection)],
        )


def assert_fails(instance, field_name: str, failures: list, reason: str = "authentication_failed"):
    with pytest.raises(DecryptionError) as info:
        getattr(instance, field_name)
    assert info.value.reason == reason
    assert failures[-1] == {
        "signal": decryption_failed,
        "sender": type(instance),
        "model_label": type(instance)._meta.label,
        "field_name": field_name,
        "row_id": instance.pk,
        "reason": reason,
    }
    # Asking again fails again: the stored bytes are never handed out as the value.
    with pytest.raises(DecryptionError):
        getattr(instance, field_name)
    return info.value


def test_ciphertext_copied_to_another_row_of_the_same_person_fails(failures):
    owner = factories.owner()
    first = factories.record(owner, text="一件目")
    second = factories.record(owner, text="二件目")

    sql_copy(Record, "text", first.pk, "text", second.pk)

    error = assert_fails(fresh(second), "text", failures)
    assert "一件目" not in str(error)
    assert fresh(first).text == "一件目"


def test_ciphertext_copied_to_another_column_of_the_same_row_fails(failures):
    record = factories.record(factories.owner(), text="本文", note="メモ")

    sql_copy(Record, "text", record.pk, "note", record.pk)

    assert_fails(fresh(record), "note", failures)


def test_ciphertext_copied_to_another_person_fails(failures):
    alice = factories.owner(name="有子")
    bob = factories.owner(name="文雄")

    sql_copy(Owner, "name", alice.pk, "name", bob.pk)

    assert_fails(fresh(bob), "name", failures)


def test_swapping_two_rows_fails_both_ways(failures):
    owner = factories.owner()
    first = factories.record(owner, note="A")
    second = factories.record(owner, note="B")
    original = fresh(first)
    original_bytes = original.__dict__["note"].blob

    sql_copy(Record, "note", second.pk, "note", first.pk)
    record = fresh(second)
    record.__dict__["note"] = Ciphertext(original_bytes)

    assert_fails(fresh(first), "note", failures)
    assert_fails(record, "note", failures)


def test_flipping_any_byte_of_a_value_fails(failures):
    record = fresh(factories.record(factories.owner(), note="改ざん検知"))
    blob = record.__dict__["note"].blob

    for position in range(len(blob)):
        tampered = bytearray(blob)
        tampered[position] ^= 0x01
        record.__dict__["note"] = Ciphertext(bytes(tampered))
        with pytest.raises(DecryptionError):
            _ = record.note
    record.__dict__["note"] = Ciphertext(blob[:-1])
    with pytest.raises(DecryptionError):
        _ = record.note
    assert len(failures) == len(blob) + 1


def test_tampered_byte_in_the_database_fails(failures):
    record = factories.record(factories.owner(), text="本文")
    table = Record._meta.db_table
    blob = bytearray(fresh(record).__dict__["text"].blob)
    blob[-5] ^= 0x80
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET text = %s WHERE id = %s",  # noqa: S608
            [bytes(blob), Record._meta.pk.get_db_prep_value(record.pk, connection)],
        )

    assert_fails(fresh(record), "text", failures)


def test_unknown_generation_is_a_missing_key_not_erased(failures):
    record = fresh(factories.record(factories.owner(), note="x"))
    blob = bytearray(record.__dict__["note"].blob)
    blob[1:5] = (99).to_bytes(4, "big")
    record.__dict__["note"] = Ciphertext(bytes(blob))

    assert_fails(record, "note", failures, reason="missing_data_key")


def test_deleted_data_key_is_missing_not_erased(failures):
    owner = factories.owner()
    DataKey.objects.filter(owner_id=owner.pk).delete()

    assert_fails(fresh(owner), "name", failures, reason="missing_data_key")


def test_unknown_envelope_version_fails(failures):
    record = fresh(factories.record(factories.owner(), note="x"))
    blob = bytearray(record.__dict__["note"].blob)
    blob[0] = 2
    record.__dict__["note"] = Ciphertext(bytes(blob))

    assert_fails(record, "note", failures, reason="unknown_version")


def test_unknown_master_key_id_gives_a_clear_error(failures):
    owner = factories.owner()
    DataKey.objects.filter(owner_id=owner.pk).update(master_key_id="m-20000101-deadbeef")

    with pytest.raises(UnknownMasterKeyError, match="m-20000101-deadbeef.*restore the key file"):
        _ = fresh(owner).name
    assert failures[-1]["reason"] == "unknown_master_key"


def test_a_different_key_file_cannot_read_the_data(tmp_path, settings, failures):
    owner = factories.owner()
    other = tmp_path / "other.json"
    create_key_file(other)
    settings.ADVOCACY_KEY_FILE = other

    with pytest.raises(UnknownMasterKeyError):
        _ = fresh(owner).name


def test_wrapped_key_moved_to_another_owner_fails(failures):
    alice = factories.owner(name="有子")
    bob = factories.owner(name="文雄")
    alice_key = DataKey.objects.get(owner_id=alice.pk)
    DataKey.objects.filter(owner_id=bob.pk).update(wrapped=alice_key.wrapped)

    assert_fails(fresh(bob), "name", failures, reason="unwrap_failed")


def test_tampered_wrapped_key_fails(failures):
    owner = factories.owner()
    row = DataKey.objects.get(owner_id=owner.pk)
    wrapped = bytearray(row.wrapped)
    wrapped[3] ^= 1
    DataKey.objects.filter(pk=row.pk).update(wrapped=bytes(wrapped))

    assert_fails(fresh(owner), "name", failures, reason="unwrap_failed")


def test_signal_arguments_carry_no_plaintext_or_key(failures):
    record = factories.record(factories.owner(), text="秘密の本文")
    sql_copy(Record, "text", record.pk, "note", record.pk)

    with pytest.raises(DecryptionError):
        _ = fresh(record).note

    sent = json.dumps(failures[-1], default=str, ensure_ascii=False)
    assert "秘密" not in sent
    assert base64.b64encode(get_keyring().active_master.key).decode() not in sent
