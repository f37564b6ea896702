"""A page's shown fields decrypted in one pass after the fetch (with_data_keys(*fields))."""

import pytest
from django.db import connection

from advocacy.crypto.erased import ERASED
from advocacy.crypto.exceptions import DecryptionError
from advocacy.crypto.fields import Ciphertext
from advocacy.crypto.keycache import key_cache
from advocacy.crypto.prefetch import prefetch_data_keys
from advocacy.crypto.services import person_erase
from tests import factories
from tests.testapp.models import Owner, Record

pytestmark = pytest.mark.django_db


def test_the_named_fields_are_decrypted_at_fetch_and_the_others_only_when_read(
    django_assert_num_queries,
):
    for i in range(4):
        factories.record(factories.owner(name=f"本人{i}"), note=f"メモ{i}")

    with key_cache(), django_assert_num_queries(2):
        page = list(Record.objects.with_data_keys("text", "note").order_by("pk"))

    for record in page:
        assert record.__dict__["text"] == "本人の相談内容"
        assert record.__dict__["note"].startswith("メモ")
        assert type(record.__dict__["amount"]) is Ciphertext
    assert sorted(r.note for r in page) == ["メモ0", "メモ1", "メモ2", "メモ3"]


def test_a_chained_queryset_keeps_the_fields_to_decrypt():
    factories.record(factories.owner())

    with key_cache():
        (record,) = Record.objects.with_data_keys("text").filter(stage="open").order_by("pk")

    assert record.__dict__["text"] == "本人の相談内容"
    assert type(record.__dict__["note"]) is Ciphertext


def test_a_value_that_fails_in_the_pass_raises_and_is_reported_once_when_read(failures):
    owner = factories.owner()
    good, bad = factories.record(owner, note="読める"), factories.record(owner, note="改ざん")
    table = Record._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT note FROM {table} WHERE id = %s", [_pk(bad)])  # noqa: S608
        blob = bytearray(cursor.fetchone()[0])
        blob[-1] ^= 0x01
        cursor.execute(
            f"UPDATE {table} SET note = %s WHERE id = %s",  # noqa: S608
            [bytes(blob), _pk(bad)],
        )

    with key_cache():
        page = {r.pk: r for r in Record.objects.with_data_keys("text", "note")}
        assert failures == []
        assert page[good.pk].note == "読める"
        assert page[bad.pk].text == "本人の相談内容"
        assert type(page[bad.pk].__dict__["note"]) is Ciphertext
        with pytest.raises(DecryptionError) as info:
            _ = page[bad.pk].note

    assert info.value.reason == "authentication_failed"
    assert [f["row_id"] for f in failures] == [bad.pk]


def test_an_erased_owner_reads_as_erased_after_the_pass():
    owner = factories.owner()
    factories.record(owner)
    person_erase(owner_id=owner.pk)

    with key_cache():
        (record,) = Record.objects.with_data_keys("text", "day")

    assert type(record.__dict__["text"]) is Ciphertext
    assert record.text is ERASED and record.day is ERASED


def test_naming_a_field_that_is_not_encrypted_is_a_clear_error():
    factories.record(factories.owner())

    with key_cache(), pytest.raises(ValueError, match="Record has no encrypted field 'stage'"):
        list(Record.objects.with_data_keys("stage"))
    with pytest.raises(ValueError, match="no encrypted field 'nothing'"):
        prefetch_data_keys(list(Owner.objects.all()), decrypt=("nothing",))


def _pk(record):
    return Record._meta.pk.get_db_prep_value(record.pk, connection)
