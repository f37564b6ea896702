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

# What the court's checklist (cases.models.records.PETITION_DOCUMENTS) asks for that the
# system cannot write: who must supply it.
SUPPLIED_BY = {
    "medical_certificate": _("医師"),
    "info_sheet": _("本人をよく知る福祉関係者"),
    "candidate_statement": _("候補者"),
    "registry_certificate": _("法務局"),
    "family_register": _("本籍地の市区町村"),
}
# The checklist's codes the system generates, mapped to their paper.
GENERATED = {"petition": "petition", "info_sheet": "info_sheet"}


@dataclasses.dataclass(frozen=True)
class PaperLine:
    label: Any
    ready: bool  # on the petition's checklist as gathered
    paper: str | None  # the system writes it: its code
    supplied_by: Any  # who else must supply it


def papers_status(*, case: Case) -> list[PaperLine]:
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
    return lines
