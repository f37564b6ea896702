"""A person's record (開示請求): everything held about them, as JSON, a print page, Word or PDF.

The record is gathered from every model that points at the person's cases or at the person
(found from the models themselves, so a model added tomorrow is disclosed without a change
here), with readable values: choice labels, names of references, never a code or an id.
It exists in memory only; the Word file is built with python-docx in memory, the PDF made
from it by ``advocacy.pdf`` (a private folder in /dev/shm, removed at once). Every
disclosure is audited under each case, with the format in the label and the encrypted
fields named, never a value.
"""

from __future__ import annotations

import datetime
import io
import json
import uuid
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document as WordDocument
from docx.oxml.ns import qn
from docx.shared import Pt
from viewflow.workflow.status import PROCESS, STATUS

from advocacy.access.models import CaseGroupObjectPermission, CaseShare, CaseUserObjectPermission
from advocacy.accounts.models import User
from advocacy.accounts.roles import Role, has_role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.audit.services import audit_record
from advocacy.cases.models import Case, Document, Person, StageChange
from advocacy.cases.selectors import cases_visible_to
from advocacy.crypto.keycache import key_cache
from advocacy.crypto.registry import BLIND_INDEX, ENCRYPTED
from advocacy.dates import fiscal_year_label, wareki
from advocacy.pdf import pdf_from_docx
from workflows.models import CaseProcess, CaseTask

ERR_ONLY_SUPERVISOR = gettext_lazy("本人情報の開示はスーパーバイザーが行います。")
HUMAN_TASKS = ("HUMAN", "HUMAN_START")

# Models pointing at a case that the record shows in a section of its own (processes, shares,
# documents, stage changes) or that are no information about the person (permission rows).
SHOWN_APART: tuple[type[models.Model], ...] = (
    CaseProcess,
    CaseTask,
    CaseShare,
    Document,
    StageChange,
    CaseUserObjectPermission,
    CaseGroupObjectPermission,
)
# Never shown: the document's content (the list gives titles), blind indexes (HMACs).
HIDDEN_FIELDS = ("content",)
# A relation with no label of its own that says where a row belongs: shown by the model's name.
NAMED_RELATIONS = {("meetings", "AgendaItem", "meeting")}


def _points_at(model: type[models.Model], target: type[models.Model]) -> str | None:
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model is target:
            return f.name
    return None


def record_kinds() -> list[tuple[type[models.Model], str]]:
    """Every model holding rows about a case, with the lookup from it to the case.

    Rows that point at the person but not at a case (a meeting's follow-up, a message on a
    coordination request) are reached through the row they belong to.
    """
    kinds: list[tuple[type[models.Model], str]] = []
    for model in apps.get_models():
        if model in SHOWN_APART or model is Case:
            continue
        via_case = _points_at(model, Case)
        if via_case is not None:
            kinds.append((model, via_case))
            continue
        if _points_at(model, Person) is None:
            continue
        for f in model._meta.concrete_fields:
            parent = f.related_model if f.is_relation else None
            if isinstance(parent, type) and (to_case := _points_at(parent, Case)):
                kinds.append((model, f"{f.name}__{to_case}"))
                break
    return kinds


def disclosed_fields() -> list[str]:
    """The encrypted fields a disclosure decrypts, as Model.field (for the audit event)."""
    shown: list[type[models.Model]] = [
        Person,
        Case,
        *(m for m, _via in record_kinds()),
        Document,
        CaseShare,
    ]
    return sorted(
        f"{model.__name__}.{f.name}"
        for model in shown
        for f in model._meta.concrete_fields
        if getattr(f, "crypto_kind", None) == ENCRYPTED and f.name not in HIDDEN_FIELDS
    )


def _has_label(f: models.Field) -> bool:
    return str(f.verbose_name) != f.name.replace("_", " ")


