"""Words that look like personal data in a free text: a phone number, an address, a date.

A warning, not a refusal: the caseworker looks again. Used wherever a text should name no
one — the summary a candidate receives before accepting (``portal.anonymity``) and a
一般相談's summary. Kinds are named, never the words found, so a warning does not repeat
what it warns about.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

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


def looks_personal(texts: Iterable[str], *, names: bool = False) -> tuple[StrOrPromise, ...]:
    """Return the kinds of personal-looking words in texts (names too when asked)."""
    plain = unicodedata.normalize("NFKC", "\n".join(texts))
    patterns = PATTERNS + (((KIND_NAME, NAME),) if names else ())
    return tuple(kind for kind, pattern in patterns if pattern.search(plain))
