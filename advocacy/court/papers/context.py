"""What a paper is filled with: the case's records, read once, as plain strings.

Every value is a string (dates in 和暦, choices as their labels), or for ``relatives`` a
list of rows of strings: a template can only print them. Only the paper's own placeholders
are computed, so a paper decrypts no field it does not print. ``ENCRYPTED_READ`` names the
encrypted fields each placeholder decrypts, for the audit.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import cached_property
from typing import Any

from advocacy.cases.models import (
    Assessment,
    Case,
    Decision,
    GuardianAppointment,
    Petition,
    Subsidy,
)
from advocacy.dates import fiscal_year_label, wareki
from advocacy.portal.models import CoordinationRequest

from ..models import SubsidyAssessment
from ..rules import granted_yen
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
    # The accepted candidate's name is clear (an account); a candidate recorded only as
    # the appointed guardian is read from the appointment.
    "candidate_name": ["GuardianAppointment.name"],
    "capacity_notes": ["Assessment.capacity_notes"],
    "petition_reasons": ["Decision.reasons"],
    "relatives": ["Person.relatives"],
    "assets_summary": ["Person.assets"],
    "debts_summary": ["Person.debts"],
    "assessed_assets": ["SubsidyAssessment.assets_yen"],
    "income_summary": ["Person.income"],
}
REPLY_DAYS = 14
# The keys of a row of ``relatives`` (Person.relatives holds them, with a contact).
RELATIVE_KEYS = ("relation", "name", "degree", "intention")


def _day(value: datetime.date | None) -> str:
    return wareki(value) if value else ""


def _yen(value: int | None) -> str:
    return f"{value:,}円" if value is not None else ""


def _choice(record: Any, field: str) -> str:
    return str(getattr(record, f"get_{field}_display")()) if record is not None else ""


def _text(value: object) -> str:
    return "" if value is None else str(value)


class _Records:
    """The case's records a paper may need, each read on first use."""

    def __init__(self, case: Case, application: Subsidy | None = None) -> None:
        self.case = case
        self.person = case.person
        # The subsidy application a notice is about (decision 96); None for the other papers.
        self.application = application

    @cached_property
    def petition(self) -> Petition | None:
        return (
            Petition.objects.filter(case=self.case, purpose=Petition.Purpose.START)
            .select_related("court", "type_sought")
            .order_by("-created_at")
            .first()
        )

    @cached_property
    def appointment(self) -> GuardianAppointment | None:
        return (
            GuardianAppointment.objects.filter(
                case=self.case, role=GuardianAppointment.Role.GUARDIAN
            )
            .order_by("-appointed_on")
            .first()
        )

    @cached_property
    def accepted(self) -> CoordinationRequest | None:
        """The candidate who accepted in the portal (the latest, should there be two)."""
        return (
            CoordinationRequest.objects.filter(
                case=self.case, status=CoordinationRequest.Status.ACCEPTED
            )
            .select_related("professional__user__organisation")
            .order_by("-answered_at")
            .first()
        )

    @cached_property
    def decision(self) -> Decision | None:
        return (
            Decision.objects.filter(case=self.case, outcome=Decision.Outcome.GUARDIANSHIP)
            .order_by("-held_on", "-created_at")
            .first()
        )

    @cached_property
    def assessment(self) -> Assessment | None:
        return (
            Assessment.objects.filter(case=self.case)
            .order_by("-assessed_on", "-created_at")
            .first()
        )

    @cached_property
    def subsidy(self) -> SubsidyAssessment | None:
        return (
            SubsidyAssessment.objects.filter(case=self.case)
            .select_related("application")
            .order_by("-application__applied_on", "-created_at")
            .first()
        )

    @cached_property
    def application_assessment(self) -> SubsidyAssessment | None:
        if self.application is None:
            return None
        return SubsidyAssessment.objects.filter(application=self.application).first()

    def subsidy_amount(self) -> str:
        application = self.application
        if application is None:
            return ""
        if application.decision != Subsidy.Decision.APPROVED:
            return _yen(0)
        return _yen(granted_yen(application, self.application_assessment))

    def subsidy_fiscal_year(self) -> str:
        assessment = self.application_assessment
        return fiscal_year_label(assessment.rule.fiscal_year) if assessment else ""

    def subsidy_budget_line(self) -> str:
        assessment = self.application_assessment
        return str(assessment.get_budget_line_display()) if assessment else ""

    def candidate_name(self) -> str:
        if self.accepted is not None:
            return self.accepted.professional.user.get_full_name()
        return self.appointment.name if self.appointment else ""

    def candidate_profession(self) -> str:
        if self.accepted is not None:
            return str(self.accepted.get_profession_display())
        return str(self.appointment.get_profession_display()) if self.appointment else ""

    def candidate_organisation(self) -> str:
        organisation = self.accepted.professional.user.organisation if self.accepted else None
        return str(organisation) if organisation else ""

    def relatives(self) -> list[dict[str, str]]:
        rows = self.person.relatives if isinstance(self.person.relatives, list) else []
        return [
            {key: _text(row.get(key)) for key in RELATIVE_KEYS}
            for row in rows
            if isinstance(row, dict)
        ]


