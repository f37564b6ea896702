"""Data out: the organisation's ledger as a workbook the import reads.

Built in memory and streamed; nothing is written to disk. Audited, with the fields it
decrypts named and never a value. A person's record (開示請求) is ``disclosure``.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from advocacy.accounts.models import Organisation, User
from advocacy.accounts.roles import Role, has_role
from advocacy.audit.actions import Action
from advocacy.audit.services import audit_record
from advocacy.cases.models import (
    Case,
    Consultation,
    Decision,
    GuardianAppointment,
    Person,
    Petition,
)
from advocacy.cases.models.records import PetitionerType
from advocacy.crypto.keycache import key_cache
from advocacy.dates import wareki

from .mapping import DATE_FIELDS, FIELDS

ERR_ONLY_SUPERVISOR = _("出力はスーパーバイザーが行います。")
LEDGER_SHEET = "台帳"
LEDGER_FIELDS = [f"Person.{n}" for n in ("name", "kana", "birth_date", "address")] + [
    "Consultation.notes"
]


def _organisation(actor: User) -> Organisation:
    if actor.organisation is None:  # _require_supervisor refused them already
        raise PermissionDenied(ERR_ONLY_SUPERVISOR)
    return actor.organisation


def _require_supervisor(actor: User) -> None:
    if not has_role(actor, Role.SUPERVISOR) or actor.organisation is None:
        raise PermissionDenied(ERR_ONLY_SUPERVISOR)


def _label(choices: Any, code: str) -> str:
    return str(dict(choices.choices).get(code, "")) if code else ""


def _ledger_row(case: Case) -> list[object]:
    person = case.person
    consultations = sorted(Consultation.objects.filter(case=case), key=lambda c: c.consulted_on)
    decision = Decision.objects.filter(case=case).order_by("held_on").first()
    petition = Petition.objects.filter(case=case, purpose=Petition.Purpose.START).first()
    appointment = GuardianAppointment.objects.filter(case=case).order_by("appointed_on").first()
    entry = getattr(case, "ledger_entry", None)
    first = consultations[0] if consultations else None
    type_ = (petition.type_granted or petition.type_sought) if petition else None
    if type_ is None and decision is not None:
        type_ = decision.guardianship_type
    values: dict[str, Any] = {
        "case_number": entry.number if entry else case.number,
        "name": person.name,
        "kana": person.kana,
        "birth_date": person.birth_date,
        "sex": _label(Person.Sex, person.sex),
        "address": person.address,
        "area": person.area.name,
        "category": "・".join(c.name for c in person.categories.all()),
        "referrer": _label(Consultation.ReferrerType, first.referrer_type) if first else "",
        "consulted_on": case.opened_on,
        "conference_on": decision.held_on if decision else None,
        "petition_on": petition.filed_on if petition else None,
        "ruling_on": petition.ruling_on if petition else None,
        "type": type_.name if type_ else "",
        "profession": _label(GuardianAppointment.Profession, appointment.profession)
        if appointment
        else "",
        "status": _label(Case.Stage, case.stage),
        "closed_on": case.closed_on,
        "notes": first.notes if first else "",
        "living_situation": _label(Person.Living, person.living_situation),
        "household_type": _label(Person.Household, person.household_type),
        # The petition's petitioner, else the one the conference assumed.
        "petitioner": _label(
            PetitionerType,
            (petition.petitioner_type if petition else "")
            or (decision.petitioner_type if decision else ""),
        ),
        "approved_on": petition.approved_on if petition else None,
    }
    return [values[name] for name in FIELDS]


@transaction.atomic(durable=True)
def ledger_export(*, actor: User) -> bytes:
    """Return the organisation's cases as a ledger workbook in the template's shape.

    Row 1 says who exported it and when; row 2 is the header the template mapping reads
    (``mapping.template_mapping`` with one more header row). Dates are real dates.
    """
    _require_supervisor(actor)
    now = timezone.localtime()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = LEDGER_SHEET
    exporter = actor.get_full_name() or actor.get_username()
    sheet.append([f"出力: {exporter}  {wareki(now.date())} {now:%H:%M}"])
    sheet.append([header for header, _hints in FIELDS.values()])
    cases = (
        Case.objects.filter(organisation_id=_organisation(actor).pk)
        .select_related("person__area", "ledger_entry")
        .prefetch_related("person__categories")
        .order_by("opened_on", "number")
    )
    count = 0
    with key_cache():
        for case in cases:
            sheet.append(_ledger_row(case))
            count += 1
    for name in DATE_FIELDS:
        column = get_column_letter(list(FIELDS).index(name) + 1)
        for cell in sheet[column][2:]:
            cell.number_format = "yyyy/mm/dd"
    workbook.properties.creator = exporter
    workbook.properties.lastModifiedBy = exporter
    workbook.properties.created = now.replace(tzinfo=None)
    workbook.properties.title = str(_("ケース台帳"))
    out = io.BytesIO()
    workbook.save(out)
    audit_record(
        actor=actor,
        action=Action.LEDGER_EXPORTED,
        label=f"ledger ({count})",
        fields_read=LEDGER_FIELDS,
    )
    return out.getvalue()


def export_mapping() -> dict[str, Any]:
    """The mapping that reads the export back: the template's, after the exporter's line."""
    return {
        "title": "台帳の出力",
        "header_rows": 2,
        "sheets": [LEDGER_SHEET],
        "columns": {name: header for name, (header, _hints) in FIELDS.items()},
    }
