"""Data out: the organisation's ledger as a workbook the import reads, and one person's record.

Both are built in memory and streamed; nothing is written to disk. Both are audited, with
the fields they decrypt named and never a value.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from advocacy.access.models import CaseShare
from advocacy.accounts.models import Organisation, User
from advocacy.accounts.roles import Role, has_role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.audit.services import audit_record
from advocacy.cases.models import (
    Case,
    Consultation,
    Decision,
    Document,
    GuardianAppointment,
    Person,
    Petition,
)
from advocacy.cases.selectors import cases_visible_to
from advocacy.crypto.keycache import key_cache
from advocacy.crypto.registry import ENCRYPTED
from advocacy.dates import wareki
from workflows.models import CaseProcess

from .mapping import FIELDS

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
    for column in ("D", "J", "K", "L", "M", "Q"):
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


# A person's record (開示請求).

RECORD_KINDS = (Consultation, Decision, Petition, GuardianAppointment)
DISCLOSED_FIELDS = sorted(
    f"{model.__name__}.{f.name}"
    for model in (Person, *RECORD_KINDS, Document, CaseShare)
    for f in model._meta.concrete_fields
    if getattr(f, "crypto_kind", None) == ENCRYPTED and f.name != "content"
)


def _fields(record: object, model: Any) -> dict[str, Any]:
    result = {}
    for f in model._meta.concrete_fields:
        if f.name in ("person", "case", "created_by", "content"):
            continue
        value = getattr(record, f.attname)
        result[str(f.verbose_name)] = value
    return result


@transaction.atomic(durable=True)
def person_record(*, actor: User, case_id: Any) -> dict[str, Any]:
    """Return everything held about the person of a case the supervisor may see (開示請求).

    Refused (as not found) for a case the actor may not see; only the person's cases the
    actor may see are included. The disclosure is audited under each case.
    """
    _require_supervisor(actor)
    visible = cases_visible_to(user=actor)
    case = visible.select_related("person").get(pk=case_id)
    person = case.person
    cases = list(visible.filter(person=person).order_by("opened_on"))
    cases_out: list[dict[str, Any]] = []
    with key_cache():
        record: dict[str, Any] = {
            "produced_at": timezone.now(),
            "produced_by": actor.get_full_name() or actor.get_username(),
            "person": {
                **_fields(person, Person),
                "区分": [c.name for c in person.categories.all()],
            },
            "cases": cases_out,
        }
        for each in cases:
            cases_out.append(_case_record(each))
    for each in cases:
        audit_record(
            actor=actor,
            action=Action.PERSON_RECORD_DISCLOSED,
            obj=each,
            label=each.number,
            fields_read=DISCLOSED_FIELDS,
        )
    return record


def _case_record(case: Case) -> dict[str, Any]:
    processes = []
    for process in CaseProcess.objects.filter(case=case).order_by("created"):
        processes.append(
            {
                "手続き": str(process.flow_class.process_title),
                "状態": process.status,
                "開始": process.created,
                "タスク": [
                    {
                        "タスク": str(task.flow_task.task_title or task.flow_task.name),
                        "状態": task.status,
                        "作成": task.created,
                        "完了": task.finished,
                    }
                    for task in process.task_set.order_by("created")
                ],
            }
        )
    return {
        "ケース番号": case.number,
        "段階": str(case.get_stage_display()),
        "受付日": case.opened_on,
        "終結日": case.closed_on,
        "管理者": str(case.get_controller_display()),
        "目的": str(case.get_purpose_display()),
        "記録": {
            str(model._meta.verbose_name): [
                _fields(r, model) for r in model.objects.filter(case=case)
            ]
            for model in RECORD_KINDS
        },
        "書類": [
            {"表題": d.title, "種別": d.get_kind_display(), "登録日時": d.created_at}
            for d in Document.objects.filter(case=case)
        ],
        "手続き": processes,
        "共有": [
            {
                "共有先": share.organisation.name,
                "根拠": share.get_basis_display(),
                "理由": share.reason,
                "開始": share.shared_at,
                "終了": share.revoked_at,
            }
            for share in CaseShare.objects.filter(case=case).select_related("organisation")
        ],
        "閲覧の記録": [
            {
                "日時": event.time,
                "利用者": event.actor.get_full_name() if event.actor else "",
                "操作": event.get_action_display(),
            }
            for event in AuditEvent.objects.filter(
                object_id__in=[str(case.pk), str(case.person_id)]
            )
            .select_related("actor")
            .order_by("sequence")
        ],
    }


def person_record_json(record: dict[str, Any]) -> Iterator[str]:
    """Stream the record as JSON (UTF-8, Japanese as it is)."""
    yield from json.JSONEncoder(ensure_ascii=False, default=str, indent=1).iterencode(record)
