import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from advocacy.crypto import keycache as keycache_module
from advocacy.crypto.erased import ERASED
from advocacy.crypto.keycache import current_cache, key_cache, unwrap_memo
from advocacy.crypto.keyring import add_master_key, get_keyring, remove_master_key, reset_keyring
from advocacy.crypto.middleware import KeyCacheMiddleware
from advocacy.crypto.models import DataKey
from advocacy.crypto.prefetch import prefetch_data_keys
from advocacy.crypto.services import datakeys_rewrap_batch, person_erase
from tests import factories
from tests.crypto.conftest import fresh
from tests.testapp.models import Record

pytestmark = pytest.mark.django_db

FIELDS = ["text", "day", "amount", "count", "data", "note"]


def test_a_page_from_many_owners_needs_one_data_key_query(django_assert_num_queries):
    owners = [factories.owner(name=f"本人{i}") for i in range(20)]
    for owner in owners:
        factories.record(owner)
        factories.record(owner)

    with key_cache() as cache:
        with django_assert_num_queries(2):
            page = list(Record.objects.order_by("pk")[:50])
            prefetch_data_keys(page)
            shown = [[getattr(r, f) for f in FIELDS] for r in page]
            names = {r.owner_id for r in page}

        assert cache.unwraps == len(names) == 20
    assert all(row[0] == "本人の相談内容" for row in shown)


def test_with_data_keys_prefetches_when_the_queryset_is_fetched(django_assert_num_queries):
    for i in range(5):
        factories.record(factories.owner(name=f"本人{i}"))

    with key_cache(), django_assert_num_queries(2):
        texts = [r.text for r in Record.objects.with_data_keys().order_by("pk")[:10]]

    assert texts == ["本人の相談内容"] * 5


def test_each_owner_key_is_unwrapped_once_per_scope():
    owner = factories.owner()
    for _ in range(3):
        factories.record(owner)

    with key_cache() as cache:
        for record in Record.objects.all():
            [getattr(record, f) for f in FIELDS]
        _ = fresh(owner).name

    assert cache.unwraps == 1


def test_without_a_scope_nothing_is_cached(django_assert_num_queries):
    record = factories.record(factories.owner())
    got = fresh(record)

    with django_assert_num_queries(2):
        _ = got.text
        _ = got.note

    assert current_cache() is None


def test_middleware_gives_each_request_its_own_cache_and_clears_it():
    owner = factories.owner()
    seen = []

    def view(request):
        seen.append(current_cache())
        _ = fresh(owner).name
        assert len(current_cache().owners) == 1
        return HttpResponse("ok")

    middleware = KeyCacheMiddleware(view)
    middleware(RequestFactory().get("/"))
    middleware(RequestFactory().get("/"))

    assert seen[0] is not seen[1]
    assert seen[0].owners == {} and seen[1].owners == {}
    assert current_cache() is None


def test_nested_scopes_share_the_outer_cache():
    with key_cache() as outer, key_cache() as inner:
        assert inner is outer


def test_a_key_created_in_a_rolled_back_transaction_is_not_reused():
    owner = factories.owner()
    # An owner without a key yet (e.g. created before any encrypted value was entered).
    DataKey.objects.filter(owner_id=owner.pk).delete()

    with key_cache():
        with pytest.raises(RuntimeError), transaction.atomic():
            factories.record(owner, text="巻き戻される")
            assert DataKey.objects.filter(owner_id=owner.pk).count() == 1
            raise RuntimeError
        assert not DataKey.objects.filter(owner_id=owner.pk).exists()

        record = factories.record(owner, text="残る")

    assert DataKey.objects.filter(owner_id=owner.pk).count() == 1
    assert fresh(record).text == "残る"


def test_a_key_used_twice_in_a_rolled_back_savepoint_is_not_reused_after_it():
    # The second use finds the key's pending callback by the list it was found in before;
    # the rollback replaces that list, so the next use must look again and find it gone.
    owner = factories.owner()
    DataKey.objects.filter(owner_id=owner.pk).delete()

    with key_cache():
        with pytest.raises(RuntimeError), transaction.atomic():
            factories.record(owner, text="巻き戻される一")
            factories.record(owner, text="巻き戻される二")
            raise RuntimeError
        assert not DataKey.objects.filter(owner_id=owner.pk).exists()

        record = factories.record(owner, text="残る")

    assert DataKey.objects.filter(owner_id=owner.pk).count() == 1
    assert fresh(record).text == "残る"


def test_the_first_key_of_an_owner_is_created_once():
    owner = factories.owner()
    for _ in range(3):
        factories.record(owner)

    assert DataKey.objects.filter(owner_id=owner.pk).count() == 1


def test_later_requests_reuse_unwrapped_keys_but_still_read_the_key_rows(
    django_assert_num_queries, monkeypatch
):
    record = factories.record(factories.owner())
    unwrap_memo.clear()
    with key_cache():
        assert fresh(record).text == "本人の相談内容"
    assert len(unwrap_memo.entries) == 1

    calls = []
    original = keycache_module.unwrap_parts
    monkeypatch.setattr(
        keycache_module, "unwrap_parts", lambda *a, **k: calls.append(a) or original(*a, **k)
    )
    # Two queries: the row, and its owner's key rows (an erasure would show there).
    with key_cache(), django_assert_num_queries(2):
        assert fresh(record).text == "本人の相談内容"
    assert calls == []


def test_an_erased_owner_is_not_read_through_a_remembered_key():
    owner = factories.owner()
    record = factories.record(owner)
    with key_cache():
        assert fresh(record).text == "本人の相談内容"

    person_erase(owner_id=owner.pk)

    with key_cache():
        assert fresh(record).text is ERASED


def test_a_rewrapped_key_is_unwrapped_again_under_the_new_master_key(key_file):
    owner = factories.owner()
    with key_cache():
        assert fresh(owner).name == "山田 太郎"
    old_master = DataKey.objects.get(owner_id=owner.pk).master_key_id

    add_master_key(key_file)
    reset_keyring()
    assert unwrap_memo.entries == {}
    datakeys_rewrap_batch(batch_size=10)
    remove_master_key(key_file, old_master)
    reset_keyring()

    with key_cache() as cache:
        assert fresh(owner).name == "山田 太郎"
    assert cache.unwraps == 1
    assert [k[2] for k in unwrap_memo.entries] == [get_keyring().active_master_id]
