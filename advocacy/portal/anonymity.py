"""Check an anonymised case summary before it leaves for a candidate.

Two levels: a *finding* is one of the case's own values inside the text — the person's
family or given name, kana, birth date, address (town, house number), phone, the case
number, or the name of a relative or contact recorded on the case — and refuses the
summary; a *warning* is something that looks like personal data (a phone number, an
address, an exact date) and asks the caseworker to look again.

Both sides are compared in ``cases.personal_text.canonical`` form, so a value disguised
with invisible characters, other widths, kana or digits, or another way of writing a date
is still the value. Messages name the kind found, never the value, so the refusal itself
does not repeat what it refuses.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from advocacy.cases.models import Case, Consultation, GuardianAppointment, Petition, TeamMember
from advocacy.cases.personal_text import (
    KIND_ADDRESS,
    KIND_CASE_NUMBER,
    KIND_PHONE,
    canonical,
    date_token,
    letters,
    looks_personal,
)
from advocacy.crypto.erased import ERASED
from advocacy.dates import ERA_LETTERS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

KIND_NAME = _("氏名")
KIND_KANA = _("ふりがな")
KIND_BIRTH_DATE = _("生年月日")
KIND_RELATIVE = _("親族・関係者の氏名")

# Shorter fragments match too much ordinary text ("山" in "山間部").
MIN_NAME_PART = 2
MIN_TOWN = 2
MIN_PHONE_DIGITS = 6
# Digits of one phone number may be parted by up to this many non-letters (or の, ー).
_PHONE_GAP = 3

# Where the municipality ends in an address: the town part follows.
_MUNICIPALITY = re.compile(r"^(?:.{2,4}?[都道府県])?(?:.+?郡.+?[町村]|.+?[市区町村])")
_HOUSE_NUMBER = re.compile(r"\d+(?:-\d+)+|\d+")


@dataclass(frozen=True)
class CheckResult:
    # Kinds are the KIND_* labels, translated when shown.
    findings: tuple[StrOrPromise, ...]  # kinds of the case's own data found: refuse
    warnings: tuple[StrOrPromise, ...]  # kinds of things that look personal: ask again

    @property
    def refused(self) -> bool:
        return bool(self.findings)


def _plain(value: object) -> str:
    return "" if value is None or value is ERASED else str(value)


def _name_parts(value: str) -> set[str]:
    """The whole name and each part of it: a family or given name alone identifies too."""
    text = unicodedata.normalize("NFKC", value or "")
    for dot in ("・", "･", "、", ","):
        text = text.replace(dot, " ")
    parts = {letters(canonical(text))} | {letters(canonical(part)) for part in text.split()}
    return {part for part in parts if len(part) >= MIN_NAME_PART}


def _address_parts(value: str) -> set[str]:
    """The town part of the address on, the town alone, and the house number (1-2-3)."""
    text = canonical(value or "")
    municipality = _MUNICIPALITY.match(text)
    tail = text[municipality.end() :] if municipality else text
    number = _HOUSE_NUMBER.search(tail)
    town = letters(tail[: number.start()] if number else tail)
    # The town with what follows it, and the town alone; digits alone are the house
    # number's business (_house_number), or any amount of yen would match.
    return {letters(tail), town} if len(town) >= MIN_TOWN else set()


def _house_number(value: str) -> str | None:
    """The house number of the address when it has at least two parts (1-2, 1-2-3)."""
    text = canonical(value or "")
    municipality = _MUNICIPALITY.match(text)
    tail = text[municipality.end() :] if municipality else text
    number = re.search(r"\d+(?:-\d+)+", tail)
    return number.group() if number else None


def _phone_numbers(value: str) -> set[str]:
    """The phone's digits, and without its area code (what a local reader also knows)."""
    groups = re.findall(r"\d+", canonical(value or ""))
    digits = "".join(groups)
    numbers = {digits}
    if len(groups) >= 3:
        numbers.add("".join(groups[1:]))
    return {number for number in numbers if len(number) >= MIN_PHONE_DIGITS}


