"""Check an anonymised case summary before it leaves for a candidate.

Two levels: a *finding* is the person's own value (name, kana, birth date, address, phone,
a relative's name) or the case number inside the text, and refuses the summary; a *warning*
is something that looks like personal data (a phone number, an address, an exact date) and
asks the caseworker to look again. Messages name the kind found, never the value, so the
refusal itself does not repeat what it refuses.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from advocacy.cases.models import Case, Person
from advocacy.cases.personal_text import (
    KIND_ADDRESS,
    KIND_CASE_NUMBER,
    KIND_PHONE,
    looks_personal,
)
from advocacy.crypto.normalise import normalise_text

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

KIND_NAME = _("氏名")
KIND_KANA = _("ふりがな")
KIND_BIRTH_DATE = _("生年月日")
KIND_RELATIVE = _("親族の氏名")

# Shorter fragments match too much ordinary text ("山" in "山間部").
MIN_NAME_PART = 2
MIN_ADDRESS_PART = 6
MIN_PHONE_DIGITS = 6

_ERAS = (("令和", 2018), ("平成", 1988), ("昭和", 1925), ("大正", 1911))


@dataclass(frozen=True)
class CheckResult:
    # Kinds are the KIND_* labels, translated when shown.
    findings: tuple[StrOrPromise, ...]  # kinds of the person's own data found: refuse
    warnings: tuple[StrOrPromise, ...]  # kinds of things that look personal: ask again

    @property
    def refused(self) -> bool:
        return bool(self.findings)


def _digits(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit())


def _birth_date_forms(day: datetime.date) -> set[str]:
    y, m, d = day.year, day.month, day.day
    forms = {
        f"{y}-{m:02}-{d:02}",
        f"{y}/{m}/{d}",
        f"{y}/{m:02}/{d:02}",
        f"{y}.{m}.{d}",
        f"{y}.{m:02}.{d:02}",
        f"{y}年{m}月{d}日",
        f"{y}年{m:02}月{d:02}日",
        f"{y}{m:02}{d:02}",
    }
    for era, offset in _ERAS:
        if y > offset:
            forms.add(f"{era}{y - offset}年{m}月{d}日")
    return {normalise_text(form) for form in forms}


def _name_parts(value: str) -> set[str]:
    """The whole name and each part of it (family or given name alone also identifies)."""
    value = unicodedata.normalize("NFKC", value or "").replace("・", " ")
    parts = {normalise_text(value)} | {normalise_text(part) for part in value.split()}
    return {part for part in parts if len(part) >= MIN_NAME_PART}


def _relative_names(person: Person) -> set[str]:
    names: set[str] = set()
    relatives = person.relatives if isinstance(person.relatives, list) else []
    for relative in relatives:
        if isinstance(relative, dict):
            names |= _name_parts(str(relative.get("name", "")))
    return names


def _address_parts(value: str) -> set[str]:
    """The address and its tail (street, number, building) without the city prefix."""
    text = normalise_text(value or "")
    parts = {text} if len(text) >= MIN_ADDRESS_PART else set()
    # People write the street part alone: check the address from each municipality mark on.
    for mark in ("都", "道", "府", "県", "市", "区", "町", "村", "郡"):
        index = text.find(mark)
        if index >= 0 and len(text) - index - 1 >= MIN_ADDRESS_PART:
            parts.add(text[index + 1 :])
    return parts


def summary_check(*, case: Case, texts: Iterable[str]) -> CheckResult:
    """Return what kinds of personal data the summary texts contain (case's person's own)."""
    person = case.person
    texts = [text or "" for text in texts]
    joined = normalise_text("\n".join(texts))
    joined_digits = [
        _digits(match.group())
        for match in re.finditer(r"[\d０-９][\d０-９\-‐－ー−()（） ]{4,}", "\n".join(texts))
    ]
    findings: list[StrOrPromise] = []

    def found(kind: StrOrPromise) -> None:
        if kind not in findings:
            findings.append(kind)

    if any(part in joined for part in _name_parts(person.name)):
        found(KIND_NAME)
    if any(part in joined for part in _name_parts(person.kana)):
        found(KIND_KANA)
    if person.birth_date and any(form in joined for form in _birth_date_forms(person.birth_date)):
        found(KIND_BIRTH_DATE)
    if person.address and any(part in joined for part in _address_parts(person.address)):
        found(KIND_ADDRESS)
    phone = _digits(person.phone or "")
    if len(phone) >= MIN_PHONE_DIGITS and any(phone in run for run in joined_digits):
        found(KIND_PHONE)
    if case.number and normalise_text(case.number) in joined:
        found(KIND_CASE_NUMBER)
    if any(name in joined for name in _relative_names(person)):
        found(KIND_RELATIVE)

    warnings = tuple(kind for kind in looks_personal(texts) if kind not in findings)
    return CheckResult(findings=tuple(findings), warnings=warnings)
