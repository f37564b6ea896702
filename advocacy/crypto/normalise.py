"""Normalisation of values before they are blind-indexed, so that spelling variants match.

Names are written many ways in Japanese records: katakana or hiragana, half-width kana, a
full-width space or a middle dot between family and given names. All of these index alike.
"""

from __future__ import annotations

import datetime
import decimal
import unicodedata

# Katakana ァ..ヶ sit exactly 0x60 above hiragana ぁ..ゖ; ヽヾ likewise above ゝゞ.
_KATA_TO_HIRA: dict[int, int | str] = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_KATA_TO_HIRA.update({0x30FD: 0x309D, 0x30FE: 0x309E})
# ヷヸヹヺ have no precomposed hiragana: write them as わゐゑを with a combining dakuten,
# which is also what NFKC leaves of "わ゙" typed in hiragana.
_KATA_TO_HIRA.update(
    {0x30F7: "わ\u3099", 0x30F8: "ゐ\u3099", 0x30F9: "ゑ\u3099", 0x30FA: "を\u3099"}
)
# Separators people put between family and given names.
_DROPPED = {ord("・"): None, ord("･"): None}


def _once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = unicodedata.normalize("NFKC", text.casefold())
    text = text.translate(_KATA_TO_HIRA).translate(_DROPPED)
    return "".join(ch for ch in text if not ch.isspace())


def normalise_text(value: str) -> str:
    """Return value in NFKC, hiragana, case-folded, without spaces or middle dots."""
    # Removing a space can let NFKC compose what it had split (e.g. "¨" is NFKC " ̈"), so
    # repeat until nothing changes; two or three rounds settle every input.
    text = _once(value)
    for _ in range(4):
        again = _once(text)
        if again == text:
            break
        text = again
    return text


def normalise_value(value: object) -> str:
    """Return the canonical text of a value that can be indexed."""
    if isinstance(value, str):
        return normalise_text(value)
    if isinstance(value, datetime.datetime):
        raise TypeError("datetimes cannot be blind-indexed; index the date")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        raise TypeError("booleans cannot be blind-indexed")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    raise TypeError(f"{type(value).__name__} values cannot be blind-indexed")


def family_name(value: str) -> str:
    """Return the family-name part of a written name: what stands before the first space.

    A full-width space or a middle dot separates the parts as well. A name written without
    any separator has no part to tell apart and is returned whole.
    """
    text = unicodedata.normalize("NFKC", value)
    for dot in ("・", "･"):
        text = text.replace(dot, " ")
    words = text.split()
    return words[0] if words else ""


def is_one_word(value: str) -> bool:
    """Whether a written name has no separator (so it may be a family name alone)."""
    text = unicodedata.normalize("NFKC", value).strip()
    return bool(text) and family_name(text) == text


# The parts of a value a blind index may be built over (BlindIndexField(part=...)).
NAME_PARTS = {"family": family_name}