def _digit_runs(text: str) -> list[str]:
    """The digits of each run of digits parted only by a few non-letters (0-1 2.3 / 0の1)."""
    runs: list[str] = []
    current = ""
    gap = 0
    for ch in text:
        if ch.isdigit():
            current += ch
            gap = 0
        elif current and gap < _PHONE_GAP and (unicodedata.category(ch)[0] != "L" or ch in "のー"):
            gap += 1
        else:
            if current:
                runs.append(current)
            current, gap = "", 0
    if current:
        runs.append(current)
    return runs


def _case_number_pattern(case: Case) -> re.Pattern[str] | None:
    """The case number in any form of its prefix: R7-0042, 令和7年度-42, 令7第42号, 2025年度-42."""
    match = re.fullmatch(r"([A-Z])(\d+)-(\d+)", case.number or "")
    if not match:
        return None
    letter, year, serial = match.groups()
    marks = [letter.lower()]
    era = next((name for name, mark in ERA_LETTERS.items() if mark == letter), None)
    if era is not None:
        marks += [era, era[0]]
    prefixes = [rf"(?:{'|'.join(marks)})0*{int(year)}"]
    # The western fiscal year is named only with 年度 or 年 after it (2025年度-0042).
    prefixes.append(rf"{case.fiscal_year}(?=年)")
    return re.compile(
        rf"(?<![a-z\d])(?:{'|'.join(prefixes)})(?:年度|年)?[-/._]?(?:第)?0*{int(serial)}(?!\d)"
    )


def _contact_names(case: Case) -> set[str]:
    """Names of the relatives and the people recorded on the case (callers, team, guardians)."""
    person = case.person
    names: set[str] = set()
    relatives = person.relatives if isinstance(person.relatives, list) else []
    for relative in relatives:
        if isinstance(relative, dict):
            names |= _name_parts(_plain(relative.get("name")))
    for model, field in (
        (Consultation, "caller"),
        (TeamMember, "name"),
        (GuardianAppointment, "name"),
        (Petition, "supervisor_name"),
    ):
        for row in model.objects.filter(case=case).only("id", "person_id", field):
            names |= _name_parts(_plain(getattr(row, field)))
    return names


def _relative_phones(case: Case) -> set[str]:
    relatives = case.person.relatives if isinstance(case.person.relatives, list) else []
    numbers: set[str] = set()
    for relative in relatives:
        if isinstance(relative, dict):
            numbers |= _phone_numbers(_plain(relative.get("contact")))
    return numbers


def summary_check(*, case: Case, texts: Iterable[str]) -> CheckResult:
    """Return what kinds of personal data the summary texts contain (the case's own)."""
    person = case.person
    texts = [_plain(text) for text in texts]
    canon = [canonical(text) for text in texts]
    joined = "\n".join(canon)
    joined_letters = "\n".join(letters(text) for text in canon)
    runs = [run for text in canon for run in _digit_runs(text)]
    findings: list[StrOrPromise] = []

    def found(kind: StrOrPromise) -> None:
        if kind not in findings:
            findings.append(kind)

    if any(part in joined_letters for part in _name_parts(_plain(person.name))):
        found(KIND_NAME)
    if any(part in joined_letters for part in _name_parts(_plain(person.kana))):
        found(KIND_KANA)
    birth_date = person.birth_date
    if isinstance(birth_date, datetime.date) and date_token(birth_date) in joined:
        found(KIND_BIRTH_DATE)
    address = _plain(person.address)
    house = _house_number(address)
    if any(part in joined_letters for part in _address_parts(address)) or (
        house and re.search(rf"(?<![\d-]){re.escape(house)}(?![\d-])", joined)
    ):
        found(KIND_ADDRESS)
    if any(number in run for number in _phone_numbers(_plain(person.phone)) for run in runs):
        found(KIND_PHONE)
    pattern = _case_number_pattern(case)
    if pattern is not None and pattern.search(joined):
        found(KIND_CASE_NUMBER)
    if any(name in joined_letters for name in _contact_names(case)) or any(
        number in run for number in _relative_phones(case) for run in runs
    ):
        found(KIND_RELATIVE)

    warnings = tuple(kind for kind in looks_personal(texts) if kind not in findings)
    return CheckResult(findings=tuple(findings), warnings=warnings)
