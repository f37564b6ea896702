import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from advocacy.crypto.keycache import current_cache, key_cache
from advocacy.crypto.middleware import KeyCacheMiddleware
from advocacy.crypto.models import DataKey
from advocacy.crypto.prefetch import prefetch_data_keys
from tests.crypto.conftest import fresh, make_owner, make_record
from tests.testapp.models import Record

pytestmark = pytest.mark.django_db

FIELDS = ["text", "day", "amount", "count", "data", "note"]


def test_a_page_from_many_owners_needs_one_data_key_query(django_assert_num_queries):
    owners = [make_owner(name=f"本人{i}") for i in range(20)]
    for owner in owners:
        make_record(owner)
        make_record(owner)

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
        make_record(make_owner(name=f"本人{i}"))

    with key_cache(), django_assert_num_queries(2):
        texts = [r.text for r in Record.objects.with_data_keys().order_by("pk")[:10]]

    assert texts == ["本人の相談内容"] * 5


def test_each_owner_key_is_unwrapped_once_per_scope():
    owner = make_owner()
    for _ in range(3):
        make_record(owner)

    with key_cache() as cache:
        for record in Record.objects.all():
            [getattr(record, f) for f in FIELDS]
        _ = fresh(owner).name

    assert cache.unwraps == 1


def test_without_a_scope_nothing_is_cached(django_assert_num_queries):
    record = make_record(make_owner())
    got = fresh(record)

    with django_assert_num_queries(2):
        _ = got.text
        _ = got.note

    assert current_cache() is None


def test_middleware_gives_each_request_its_own_cache_and_clears_it():
    owner = make_owner()
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
    owner = make_owner()
    # An owner without a key yet (e.g. created before any encrypted value was entered).
    DataKey.objects.filter(owner_id=owner.pk).delete()

    with key_cache():
        with pytest.raises(RuntimeError), transaction.atomic():
            make_record(owner, text="巻き戻される")
            assert DataKey.objects.filter(owner_id=owner.pk).count() == 1
            raise RuntimeError
        assert not DataKey.objects.filter(owner_id=owner.pk).exists()

        record = make_record(owner, text="残る")

    assert DataKey.objects.filter(owner_id=owner.pk).count() == 1
    assert fresh(record).text == "残る"


def test_the_first_key_of_an_owner_is_created_once():
    owner = make_owner()
    for _ in range(3):
        make_record(owner)

    assert DataKey.objects.filter(owner_id=owner.pk).count() == 1