def _who(user: User | None) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _value(row: models.Model, f: models.Field) -> Any:
    if f.name == "fiscal_year":
        # A year as a number would print as 2026; the record names it both ways, as 和暦.
        return fiscal_year_label(getattr(row, f.attname))
    if f.choices:
        return str(getattr(row, f"get_{f.name}_display")())
    if f.is_relation:
        related = getattr(row, f.name)
        if related is None:
            return None
        return _who(related) if isinstance(related, User) else str(related)
    return getattr(row, f.attname)


def _fields(row: models.Model) -> dict[str, Any]:
    """The row's labelled values, readable; the person and case it belongs to left out."""
    model = type(row)
    result: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in HIDDEN_FIELDS:
            continue
        if getattr(f, "crypto_kind", None) == BLIND_INDEX:
            continue
        if f.is_relation and f.related_model in (Case, Person):
            continue
        named = (model._meta.app_label, model.__name__, f.name) in NAMED_RELATIONS
        if not (_has_label(f) or named):
            continue
        label = str(f.related_model._meta.verbose_name) if named else str(f.verbose_name)  # type: ignore[union-attr]
        result[label] = _value(row, f)
    for f in model._meta.many_to_many:
        result[str(f.verbose_name)] = [str(x) for x in getattr(row, f.name).all()]
    return result


def _events(obj: models.Model) -> list[dict[str, Any]]:
    # By content type and id: the trail's object index, not a scan of the whole trail.
    events = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )
        .select_related("actor", "organisation")
        .order_by("time", "id")
    )
    return [
        {
            "日時": event.time,
            "利用者": _who(event.actor),
            "所属": str(event.organisation) if event.organisation else "",
            "操作": str(event.get_action_display()),
        }
        for event in events
    ]


def _status(choices: Any, code: str) -> str:
    return str(dict(choices.choices).get(code, code))


def _processes(case: Case) -> list[dict[str, Any]]:
    processes = []
    for process in CaseProcess.objects.filter(case=case).order_by("created"):
        tasks = process.task_set.select_related("owner", "case_task").order_by("created", "pk")
        processes.append(
            {
                "手続き": str(process.flow_class.process_title),
                "状態": _status(PROCESS, process.status),
                "開始": process.created,
                "終了": process.finished,
                "タスク": [
                    {
                        "タスク": str(task.flow_task.task_title),
                        "状態": _status(STATUS, task.status),
                        "担当者": _who(task.owner),
                        "期限": getattr(getattr(task, "case_task", None), "due_on", None),
                        "作成": task.created,
                        "完了": task.finished,
                    }
                    for task in tasks
                    # The steps people do, not the machine's (start, split, join).
                    if task.flow_task.task_type in HUMAN_TASKS
                ],
            }
        )
    return processes


