"""Benchmark field encryption: per-value cost, a 50-row list page, and master-key rotation.

Run: .venv/bin/python bench/bench_crypto.py [persons-to-rotate] (default 100000)

Uses a database of its own: a temporary SQLite file, or, when DATABASE_URL names PostgreSQL,
a throw-away database created next to it and dropped afterwards. The key file is temporary too.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # noqa: E402

ROTATE_PERSONS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
IS_PG = benchdb.setup("crypto", test_apps=True)

from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import Context, Template  # noqa: E402
from django.test import Client, RequestFactory, override_settings  # noqa: E402

from advocacy.accounts.roles import Role  # noqa: E402
from advocacy.crypto.datakeys import new_data_key_row  # noqa: E402
from advocacy.crypto.fields import Ciphertext  # noqa: E402
from advocacy.crypto.keycache import key_cache  # noqa: E402
from advocacy.crypto.keyring import add_master_key, get_keyring  # noqa: E402
from advocacy.crypto.middleware import KeyCacheMiddleware  # noqa: E402
from advocacy.crypto.models import DataKey  # noqa: E402
from advocacy.crypto.services import datakeys_rewrap_batch, datakeys_to_rewrap  # noqa: E402
from tests import factories  # noqa: E402
from tests.testapp.models import Owner, PlainRecord, Record  # noqa: E402

FIELDS = ["text", "day", "amount", "count", "data", "note"]
PAGE = Template(
    """<table>{% for r in rows %}<tr><td>{{ r.text }}</td><td>{{ r.day|date:"Y-m-d" }}</td>
