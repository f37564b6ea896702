"""The papers the system fills: their titles, their placeholders, and who else must supply
what the court asks for (the doctor, a relative).

Placeholders are plain names, ``{{ person_name }}``; every one a template uses must be in
its paper's list, and every required one must be used (``templates.template_check``).
The list is documented in docs/court.md ("Papers").
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.utils.translation import gettext_lazy as _

from advocacy.access.selectors import VIEW_FINANCES, can_change, permissions_on
from advocacy.accounts.models import User
from advocacy.cases.models import Case, Petition
from advocacy.cases.models.records import PETITION_DOCUMENTS, PetitionerType

COMMON = (
    "case_number",
    "today",
    "organisation_name",
    "person_name",
    "person_kana",
    "person_birth_date",
    "person_address",
)


@dataclasses.dataclass(frozen=True)
class Paper:
    code: str
    title: Any  # a lazy translation
    # Every placeholder a template of this paper may use; the required ones must appear.
    placeholders: tuple[str, ...]
    required: tuple[str, ...]
    # A case permission the paper's values need beyond changing the case (the finances).
    needs: str | None = None


PAPERS: dict[str, Paper] = {
    paper.code: paper
    for paper in (
        Paper(
            "petition",
            _("申立書"),
            (
                *COMMON,
                "court_name",
                "petitioner_type",
                "type_sought",
                "filed_on",
                "candidate_name",
            ),
            ("person_name", "person_address", "court_name", "type_sought"),
        ),
        Paper(
            "info_sheet",
            _("本人情報シート"),
            (*COMMON, "living_situation", "household_type", "wishes", "current_services"),
            ("person_name", "living_situation"),
        ),
        # The rest of the court's petition set (decision 92): filled from what the case
        # holds, blank rows where it holds nothing, for staff to complete by hand.
        Paper(
            "circumstances_statement",
            _("申立事情説明書"),
            (
                *COMMON,
                "court_name",
                "petitioner_type",
                "type_sought",
                "living_situation",
                "household_type",
                "current_services",
                "wishes",
                "capacity_notes",
                "petition_reasons",
                "relatives_intentions",
            ),
            ("person_name", "petitioner_type", "type_sought"),
        ),
        Paper(
            "relatives_diagram",
            _("親族関係図"),
            (*COMMON, "petitioner_type", "relatives"),
            ("person_name", "relatives"),
        ),
        Paper(
            "asset_inventory",
            _("財産目録"),
            (*COMMON, "assets_summary", "debts_summary", "assessed_assets", "assessed_on"),
            ("person_name", "assets_summary"),
            needs=VIEW_FINANCES,
        ),
        Paper(
            "income_plan",
            _("収支予定表"),
            (*COMMON, "income_summary", "living_situation"),
            ("person_name", "income_summary"),
            needs=VIEW_FINANCES,
        ),
        Paper(
            "candidate_statement",
            _("候補者事情説明書"),
            (
                *COMMON,
                "court_name",
                "candidate_name",
                "candidate_profession",
                "candidate_organisation",
                "candidate_body",
            ),
            ("person_name", "candidate_name"),
        ),
        Paper(
            "mayor_approval",
            _("市長申立の決裁（起案）"),
            (
                *COMMON,
                "court_name",
                "type_sought",
                "relative_search_degree",
                "relatives_intentions",
                "approved_on",
            ),
            ("person_name", "type_sought", "relative_search_degree"),
        ),
        Paper(
            "relatives_letter",
            _("親族への意向照会"),
            (*COMMON, "reply_by"),
            ("person_name", "reply_by"),
        ),
    )
}

# The agency's own paper of the subsidy programme (decision 96): filled from one
# application (cases.Subsidy) and its computation, so it is asked for with the application,
# never from the case alone, and not on the petition's checklist.
NOTICE = "subsidy_notice"
PAPERS[NOTICE] = Paper(
    NOTICE,
    _("利用支援事業の決定通知書"),
    (
        *COMMON,
        "subsidy_kind",
        "subsidy_applied_on",
        "subsidy_decision",
        "subsidy_decided_on",
        "subsidy_amount",
        "subsidy_fiscal_year",
        "subsidy_budget_line",
    ),
    ("person_name", "subsidy_kind", "subsidy_decision", "subsidy_amount"),
)
OF_APPLICATION = frozenset({NOTICE})

# What the court's checklist (cases.models.records.PETITION_DOCUMENTS) asks for that the
# system cannot write: who must supply it.
SUPPLIED_BY = {
    "medical_certificate": _("医師"),
    "info_sheet": _("本人をよく知る福祉関係者"),
    "relatives_diagram": _("戸籍と親族で補う"),
    "candidate_statement": _("候補者"),
    "registry_certificate": _("法務局"),
    "family_register": _("本籍地の市区町村"),
}
# The checklist's codes the system generates, mapped to their paper.
GENERATED = {
    code: code
    for code in (
        "petition",
        "circumstances_statement",
        "relatives_diagram",
        "asset_inventory",
        "income_plan",
        "info_sheet",
        "candidate_statement",
    )
}


@dataclasses.dataclass(frozen=True)
class PaperLine:
    label: Any
    ready: bool  # on the petition's checklist as gathered
    paper: str | None  # the system writes it: its code
    supplied_by: Any  # who else must supply it
    allowed: bool = False  # the user may generate it (changes the case, holds what it needs)


def _allowed(code: str, changes: bool, held: frozenset[str]) -> bool:
    needs = PAPERS[code].needs
    return changes and (needs is None or needs in held)


def paper_allowed(*, user: User, case: Case, code: str) -> bool:
    """Whether user may have the paper filled: they change the case and hold what it needs."""
    return _allowed(code, can_change(user=user, case=case), permissions_on(user=user, case=case))


def papers_status(*, case: Case, user: User) -> list[PaperLine]:
    """The court's checklist for the case's petition: gathered, generated, or due from whom."""
    petition = (
        Petition.objects.filter(case=case, purpose=Petition.Purpose.START)
        .order_by("-created_at")
        .first()
    )
    gathered = set(petition.documents) if petition else set()
    lines = [
        PaperLine(label, code in gathered, GENERATED.get(code), SUPPLIED_BY.get(code, ""))
        for code, label in PETITION_DOCUMENTS
    ]
    mayor = petition is not None and petition.petitioner_type == PetitionerType.MAYOR
    for code in ("mayor_approval", "relatives_letter") if mayor else ():
        lines.append(PaperLine(PAPERS[code].title, False, code, ""))
    changes = can_change(user=user, case=case)
    held = permissions_on(user=user, case=case) if changes else frozenset()
    return [
        dataclasses.replace(
            line, allowed=line.paper is not None and _allowed(line.paper, changes, held)
        )
        for line in lines
    ]
