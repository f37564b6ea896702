"""Values as an Excel ledger holds them, read into what the system stores.

Pure functions, no database: dates in every form staff type them (令和5年4月1日, R5.4.1,
H30/4/1, 昭和20年, an Excel serial, 2023/4/1), full-width digits, half-width kana, names
with or without a space, and the city's own words for areas and categories. A value that
cannot be read raises ``ParseError`` with a reason that never quotes a personal value.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from advocacy.dates import ERA_LETTERS, ERAS, era_year

# Excel's 1900 date system counts from 1899-12-30 (it believes 1900 was a leap year, and
# every serial after February 1900 is off by that one day, which this epoch absorbs).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Serials of 1900-03-01 to 9999-12-31; smaller numbers are not dates in a ledger.
SERIAL_MIN, SERIAL_MAX = 61, 2958465

ERA_OF_LETTER = {letter: era for era, letter in ERA_LETTERS.items()}
ERA_START = {name: start for start, name in ERAS}

_SEP = r"\s*[./\-年]\s*"
_KANJI_ERA = re.compile(
    r"^(令和|平成|昭和|大正|明治)\s*(元|\d{1,2})\s*年"
    r"(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?$"
)
_LETTER_ERA = re.compile(
    r"^([RHSTM])\s*\.?\s*(元|\d{1,2})(?:" + _SEP + r"(\d{1,2})" + _SEP + r"(\d{1,2})\s*日?)?$"
)
_LETTER_ERA_MONTH = re.compile(r"^([RHSTM])\s*\.?\s*(元|\d{1,2})" + _SEP + r"(\d{1,2})\s*月?$")
_WESTERN = re.compile(r"^(\d{4})" + _SEP + r"(\d{1,2})\s*[./\-月]\s*(\d{1,2})\s*日?(?:\s+.*)?$")
_DIGITS = re.compile(r"^\d+(?:\.0+)?$")
# A ledger's case number: letters, digits and a few separators (R5-012, 2023/15, No.7).
_LEDGER_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_/.]{0,31}$")

ERR_DATE = _("日付として読めません")
ERR_ERA_RANGE = _("元号の範囲にない日付です")
ERR_IMPOSSIBLE = _("存在しない日付です")
ERR_SERIAL = _("Excel の日付の値として範囲外です")
ERR_FORMULA = _("値ではなく数式が入っています（値として貼り付けてください）")
ERR_NUMBER = _("ケース番号は英数字と - _ / . で 32 文字までです")
ERR_EMPTY = _("必須の項目が空です")
ERR_KANA = _("ふりがなにかな以外の文字があります")


class ParseError(ValueError):
    """A value that cannot be read; ``reason`` is safe to show (it quotes no personal value)."""

    def __init__(self, reason: object) -> None:
        super().__init__(str(reason))
        self.reason = reason


class Formula(str):
    """A cell holding a formula (the workbook reader marks them; the parser refuses them)."""


def clean_text(value: object) -> str:
    """Return value as text in NFKC (full-width digits and letters, half-width kana fixed)."""
    if value is None:
        return ""
    if isinstance(value, Formula):
        raise ParseError(ERR_FORMULA)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split())


def _year(text: str) -> int:
    return 1 if text == "元" else int(text)


def _era_date(era: str, year: int, month: int, day: int, *, year_only: bool = False):
    start = ERA_START[era]
    try:
        result = datetime.date(start.year + year - 1, month, day)
    except ValueError:
        raise ParseError(ERR_IMPOSSIBLE) from None
    if year_only:
        # 昭和64年 is 1989 (its first week), a year that belongs to the era.
        if year < 1 or result.year > era_end_year(era):
            raise ParseError(ERR_ERA_RANGE)
        return result
    if era_year(result) != (era, year):
        # 平成32年, or 令和元年4月1日 (still 平成): not a date of that era.
        raise ParseError(ERR_ERA_RANGE)
    return result


def era_end_year(era: str) -> int:
    """Return the last western year an era reached (this year for the current one)."""
    later = [start for start, name in ERAS if start > ERA_START[era]]
    return min(later).year if later else datetime.date.max.year


def parse_date(value: object) -> datetime.date | None:
    """Return the date a ledger cell holds, or None when it is empty.

    A year alone (昭和20年, a birth year the ledger knows no better) reads as 1 January of
    that year, and a year and month as its first day (decision 63).
    """
    if value is None or value == "":
        return None
    if isinstance(value, Formula):
        raise ParseError(ERR_FORMULA)
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise ParseError(ERR_DATE)
    if isinstance(value, int | float):
        return _serial(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().upper()
    if not text:
        return None
    if _DIGITS.match(text):
        return _serial(float(text))
    if match := _KANJI_ERA.match(text):
        era, year, month, day = match.groups()
        return _era_date(era, _year(year), int(month or 1), int(day or 1), year_only=not month)
    if match := _LETTER_ERA.match(text):
        letter, year, month, day = match.groups()
        era = ERA_OF_LETTER[letter]
        return _era_date(era, _year(year), int(month or 1), int(day or 1), year_only=not month)
    if match := _LETTER_ERA_MONTH.match(text):
        letter, year, month = match.groups()
        era = ERA_OF_LETTER[letter]
        # The first of the month must belong to the era (平成31年5月 does not).
        return _era_date(era, _year(year), int(month), 1)
    if match := _WESTERN.match(text):
        year, month, day = (int(part) for part in match.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise ParseError(ERR_IMPOSSIBLE) from None
    raise ParseError(ERR_DATE)


def _serial(number: float) -> datetime.date:
    if not SERIAL_MIN <= number <= SERIAL_MAX:
        raise ParseError(ERR_SERIAL)
    return EXCEL_EPOCH + datetime.timedelta(days=int(number))


def excel_serial(day: datetime.date) -> int:
    """Return the Excel serial of day (the inverse of parse_date on a number)."""
    return (day - EXCEL_EPOCH).days


def parse_name(value: object) -> str:
    """Return a name in NFKC with one space between its parts (or none if it had none)."""
    text = clean_text(value).replace("・", " ")
    if not text:
        raise ParseError(ERR_EMPTY)
    return " ".join(text.split())


_KATA_TO_HIRA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


def parse_kana(value: object) -> str:
    """Return the kana in hiragana (as the intake stores it), half-width kana made whole."""
    text = parse_name(value).translate(_KATA_TO_HIRA)
    if not all(
        ch == " " or ch == "ー" or "\u3041" <= ch <= "\u309f" or unicodedata.combining(ch)
        for ch in text
    ):
        raise ParseError(ERR_KANA)
    return text


def parse_ledger_number(value: object) -> str:
    """Return the ledger's case number, the import's key; a code, never words."""
    text = clean_text(value).replace(" ", "")
    if not text:
        raise ParseError(ERR_EMPTY)
    if not _LEDGER_NUMBER.match(text):
        raise ParseError(ERR_NUMBER)
    return text


def word_key(value: object) -> str:
    """Return the form in which a city's word is looked up: NFKC, no spaces."""
    return clean_text(value).replace(" ", "")


def parse_word(value: object, words: Mapping[str, str], what: object) -> str | None:
    """Return the code the city's word stands for, or None when the cell is empty.

    ``words`` maps word_key forms to codes. An unknown word is reported with the word
    itself: these are the city's category words, not a person's data.
    """
    key = word_key(value)
    if not key:
        return None
    try:
        return words[key]
    except KeyError:
        raise ParseError(
            _("%(what)s「%(word)s」は対応表にありません") % {"what": what, "word": key[:20]}
        ) from None


def parse_words(value: object, words: Mapping[str, str], what: object) -> list[str]:
    """Return the codes of a cell listing several words (高齢・知的, 高齢、知的, 高齢/知的)."""
    text = clean_text(value)
    parts = [p for p in re.split(r"[・、,/／\s]+", text) if p]
    return [code for part in parts if (code := parse_word(part, words, what))]