def _related(model: type[models.Model]) -> list[str]:
    """The relations a row's fields show (``_fields``), to read with the rows, not one a row."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model not in (Case, Person)
    ]


def _case_record(case: Case, kinds: list[tuple[type[models.Model], str]]) -> dict[str, Any]:
    records: dict[str, list[dict[str, Any]]] = {}
    for model, via in kinds:
        found = (
            model._default_manager.filter(**{via: case})
            .select_related(*_related(model))
            .prefetch_related(*(f.name for f in model._meta.many_to_many))
        )
        rows = [_fields(row) for row in found]
        if rows:
            records[str(model._meta.verbose_name)] = rows
    return {
        **_fields(case),
        "段階の変更": [
            {"段階": str(change.get_stage_display()), "日付": change.changed_on}
            for change in StageChange.objects.filter(case=case).order_by("changed_on", "pk")
        ],
        "記録": records,
        "書類": [
            {"表題": d.title, "種別": str(d.get_kind_display()), "登録日時": d.created_at}
            for d in Document.objects.filter(case=case).order_by("created_at")
        ],
        "手続き": _processes(case),
        "共有": [
            {
                "共有先": str(share.organisation),
                "根拠": str(share.get_basis_display()),
                "理由": share.reason,
                "共有した職員": _who(share.shared_by),
                "開始": share.shared_at,
                "終了": share.revoked_at,
            }
            for share in CaseShare.objects.filter(case=case)
            .select_related("organisation", "shared_by")
            .order_by("shared_at")
        ],
        "閲覧の記録": _events(case),
    }


def _supervised_organisation(actor: User) -> uuid.UUID:
    if not has_role(actor, Role.SUPERVISOR) or actor.organisation_id is None:
        raise PermissionDenied(ERR_ONLY_SUPERVISOR)
    return actor.organisation_id


def _gather(*, actor: User, case_id: Any) -> tuple[dict[str, Any], list[Case]]:
    """The record of the person of a case the actor's organisation holds, and its cases.

    Only the holder answers a disclosure request: a case merely shared with the actor's
    organisation is refused like a missing one (DoesNotExist), and only the person's cases
    of the actor's organisation are included.
    """
    organisation_id = _supervised_organisation(actor)
    held = cases_visible_to(user=actor).filter(organisation_id=organisation_id)
    case = held.select_related("person").get(pk=uuid.UUID(str(case_id)))
    person = case.person
    cases = list(
        held.filter(person=person).select_related("organisation").order_by("opened_on", "number")
    )
    kinds = record_kinds()
    with key_cache():
        record: dict[str, Any] = {
            "requested_case": case.number,
            "produced_at": timezone.now(),
            "produced_by": _who(actor),
            "person": _fields(person),
            "person_events": _events(person),
            "cases": [_case_record(each, kinds) for each in cases],
        }
    return record, cases


def _audit(*, actor: User, cases: list[Case], fmt: str) -> None:
    fields = disclosed_fields()
    for each in cases:
        audit_record(
            actor=actor,
            action=Action.PERSON_RECORD_DISCLOSED,
            obj=each,
            label=f"{each.number} {fmt}",
            fields_read=fields,
        )


@transaction.atomic(durable=True)
def person_record(*, actor: User, case_id: Any, fmt: str = "json") -> dict[str, Any]:
    """Return everything held about the person of a case the actor's organisation holds.

    Supervisors only; refused as not found (DoesNotExist) for a case of another
    organisation. Audited under each case with the format (json, html) in the label.
    """
    record, cases = _gather(actor=actor, case_id=case_id)
    _audit(actor=actor, cases=cases, fmt=fmt)
    return record


def person_record_file(*, actor: User, case_id: Any, fmt: str) -> tuple[bytes, str]:
    """Return the record as a Word file or a PDF, and the requested case's number.

    Not one transaction: the PDF conversion takes seconds; the audit events are written
    once the file exists, before it is handed out.
    """
    if fmt not in ("docx", "pdf"):
        raise ValueError(fmt)
    record, cases = _gather(actor=actor, case_id=case_id)
    data = person_record_docx(record)
    if fmt == "pdf":
        data = pdf_from_docx(data)
    with transaction.atomic(durable=True):
        _audit(actor=actor, cases=cases, fmt=fmt)
    return data, record["requested_case"]


def person_record_json(record: dict[str, Any]) -> Iterator[str]:
    """Stream the record as JSON (UTF-8, Japanese as it is, dates in ISO form)."""
    yield from json.JSONEncoder(ensure_ascii=False, default=_json_value, indent=1).iterencode(
        record
    )


def _json_value(value: Any) -> str:
    if isinstance(value, datetime.date):  # and datetime: ISO 8601, with the offset
        return value.isoformat()
    return str(value)


# The Word document.

FONT = "IPAGothic"  # Debian's fonts-ipafont-gothic, which LibreOffice renders the PDF with


def text(value: Any) -> str:
    """A value as the printed record shows it: 和暦 dates, はい/いいえ, lists joined."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{wareki(local.date())} {local:%H:%M}"
    if isinstance(value, datetime.date):
        return wareki(value)
    if isinstance(value, bool):
        return _("はい") if value else _("いいえ")
    if isinstance(value, dict):
        return "、".join(f"{k}: {text(v)}" for k, v in value.items() if text(v))
    if isinstance(value, list | tuple):
        return "\n".join(text(v) for v in value)
    return str(value)


