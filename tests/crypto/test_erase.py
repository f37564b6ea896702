import pickle
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template

from advocacy.crypto.erased import ERASED
from advocacy.crypto.exceptions import DecryptionError, OwnerErasedError
from advocacy.crypto.fields import Ciphertext
from advocacy.crypto.keycache import key_cache
from advocacy.crypto.models import DataKey
from advocacy.crypto.services import person_erase, person_reencrypt
from tests import factories
from tests.crypto.conftest import fresh
from tests.testapp.models import Owner, Record

pytestmark = pytest.mark.django_db


def test_erased_sentinel_renders_as_erased_and_is_falsy():
    assert str(ERASED) == "（消去済み）"
    assert not ERASED
    assert pickle.loads(pickle.dumps(ERASED)) is ERASED  # noqa: S301 (our own bytes)
    assert Template("{{ v }}|{% if v %}x{% endif %}").render(Context({"v": ERASED})) == (
        "（消去済み）|"
    )


def test_erase_makes_every_value_of_the_owner_read_as_erased():
    owner = factories.owner()
    record = factories.record(owner)
    other = factories.record(factories.owner(name="別人"))

    destroyed = person_erase(owner_id=owner.pk)

    assert destroyed == 1
    got = fresh(record)
    assert [got.text, got.day, got.amount, got.count, got.data] == [ERASED] * 5
    assert fresh(owner).name is ERASED
    assert fresh(other).text == "本人の相談内容"
    tombstone = DataKey.objects.get(owner_id=owner.pk)
    assert tombstone.destroyed_at is not None and bytes(tombstone.wrapped) == b""


def test_erase_is_seen_at_once_in_the_same_scope():
    owner = factories.owner()
    with key_cache():
        assert fresh(owner).name == "山田 太郎"
        person_erase(owner_id=owner.pk)
        assert fresh(owner).name is ERASED


def test_erased_rows_still_render_and_save_other_fields():
    owner = factories.owner()
    record = factories.record(owner)
    person_erase(owner_id=owner.pk)
    got = fresh(record)

    html = Template("{{ r.text }}/{{ r.day|date:'Y' }}").render(Context({"r": got}))
    got.stage = "closed"
    got.save()

    assert html == "（消去済み）/"
    assert Record.objects.get(pk=record.pk).stage == "closed"
    assert type(fresh(record).__dict__["text"]) is Ciphertext


def test_nothing_new_may_be_stored_for_an_erased_owner():
    owner = factories.owner()
    person_erase(owner_id=owner.pk)

    with pytest.raises(OwnerErasedError):
        factories.record(owner)


def test_erase_clears_blind_indexes():
    owner = factories.owner()
    assert fresh(owner).kana_index is not None

    person_erase(owner_id=owner.pk)

    assert fresh(owner).kana_index is None and fresh(owner).dup_index is None


def test_erasing_someone_without_a_key_leaves_a_tombstone():
    owner = factories.owner()
    DataKey.objects.filter(owner_id=owner.pk).delete()

    person_erase(owner_id=owner.pk)

    assert fresh(owner).name is ERASED
    with pytest.raises(OwnerErasedError):
        factories.record(owner)


def test_reencrypt_moves_every_value_to_a_new_generation_and_destroys_the_old():
    owner = factories.owner()
    records = [factories.record(owner, note=f"メモ{i}") for i in range(3)]
    old_blob = fresh(records[0]).__dict__["note"].blob

    result = person_reencrypt(owner_id=owner.pk)

    assert result.new_generation == 2
    assert result.destroyed_generations == [1]
    assert result.values == 3 * 6 + 3
    keys = {k.generation: k for k in DataKey.objects.filter(owner_id=owner.pk)}
    assert keys[1].destroyed_at is not None and keys[2].destroyed_at is None
    for i, record in enumerate(records):
        got = fresh(record)
        assert got.__dict__["note"].generation == 2
        assert got.note == f"メモ{i}"
    assert fresh(owner).name == "山田 太郎"
    # The old value restored into the table (e.g. from an old backup) is unreadable now.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE testapp_record SET note = %s WHERE id = %s",
            [old_blob, Record._meta.pk.get_db_prep_value(records[0].pk, connection)],
        )
    with pytest.raises(DecryptionError) as info:
        _ = fresh(records[0]).note
    assert info.value.reason == "retired_generation"


def test_a_row_loaded_before_reencryption_rereads_itself():
    owner = factories.owner()
    record = factories.record(owner, note="前")
    loaded = fresh(record)

    person_reencrypt(owner_id=owner.pk)

    assert loaded.note == "前"


def test_reencrypt_person_command():
    owner = factories.owner()
    out = StringIO()

    call_command("reencrypt_person", str(owner.pk), stdout=out)

    assert "generation 2" in out.getvalue()
    assert Owner.objects.get(pk=owner.pk).name == "山田 太郎"
