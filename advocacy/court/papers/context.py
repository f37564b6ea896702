"""What a paper is filled with: the case's records, read once, as plain strings.

Every value is a string (dates in 和暦, choices as their labels): a template can only print
them. ``ENCRYPTED_READ`` names the encrypted fields the papers decrypt, for the audit.
"""

from __future__ import annotations

import datetime

from advocacy.cases.models import Case, GuardianAppointment, Petition
from advocacy.dates import wareki

from .catalogue import PAPERS

ENCRYPTED_READ = {
    "case_number": [],
    "person_name": ["Person.name"],
    "person_kana": ["Person.kana"],
    "person_birth_date": ["Person.birth_date"],
    "person_address": ["Person.address"],
    "wishes": ["Person.wishes"],
    "current_services": ["Person.current_services"],
    "relatives_intentions": ["Petition.relatives_intentions"],
    "candidate_name": ["GuardianAppointment.name"],
}
REPLY_DAYS = 14


def _day(value: datetime.date | None) -> str:
    return wareki(value) if value else ""


def paper_context(*, case: Case, code: str, today: datetime.date) -> dict[str, str]:
    """Return the values of the paper's placeholders for case (only those it may use)."""
    person = case.person
    petition = (
        Petition.objects.filter(case=case, purpose=Petition.Purpose.START)
        .select_related("court", "type_sought")
        .order_by("-created_at")
        .first()
    )
    candidate = (
        GuardianAppointment.objects.filter(case=case, role=GuardianAppointment.Role.GUARDIAN)
        .order_by("-appointed_on")
        .first()
    )
    values = {
        "case_number": case.number,
        "today": wareki(today),
        "organisation_name": str(case.organisation),
        "person_name": person.name,
        "person_kana": person.kana,
        "person_birth_date": _day(person.birth_date),
        "person_address": person.address,
        "living_situation": person.get_living_situation_display(),
        "household_type": person.get_household_type_display(),
        "wishes": person.wishes,
        "current_services": person.current_services,
        "court_name": str(petition.court) if petition and petition.court else "",
        "petitioner_type": petition.get_petitioner_type_display() if petition else "",
        "type_sought": str(petition.type_sought) if petition and petition.type_sought else "",
        "filed_on": _day(petition.filed_on) if petition else "",
        "relative_search_degree": (
            str(petition.relative_search_degree)
            if petition and petition.relative_search_degree
            else ""
        ),
        "relatives_intentions": petition.relatives_intentions if petition else "",
        "approved_on": _day(petition.approved_on) if petition else "",
        "candidate_name": candidate.name if candidate else "",
        "reply_by": wareki(today + datetime.timedelta(days=REPLY_DAYS)),
    }
    return {name: values[name] for name in PAPERS[code].placeholders}


def fields_read(code: str) -> list[str]:
    return sorted(
        {field for name in PAPERS[code].placeholders for field in ENCRYPTED_READ.get(name, [])}
    )
