"""Words that look like personal data in a free text, and the one form texts are compared in.

``canonical`` is the normaliser every check of a text uses: the summary a candidate
receives before accepting (``portal.anonymity``, which matches the person's own values)
and a 一般相談's summary (``looks_personal`` here, which warns on patterns). It undoes the
ways a value can be disguised and still read the same to a person: Unicode width and
compatibility forms, invisible and format characters, katakana/hiragana/half-width kana,
kanji and full-width digits, and the many ways of writing a date (西暦 or 和暦, in full or
abbreviated, with dots, slashes, hyphens or 年月日), which all become one token.

A warning, not a refusal: the caseworker looks again. Kinds are named, never the words
found, so a warning does not repeat what it warns about.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from advocacy.crypto.normalise import normalise_text
from advocacy.dates import ERA_LETTERS, ERAS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

KIND_PHONE = _("電話番号")
KIND_ADDRESS = _("住所")
KIND_DATE = _("日付（年月日）")
KIND_CASE_NUMBER = _("ケース番号")
KIND_NAME = _("氏名らしい語（〜さん・様・氏）")

PHONE = re.compile(r"(?<!\d)0\d{1,4}[-‐－ー−(（)）]?\d{1,4}[-‐－ー−)）]?\d{3,4}(?!\d)")
ADDRESS = re.compile(
    r"(?:[都道府県].{0,8}?[市区町村郡])|\d+丁目|\d+番地|\d+号室|\d+-\d+-\d+|字.{1,6}\d"
)
DATE = re.compile(
    r"\d{4}\s*[年/.\-]\s*\d{1,2}\s*[月/.\-]\s*\d{1,2}|(?:令和|平成|昭和|大正)\s*\d{1,2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}"
)
CASE_NUMBER = re.compile(r"(?<![A-Za-z])[RHSTM]\d{1,2}-\d{3,}", re.IGNORECASE)
# Two to four kanji before an honorific: 田中さん, 山川様 (not お母さん).
NAME = re.compile(r"[\u4e00-\u9fff々]{2,4}(?:さん|様|氏|君|ちゃん)")

PATTERNS: tuple[tuple[StrOrPromise, re.Pattern[str]], ...] = (
    (KIND_PHONE, PHONE),
    (KIND_ADDRESS, ADDRESS),
    (KIND_DATE, DATE),
    (KIND_CASE_NUMBER, CASE_NUMBER),
)

# --- the canonical form ----------------------------------------------------------------

# Invisible: format (Cf: zero-width characters, soft hyphen, joiners, direction marks, tags),
# control (Cc), private-use and unassigned code points, and combining marks left over
# after NFKC (variation selectors, the grapheme joiner). Whitespace goes too: a space can
# be put between any two letters of a name.
_DROPPED_CATEGORIES = {"Cf", "Cc", "Co", "Cn", "Cs", "Mn", "Me", "Zs", "Zl", "Zp"}
# Letters and symbols that show as nothing: Hangul fillers, the Khmer inherent vowels,
# the braille blank, the Mongolian free variation selectors.
_INVISIBLE = {0x115F, 0x1160, 0x3164, 0xFFA0, 0x17B4, 0x17B5, 0x2800, 0x180B, 0x180C, 0x180D}

# Dashes a number or a date may be written with (NFKC keeps these apart from "-").
_DASHES = re.compile(r"[‐‑‒–—―−⁃﹣]")

_KANJI_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "壱": 1,
    "二": 2,
    "弐": 2,
    "三": 3,
    "参": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_KANJI_UNITS = {"十": 10, "拾": 10, "百": 100, "千": 1000}
_KANJI_NUMBER = re.compile(f"[{''.join(_KANJI_DIGITS)}{''.join(_KANJI_UNITS)}]+")

# Era names, their one-kanji abbreviations and letters, with the year before each's 1st.
_ERA_OFFSETS = {name: start.year - 1 for start, name in ERAS}
_ERA_FORMS = {name: name for name in _ERA_OFFSETS}
_ERA_FORMS |= {name[0]: name for name in _ERA_OFFSETS}
_ERA_FORMS |= {letter: name for name, letter in ERA_LETTERS.items()}
_ERA_FORMS |= {letter.lower(): name for name, letter in ERA_LETTERS.items()}
_ERA = "|".join(sorted(map(re.escape, _ERA_FORMS), key=len, reverse=True))
# 元年 is year 1 (令和元年, R元, 令元).
_FIRST_YEAR = re.compile(rf"(?<![A-Za-z])({_ERA})元")

_SEP = r"[-/.・,、]"
_WESTERN_DATE = re.compile(
    rf"(?<![\d#])(\d{{4}})(?:\((?:{_ERA})\d{{1,2}}\))?(?:年|{_SEP})"
    rf"(\d{{1,2}})(?:月|{_SEP})(\d{{1,2}})(?![\d#])日?"
)
_COMPACT_DATE = re.compile(r"(?<![\d#])(\d{4})(\d{2})(\d{2})(?![\d#])")
_ERA_DATE = re.compile(
    rf"(?<![A-Za-z])({_ERA})(\d{{1,2}})(?:年|{_SEP})(\d{{1,2}})(?:月|{_SEP})(\d{{1,2}})(?!\d)日?"
)
# Address numbers: 1丁目2番地3号, 1の2の3 and 1-2-3 are one form.
_ADDRESS_NUMBER = (
    (re.compile(r"(\d+)丁目"), r"\1-"),
    (re.compile(r"(\d+)番地?の?"), r"\1-"),
    (re.compile(r"(\d+)号(?!室)"), r"\1"),
    (re.compile(r"(?<=\d)[のー](?=\d)"), "-"),
    (re.compile(r"-{2,}"), "-"),
    (re.compile(r"(?<=\d)-(?![\d#])"), ""),
)


def date_token(day: datetime.date) -> str:
    """Return the one form every written date of day becomes in canonical text."""
    return f"#{day.isoformat()}#"


def _date_or_text(year: int, month: int, day: int, text: str) -> str:
    try:
        return date_token(datetime.date(year, month, day))
    except ValueError:
        return text  # not a date after all (a range, a number)


def _kanji_number(match: re.Match[str]) -> str:
    text = match.group()
    if not any(ch in _KANJI_UNITS for ch in text):
        return "".join(str(_KANJI_DIGITS[ch]) for ch in text)  # 一九四二: digit by digit
    total = current = 0
    for ch in text:
        if ch in _KANJI_UNITS:
            total += (current or 1) * _KANJI_UNITS[ch]
            current = 0
        else:
            current = current * 10 + _KANJI_DIGITS[ch]
    return str(total + current)


def _era_date(match: re.Match[str]) -> str:
    era, year, month, day = match.groups()
    return _date_or_text(
        _ERA_OFFSETS[_ERA_FORMS[era]] + int(year), int(month), int(day), match.group()
    )


def _visible(text: str) -> str:
    return "".join(
        ch
        for ch in text
        if unicodedata.category(ch) not in _DROPPED_CATEGORIES and ord(ch) not in _INVISIBLE
    )


def canonical(text: str) -> str:
    """Return text in the one form both sides of a match are compared in.

    NFKC; invisible, format and control characters and spaces removed; kanji and
    full-width digits as ASCII; every written date as ``date_token``; address numbers as
    1-2-3; then ``crypto.normalise.normalise_text`` (hiragana, case-folded, no middle dots).
    """
    text = _visible(unicodedata.normalize("NFKC", text or ""))
    text = _DASHES.sub("-", text)
    text = _KANJI_NUMBER.sub(_kanji_number, text)
    text = _FIRST_YEAR.sub(r"\g<1>1", text)
    text = _ERA_DATE.sub(_era_date, text)
    text = _WESTERN_DATE.sub(
        lambda m: _date_or_text(int(m[1]), int(m[2]), int(m[3]), m.group()), text
    )
    text = _COMPACT_DATE.sub(
        lambda m: _date_or_text(int(m[1]), int(m[2]), int(m[3]), m.group()), text
    )
    for pattern, replacement in _ADDRESS_NUMBER:
        text = pattern.sub(replacement, text)
    return _visible(normalise_text(text))


def letters(text: str) -> str:
    """Return only the letters and digits of a canonical text, for matching names.

    A name split by punctuation (試.験, 試/験) still reads as the name.
    """
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


# The canonical text's dates (the DATE pattern cannot see them once they are tokens).
_DATE_TOKEN = re.compile(r"#\d{4}-\d{2}-\d{2}#")


def looks_personal(texts: Iterable[str], *, names: bool = False) -> tuple[StrOrPromise, ...]:
    """Return the kinds of personal-looking words in texts (names too when asked).

    Patterns are looked for in the text as written (NFKC) and in its canonical form, so
    a phone number in kanji digits or a date in a shorthand warns as well.
    """
    texts = list(texts)
    plain = unicodedata.normalize("NFKC", "\n".join(texts))
    canon = "\n".join(canonical(text) for text in texts)
    dated = bool(_DATE_TOKEN.search(canon))
    canon = _DATE_TOKEN.sub("#", canon)  # a date's digits are not a house number
    patterns = PATTERNS + (((KIND_NAME, NAME),) if names else ())
    found = []
    for kind, pattern in patterns:
        if pattern.search(plain) or pattern.search(canon) or (kind == KIND_DATE and dated):
            found.append(kind)
    return tuple(found)
