"""Property tests: every value of every field type survives the round trip."""

import datetime
import decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocacy.crypto.normalise import normalise_text
from tests import factories
from tests.crypto.conftest import fresh
from tests.testapp.models import Record

pytestmark = pytest.mark.django_db

HIRAGANA = "".join(chr(c) for c in range(0x3041, 0x3097))
KATAKANA = "".join(chr(c) for c in range(0x30A1, 0x30F7))
HALF_KANA = "".join(chr(c) for c in range(0xFF66, 0xFF9F))
kana_text = st.text(alphabet=HIRAGANA + KATAKANA + HALF_KANA + "　 ・ー", max_size=40)
# Text as a database can hold it: any code point but NUL and lone surrogates.
any_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
).filter(lambda v: v is not None)

# A database round trip outlasts Hypothesis's deadline; all examples share the owner fixture.
no_deadline = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def owner(db):
    return factories.owner()


def round_trip(owner, **values):
    record = Record(owner=owner, **values)
    record.save()
    return fresh(record)


@no_deadline
@given(text=st.one_of(any_text, kana_text, st.just(""), st.text(min_size=3000, max_size=5000)))
def test_text_round_trips(owner, text):
    assert round_trip(owner, note=text).note == text


@no_deadline
@given(day=st.dates())
def test_dates_round_trip(owner, day):
    assert round_trip(owner, day=day).day == day


@no_deadline
@given(amount=st.decimals(min_value=-(10**9), max_value=10**9, places=2))
def test_decimals_round_trip(owner, amount):
    assert round_trip(owner, amount=amount).amount == amount


@no_deadline
@given(count=st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_integers_round_trip(owner, count):
    assert round_trip(owner, count=count).count == count


@no_deadline
@given(data=json_values)
def test_json_round_trips(owner, data):
    assert round_trip(owner, data=data).data == data


@no_deadline
@given(text=st.text(max_size=30))
def test_normaliser_is_idempotent(text):
    assert normalise_text(normalise_text(text)) == normalise_text(text)


@given(text=kana_text)
def test_katakana_hiragana_and_half_width_normalise_alike(text):
    hiragana = normalise_text(text)
    as_katakana = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in hiragana)
    assert normalise_text(as_katakana) == hiragana
    assert not any("ァ" <= c <= "ヶ" or c in " 　・" for c in hiragana)


def test_known_dates_round_trip(owner):
    for day in [datetime.date(1, 1, 1), datetime.date(9999, 12, 31), datetime.date(1926, 12, 25)]:
        assert round_trip(owner, day=day).day == day
    assert round_trip(owner, amount=decimal.Decimal("-0.01")).amount == decimal.Decimal("-0.01")
