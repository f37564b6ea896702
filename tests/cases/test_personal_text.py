"""The one canonical form texts are compared in, and the patterns that warn."""

from __future__ import annotations

import datetime

import pytest

from advocacy.cases.personal_text import canonical, date_token, looks_personal

MARCH_4_1942 = date_token(datetime.date(1942, 3, 4))


@pytest.mark.parametrize(
    "written",
    [
        "1942-03-04",
        "1942/3/4",
        "1942.3.4",
        "1942年3月4日",
        "１９４２年３月４日",
        "一九四二年三月四日",
        "千九百四十二年三月四日",
        "1942（昭和17）年3月4日",
        "19420304",
        "昭和17年3月4日",
        "昭和十七年三月四日",
        "昭和 17 年 3 月 4 日",
        "S17.3.4",
        "s17/3/4",
        "S17/3/4",
        "Ｓ１７．３．４",
        "昭17.3.4",
        "昭17年3月4日",
        "1\u200b942-0\u00ad3-04",
    ],
)
def test_every_common_way_of_writing_a_date_is_one_token(written):
    assert MARCH_4_1942 in canonical(written)


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("R5.4.1", datetime.date(2023, 4, 1)),
        ("令和5年4月1日", datetime.date(2023, 4, 1)),
        ("令和元年5月1日", datetime.date(2019, 5, 1)),
        ("R元.5.1", datetime.date(2019, 5, 1)),
        ("令元/5/1", datetime.date(2019, 5, 1)),
        ("H1.1.8", datetime.date(1989, 1, 8)),
        ("平成元年1月8日", datetime.date(1989, 1, 8)),
        ("T15.12.1", datetime.date(1926, 12, 1)),
    ],
)
def test_era_dates_and_their_first_year(written, day):
    assert canonical(written) == date_token(day)


def test_not_a_date_stays_text():
    assert canonical("2026年4月から月2回") == "2026年4月から月2回"
    assert canonical("S17.13.40") == "s17.13.40"


@pytest.mark.parametrize(
    ("written", "same_as"),
    [
        ("ｼｹﾝ ﾊﾅｺ", "しけんはなこ"),
        ("シケン　ハナコ", "しけんはなこ"),
        ("試\u200b験\u2060花\ufeff子", "試験花子"),
        ("試\u00ad験", "試験"),
        ("試\u034f験\ufe0f", "試験"),
        ("試\U000e0101験", "試験"),
        ("〇〇〇‐一二三四‐五六七八", "000-1234-5678"),
        ("０００－１２３４－５６７８", "000-1234-5678"),
        ("浜架空町一丁目二番三号", "浜架空町1-2-3"),
        ("浜架空町1丁目2番地3", "浜架空町1-2-3"),
        ("浜架空町1の2の3", "浜架空町1-2-3"),
    ],
)
def test_disguises_normalise_away(written, same_as):
    assert canonical(written) == canonical(same_as)


def test_a_general_consultations_patterns_are_seen_through_disguises():
    # The 一般相談 check shares the normaliser: a phone in kanji digits, a date as S17.3.4.
    assert "電話番号" in [str(k) for k in looks_personal(["連絡先 〇七七‐五二四‐一二三四"])]
    assert [str(k) for k in looks_personal(["S17.3.4生"])] == ["日付（年月日）"]