<td>{{ r.amount }}</td><td>{{ r.count }}</td><td>{{ r.data.relation }}</td><td>{{ r.note }}</td>
</tr>{% endfor %}</table>"""
)


def values(i: int) -> dict:
    import datetime
    import decimal

    return {
        "text": f"相談内容 {i}: 本人は自宅で一人暮らし。金銭管理に不安があり、支援を希望している。",
        "day": datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 300),
        "amount": decimal.Decimal("123456.78") + i,
        "count": i,
        "data": {"relation": "長女", "contact": "電話"},
        "note": f"メモ {i}",
    }


def per_value() -> None:
    owner = Owner(name="山田 太郎", kana="やまだたろう")
    owner.save()
    record = Record(owner=owner, **values(1))
    record.save()
    field = Record._meta.get_field("text")
    text = values(1)["text"]
    n = 20_000
    with key_cache():
        field.encrypt_for(record, text)
        start = time.perf_counter()
        for _ in range(n):
            sealed = field.encrypt_for(record, text)
        encrypt_us = (time.perf_counter() - start) / n * 1e6
        stored = Ciphertext(bytes(sealed))
        start = time.perf_counter()
        for _ in range(n):
            field.decrypt_stored(record, stored)
        decrypt_us = (time.perf_counter() - start) / n * 1e6
    owner.delete()
    print(f"encrypt one text field ({len(text.encode())} bytes): {encrypt_us:.1f} µs per value")
    print(f"decrypt one text field ({len(text.encode())} bytes): {decrypt_us:.1f} µs per value")


def _median_ms(views: dict, call, rounds: int) -> dict[str, float]:
    """Call each view in turn, rounds times, and return the median time of each in ms."""
    times: dict[str, list[float]] = {name: [] for name in views}
    for _ in range(rounds):
        for name, view in views.items():
            start = time.perf_counter()
            call(view)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) * 1000 for name, t in times.items()}


def _report(what: str, ms: dict[str, float]) -> None:
    enc, plain = ms["encrypted"], ms["plain"]
    print(f"{what}: encrypted {enc:.2f} ms, plain {plain:.2f} ms, ratio {enc / plain:.2f}x")


def list_page(owner_count: int, rounds: int = 300) -> None:
    """Time a 50-row page whose rows belong to owner_count people, encrypted and plain.

    Twice: served through the whole application (middleware, session, layout), which is the
    server time of a list page; and as the bare query and table render, which isolates the
    cost of encryption as much as it can be.
    """
    Owner.objects.all().delete()
    owners = [Owner(name=f"本人{i}", kana=f"ほんにん{i}") for i in range(owner_count)]
    for owner in owners:
        owner.save()
    for i in range(50):
        owner = owners[i % owner_count]
        record = Record(owner=owner, **values(i))
        record.save()
        PlainRecord(id=record.id, owner=owner, **values(i)).save()

    client = Client()
    client.force_login(factories.user(Role.CITY_CASEWORKER))
    urls = {"encrypted": "/app/bench/encrypted/", "plain": "/app/bench/plain/"}
    with override_settings(ROOT_URLCONF="crypto_page", ALLOWED_HOSTS=["testserver"]):
        pages = {name: client.get(url) for name, url in urls.items()}
        assert all(page.status_code == 200 for page in pages.values()), pages
        assert pages["encrypted"].content == pages["plain"].content
        full = _median_ms(urls, client.get, rounds)

    def encrypted_view(request):
        rows = list(Record.objects.with_data_keys(*FIELDS).order_by("pk")[:50])
        return HttpResponse(PAGE.render(Context({"rows": rows})))

    def plain_view(request):
        rows = list(PlainRecord.objects.order_by("pk")[:50])
        return HttpResponse(PAGE.render(Context({"rows": rows})))

    views = {
        "encrypted": KeyCacheMiddleware(encrypted_view),
        "plain": KeyCacheMiddleware(plain_view),
    }
    request = RequestFactory().get("/records/")
    assert views["encrypted"](request).content == views["plain"](request).content
    bare = _median_ms(views, lambda view: view(request), rounds)

    what = f"list page, 50 rows x 6 fields, {owner_count} owner(s), median of {rounds}"
    _report(f"{what}, whole request", full)
    _report(f"{what}, bare query + table", bare)


def locked_rows_monitor(stop: threading.Event, peak: list[int]) -> None:
    """Poll, from a second connection, how many data-key rows are locked right now."""
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        while not stop.is_set():
            # A row locked or updated by an open transaction shows that transaction's xid as
            # xmax in the version we still see; rotation updates every row it locks.
            (count,) = conn.execute(
                "SELECT count(*) FROM crypto_datakey WHERE xmax::text <> '0' "
                "AND pg_xact_status(xmax::text::xid8) = 'in progress'"
            ).fetchone()
            peak[0] = max(peak[0], count)
            time.sleep(0.002)


def rotation(persons: int, batch_size: int = 500) -> None:
    start = time.perf_counter()
    for chunk in range(0, persons, 5000):
        rows = [new_data_key_row(uuid.uuid4(), 1)[0] for _ in range(min(5000, persons - chunk))]
        DataKey.objects.bulk_create(rows)
    print(f"created {persons} wrapped data keys in {time.perf_counter() - start:.1f} s")
    old = get_keyring().active_master_id
    add_master_key(Path(os.environ["ADVOCACY_KEY_FILE"]))
    stop, peak = threading.Event(), [0]
    monitor = None
    if IS_PG:
        monitor = threading.Thread(target=locked_rows_monitor, args=(stop, peak))
        monitor.start()
    start = time.perf_counter()
    batches = last = 0
    while True:
        count, last = datakeys_rewrap_batch(batch_size=batch_size, after_pk=last)
        if not count:
            break
        batches += 1
    elapsed = time.perf_counter() - start
    stop.set()
    if monitor:
        monitor.join()
    left = datakeys_to_rewrap().count()
    under_old = DataKey.objects.filter(master_key_id=old).count()
    print(
        f"rotation of {persons} data keys: {elapsed:.1f} s in {batches} batches of {batch_size} "
        f"({persons / elapsed:,.0f} keys/s); left under the old key: {left} ({under_old})"
    )
    if IS_PG:
        print(
            f"most data-key rows locked at once, seen from another connection: {peak[0]} "
            f"(batch size {batch_size})"
        )


def main() -> None:
    # The test-only models have no migrations; the project's tables come from migrate.
    with connection.schema_editor() as editor:
        for model in (Owner, Record, PlainRecord):
            editor.create_model(model)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    per_value()
    list_page(50)
    list_page(1)
    Owner.objects.all().delete()
    rotation(ROTATE_PERSONS)


if __name__ == "__main__":
    try:
        main()
    finally:
        benchdb.teardown()