def _values(records: _Records, today: datetime.date) -> dict[str, Callable[[], Any]]:
    person, r = records.person, records
    return {
        "case_number": lambda: records.case.number,
        "today": lambda: wareki(today),
        "organisation_name": lambda: str(records.case.organisation),
        "person_name": lambda: person.name,
        "person_kana": lambda: person.kana,
        "person_birth_date": lambda: _day(person.birth_date),
        "person_address": lambda: person.address,
        "living_situation": lambda: str(person.get_living_situation_display()),
        "household_type": lambda: str(person.get_household_type_display()),
        "wishes": lambda: person.wishes,
        "current_services": lambda: person.current_services,
        "court_name": lambda: str(r.petition.court) if r.petition and r.petition.court else "",
        "petitioner_type": lambda: (
            str(r.petition.get_petitioner_type_display()) if r.petition else ""
        ),
        "type_sought": lambda: (
            str(r.petition.type_sought) if r.petition and r.petition.type_sought else ""
        ),
        "filed_on": lambda: _day(r.petition.filed_on) if r.petition else "",
        "relative_search_degree": lambda: (
            _text(r.petition.relative_search_degree) if r.petition else ""
        ),
        "relatives_intentions": lambda: r.petition.relatives_intentions if r.petition else "",
        "approved_on": lambda: _day(r.petition.approved_on) if r.petition else "",
        "candidate_name": r.candidate_name,
        "candidate_profession": r.candidate_profession,
        "candidate_organisation": r.candidate_organisation,
        "candidate_body": lambda: r.accepted.professional.registration_body if r.accepted else "",
        "reply_by": lambda: wareki(today + datetime.timedelta(days=REPLY_DAYS)),
        "capacity_notes": lambda: r.assessment.capacity_notes if r.assessment else "",
        "petition_reasons": lambda: r.decision.reasons if r.decision else "",
        "relatives": r.relatives,
        "assets_summary": lambda: person.assets,
        "debts_summary": lambda: person.debts,
        "assessed_assets": lambda: _yen(r.subsidy.assets_yen) if r.subsidy else "",
        "assessed_on": lambda: _day(r.subsidy.application.applied_on) if r.subsidy else "",
        "income_summary": lambda: person.income,
        # The subsidy decision notice: the application and its computation (all clear).
        "subsidy_kind": lambda: _choice(r.application, "kind"),
        "subsidy_applied_on": lambda: _day(r.application.applied_on) if r.application else "",
        "subsidy_decision": lambda: _choice(r.application, "decision"),
        "subsidy_decided_on": lambda: _day(r.application.decided_on) if r.application else "",
        "subsidy_amount": r.subsidy_amount,
        "subsidy_fiscal_year": r.subsidy_fiscal_year,
        "subsidy_budget_line": r.subsidy_budget_line,
    }


def paper_context(
    *, case: Case, code: str, today: datetime.date, application: Subsidy | None = None
) -> dict[str, Any]:
    """Return the values of the paper's placeholders for case (only those it may use);
    application is the subsidy application a notice is about."""
    values = _values(_Records(case, application), today)
    return {name: values[name]() for name in PAPERS[code].placeholders}


def sample_context(code: str) -> dict[str, Any]:
    """Values of the right shape for every placeholder of the paper, for the template check."""
    return {
        name: [dict.fromkeys(RELATIVE_KEYS, "")] if name == "relatives" else ""
        for name in PAPERS[code].placeholders
    }


def fields_read(code: str) -> list[str]:
    return sorted(
        {field for name in PAPERS[code].placeholders for field in ENCRYPTED_READ.get(name, [])}
    )
