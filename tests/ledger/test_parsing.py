"""The ledger's values as Excel holds them: dates, digits, kana, names, the city's words."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advocacy.dates import wareki
from advocacy.ledger import parsing
from advocacy.ledger.parsing import ParseError, parse_date

D = datetime.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和5年4月1日", D(2023, 4, 1)),
        ("令和元年5月1日", D(2019, 5, 1)),
        ("R5.4.1", D(2023, 4, 1)),
        ("R05.04.01", D(2023, 4, 1)),
        ("r5.4.1", D(2023, 4, 1)),
        ("H30/4/1", D(2018, 4, 1)),
        ("H30-4-1", D(2018, 4, 1)),
        ("Ｈ３０．４．１", D(2018, 4, 1)),
        ("平成31年4月30日", D(2019, 4, 30)),
        ("昭和20年", D(1945, 1, 1)),
        ("昭和20年8月", D(1945, 8, 1)),
        ("S20.8", D(1945, 8, 1)),
        ("大正15年12月24日", D(1926, 12, 24)),
        ("2023/4/1", D(2023, 4, 1)),
        ("２０２３年４月１日", D(2023, 4, 1)),
        ("2023-04-01 00:00:00", D(2023, 4, 1)),
        ("45017", D(2023, 4, 1)),
        (45017, D(2023, 4, 1)),
        (45017.0, D(2023, 4, 1)),
        (datetime.datetime(2023, 4, 1, 9, 30), D(2023, 4, 1)),  # noqa: DTZ001 (Excel holds naive)
        (D(2023, 4, 1), D(2023, 4, 1)),
        (None, None),
        ("", None),
        ("  ", None),
    ],
)
def test_a_date_is_read_in_every_form_the_ledgers_hold(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("令和5年2月30日", parsing.ERR_IMPOSSIBLE),
        ("平成32年1月5日", parsing.ERR_ERA_RANGE),
        ("令和元年4月1日", parsing.ERR_ERA_RANGE),
        ("H31.5.1", parsing.ERR_ERA_RANGE),
        ("2023/13/1", parsing.ERR_IMPOSSIBLE),
        ("来年の春", parsing.ERR_DATE),
        ("X5.1.1", parsing.ERR_DATE),
        (10, parsing.ERR_SERIAL),
        (True, parsing.ERR_DATE),
        (parsing.Formula("=TODAY()"), parsing.ERR_FORMULA),
    ],
)
def test_an_impossible_date_is_refused_with_its_reason(text, reason):
    with pytest.raises(ParseError) as caught:
        parse_date(text)
    assert str(caught.value.reason) == str(reason)


@given(st.dates(min_value=D(1926, 12, 25), max_value=D(2099, 12, 31)))
def test_any_date_written_in_wareki_or_as_a_serial_reads_back(day):
    assert parse_date(wareki(day)) == day
    assert parse_date(parsing.excel_serial(day)) == day
    name, year = parsing.era_year(day)
    letter = parsing.ERA_LETTERS[name]
    assert parse_date(f"{letter}{year}.{day.month}.{day.day}") == day
    assert parse_date(f"{letter}{year}/{day.month}/{day.day}") == day


def test_full_width_digits_and_half_width_kana_are_made_plain():
    assert parsing.parse_ledger_number("Ｒ５－０１２") == "R5-012"
    assert parsing.parse_kana("ｼｹﾝ ﾊﾅｺ") == "しけん はなこ"
    assert parsing.parse_kana("シケン　ハナコ") == "しけん はなこ"
    assert parsing.parse_kana("しけんはなこ") == "しけんはなこ"


def test_a_name_keeps_one_space_between_its_parts_or_none():
    assert parsing.parse_name("試験　花子") == "試験 花子"
    assert parsing.parse_name("試験  花子 ") == "試験 花子"
    assert parsing.parse_name("試験花子") == "試験花子"
    assert parsing.parse_name("試験・花子") == "試験 花子"
    with pytest.raises(ParseError):
        parsing.parse_name("  ")


def test_kana_with_kanji_in_it_is_refused():
    with pytest.raises(ParseError) as caught:
        parsing.parse_kana("試験 はなこ")
    assert str(caught.value.reason) == str(parsing.ERR_KANA)


def test_a_ledger_number_is_a_code_never_words():
    with pytest.raises(ParseError):
        parsing.parse_ledger_number("試験花子の件")


def test_the_citys_words_map_to_codes_and_an_unknown_word_is_named():
    words = {parsing.word_key("北部"): "north", parsing.word_key("高齢"): "elderly"}
    assert parsing.parse_word("北部", words, "地域") == "north"
    assert parsing.parse_word(" 北 部 ", words, "地域") == "north"
    assert parsing.parse_word("", words, "地域") is None
    assert parsing.parse_words("高齢・北部", words, "区分") == ["elderly", "north"]
    with pytest.raises(ParseError) as caught:
        parsing.parse_word("南部", words, "地域")
    assert "南部" in str(caught.value.reason)


def test_a_formula_is_refused_as_text_too():
    with pytest.raises(ParseError):
        parsing.clean_text(parsing.Formula("=A1"))