def _table(document: Any, header: list[str], rows: list[list[Any]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, header, strict=True):
        cell.text = label
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = text(value)


def _pairs(document: Any, values: dict[str, Any]) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in values.items():
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = text(value)


def _none(document: Any) -> None:
    document.add_paragraph(_("（なし）"))


def _events_table(document: Any, events: list[dict[str, Any]]) -> None:
    if not events:
        _none(document)
        return
    _table(
        document,
        [_("日時"), _("利用者"), _("所属"), _("操作")],
        [[e["日時"], e["利用者"], e["所属"], e["操作"]] for e in events],
    )


def _case_section(document: Any, case: dict[str, Any]) -> None:
    document.add_heading(_("ケース %(number)s") % {"number": case["ケース番号"]}, level=1)
    sections = ("段階の変更", "記録", "書類", "手続き", "共有", "閲覧の記録")
    _pairs(document, {k: v for k, v in case.items() if k not in sections})
    document.add_heading(_("段階の変更"), level=2)
    if case["段階の変更"]:
        _table(
            document,
            [_("段階"), _("日付")],
            [[c["段階"], c["日付"]] for c in case["段階の変更"]],
        )
    else:
        _none(document)
    for kind, rows in case["記録"].items():
        document.add_heading(kind, level=2)
        for row in rows:
            _pairs(document, row)
            document.add_paragraph()
    document.add_heading(_("書類（一覧）"), level=2)
    if case["書類"]:
        _table(
            document,
            [_("表題"), _("種別"), _("登録日時")],
            [[d["表題"], d["種別"], d["登録日時"]] for d in case["書類"]],
        )
    else:
        _none(document)
    document.add_heading(_("手続きとタスク"), level=2)
    if not case["手続き"]:
        _none(document)
    for process in case["手続き"]:
        span = f"{text(process['開始'])}〜{text(process['終了'])}"
        document.add_paragraph(f"{process['手続き']}（{process['状態']}） {span}")
        _table(
            document,
            [_("タスク"), _("状態"), _("担当者"), _("期限"), _("作成"), _("完了")],
            [
                [t["タスク"], t["状態"], t["担当者"], t["期限"], t["作成"], t["完了"]]
                for t in process["タスク"]
            ],
        )
    document.add_heading(_("共有と法的根拠"), level=2)
    if case["共有"]:
        _table(
            document,
            [_("共有先"), _("根拠"), _("理由"), _("共有した職員"), _("開始"), _("終了")],
            [
                [s["共有先"], s["根拠"], s["理由"], s["共有した職員"], s["開始"], s["終了"]]
                for s in case["共有"]
            ],
        )
    else:
        _none(document)
    document.add_heading(_("閲覧・操作の記録"), level=2)
    _events_table(document, case["閲覧の記録"])


def person_record_docx(record: dict[str, Any]) -> bytes:
    """Build the record as a Word document, in memory; return the .docx."""
    document = WordDocument()
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    document.core_properties.title = _("保有個人情報の開示")
    document.core_properties.author = record["produced_by"]
    document.add_heading(_("保有個人情報の開示"), level=0)
    document.add_paragraph(
        _("作成: %(when)s %(who)s（ケース %(number)s の開示請求による）")
        % {
            "when": text(record["produced_at"]),
            "who": record["produced_by"],
            "number": record["requested_case"],
        }
    )
    document.add_heading(_("本人"), level=1)
    _pairs(document, record["person"])
    document.add_heading(_("本人の記録の閲覧・操作"), level=2)
    _events_table(document, record["person_events"])
    for case in record["cases"]:
        _case_section(document, case)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
