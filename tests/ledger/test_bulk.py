"""The bulk import makes what the services make one row at a time, and its processes go on.

The reference is the import as it was before decision 87: each row through ``case_open``
(or ``case_open_for_known_person``), ``record_save``, ``case_set_stage``, ``case_close`` and
``process_start``, replayed here on the same checked rows.
"""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook
from viewflow.workflow.models import Task

from advocacy.access.models import CaseUserObjectPermission
from advocacy.audit.actions import Action
from advocacy.audit.chain import events_in_order, known_keys, verify_chain
from advocacy.audit.models import AuditChainHead, AuditEvent
from advocacy.cases import services as cases
from advocacy.cases.models import (
    Case,
    Consultation,
    Decision,
    GuardianAppointment,
    Person,
    Petition,
    StageChange,
)
from advocacy.cases.models.records import PetitionerType
from advocacy.ledger import services
from advocacy.ledger.mapping import mapping_from_json
from advocacy.ledger.models import LedgerCase
from advocacy.reference.models import Area, PersonCategory
from tests.ledger import books
from tests.workflows.conftest import Walker, open_names
from workflows.base import CaseFlow
from workflows.ledger_review.flows import LedgerReviewFlow
from workflows.models import CaseProcess, CaseTask
from workflows.processes import process_start

pytestmark = pytest.mark.django_db

HEADER = [
    "番号",
    "氏名",
    "フリガナ",
    "生年月日",
    "性別",
    "地区",
    "対象者",
    "経路",
    "受付日",
    "ケース会議",
    "申立",
    "審判",
    "類型",
    "受任者",
    "状況",
    "終結日",
    "備考",
]


def _mapping():
    columns = {
        name: header
        for name, header in zip(
            [
                "case_number",
                "name",
                "kana",
                "birth_date",
                "sex",
                "area",
                "category",
                "referrer",
                "consulted_on",
                "conference_on",
                "petition_on",
                "ruling_on",
                "type",
                "profession",
                "status",
                "closed_on",
                "notes",
            ],
            HEADER,
            strict=True,
        )
    }
    return mapping_from_json(
        json.dumps({**books.MAPPING, "header_rows": 1, "columns": columns}, ensure_ascii=False)
    )


def _row(number, kana, *, birth="昭和20年", consulted="R5.4.1", **values):
    row = dict.fromkeys(HEADER)
    row.update(
        {
            "番号": number,
            "氏名": "架空 " + number,
            "フリガナ": kana,
            "生年月日": birth,
            "性別": "女",
            "地区": "たかしま北",
            "経路": "ケアマネ",
            "受付日": consulted,
            "備考": "架空の備考",
        }
    )
    row.update(values)
    return [row[h] for h in HEADER]


# Every path of the ledger's history: each stage, parked or not, a closing, a person with
# two cases (the second 継続 or 新規 by the first's closing), categories, no referrer.
ROWS = [
    _row("A-1", "かくう いち", 状況="相談対応中", 対象者="高齢者"),
    _row(
        "A-2",
        "かくう に",
        ケース会議="R5.5.10",
        申立="R5.6.1",
        審判="R5.9.1",
        類型="後見",
        受任者="司法書士",
        状況="後見人支援中",
    ),
    _row("A-3", "かくう さん", ケース会議="R5.5.1", 申立="R5.5.20", 類型="保佐"),
    _row("A-4", "かくう よん", ケース会議="R5.5.1"),
    _row("A-5", "かくう ご", 申立="R5.6.1", 審判="R5.8.1", 類型="補助", 受任者="社会福祉士"),
    _row("A-6", "かくう ろく", 申立="R5.8.1", 類型="後見"),
    _row("A-7", "かくう なな", 状況="終結", 終結日="R5.7.1", 経路=None),
    _row("A-8", "かくう はち", consulted="R5.4.2", 状況="終結", 終結日="R5.5.1"),
    _row("A-9", "かくう はち", consulted="R5.6.1"),
    _row("A-10", "かくう きゅう", consulted="R5.4.3"),
    _row("A-11", "かくう きゅう", consulted="R5.9.3", ケース会議="R5.10.1", 類型="後見"),
]


def _book(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "R5"
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _one_by_one(actor, rows) -> list[Case]:
    """The import before decision 87: every row through the services, one by one."""
    opened: list[Case] = []
    persons: dict[object, Person] = {}
    for row in rows:
        values = row.values
        consultation = Consultation(
            consulted_on=values["consulted_on"],
            channel=Consultation.Channel.OTHER,
            referrer_type=values.get("referrer") or Consultation.ReferrerType.OTHER,
            notes=values.get("notes") or "",
        )
        key = services.person_key(values)
        if key in persons:
            case = cases.case_open_for_known_person(
                actor=actor, person=persons[key], consultation=consultation
            )
        else:
            person = Person(
                name=values["name"],
                kana=values["kana"],
                birth_date=values["birth_date"],
                address=values.get("address") or "",
                sex=values["sex"],
                area_id=Area.objects.get(code=values["area"]).pk,
                living_situation=Person.Living.OTHER,
                household_type=Person.Household.OTHER,
            )
            case = cases.case_open(
                actor=actor,
                person=person,
                consultation=consultation,
                categories=PersonCategory.objects.filter(code__in=values.get("category") or ()),
            )
            persons[key] = case.person
        stage, thin = _history(actor, case, values)
        if thin:
            process_start(actor=actor, case=case, flow_class=LedgerReviewFlow)
        elif stage != Case.Stage.CLOSED:
            process_start(actor=actor, case=case, flow_class=CaseFlow.of_stage(stage))
        opened.append(case)
    return opened


def _history(actor, case, values):
    types = services._Types()
    stage, thin = services.ledger_stage(values)
    type_code = values.get("type")
    conference_on, petition_on, ruling_on = (
        values.get("conference_on"),
        values.get("petition_on"),
        values.get("ruling_on"),
    )
    if conference_on:
        cases.case_set_stage(
            actor=actor, case=case, stage=Case.Stage.COORDINATION, on=conference_on
        )
        if type_code:
            decision = Decision(
                held_on=conference_on,
                participants=services.IMPORTED_TEXT,
                outcome=Decision.Outcome.GUARDIANSHIP,
                guardianship_type=types.on(type_code, conference_on),
                reasons=services.IMPORTED_TEXT,
            )
            cases.record_save(actor=actor, case=case, record=decision)
        else:
            thin = True
    petition = None
    if petition_on or ruling_on:
        if not conference_on:
            cases.case_set_stage(
                actor=actor, case=case, stage=Case.Stage.COORDINATION, on=petition_on or ruling_on
            )
        petition = Petition(
            petitioner_type=PetitionerType.OTHER,
            filed_on=petition_on,
            type_sought=types.on(type_code, petition_on or ruling_on),
            ruling_on=ruling_on,
            type_granted=types.on(type_code, ruling_on) if ruling_on else None,
        )
        cases.record_save(actor=actor, case=case, record=petition)
    if ruling_on:
        if values.get("profession"):
            appointment = GuardianAppointment(
                petition=petition,
                kind=GuardianAppointment.Kind.PERSON,
                profession=values["profession"],
                name=services.UNNAMED_GUARDIAN,
                appointed_on=ruling_on,
            )
            cases.record_save(actor=actor, case=case, record=appointment)
        cases.case_set_stage(actor=actor, case=case, stage=Case.Stage.TEAM_SUPPORT, on=ruling_on)
    if stage == Case.Stage.GUARDIAN_SUPPORT:
        cases.case_set_stage(
            actor=actor, case=case, stage=stage, on=ruling_on or values["consulted_on"]
        )
    elif stage == Case.Stage.CLOSED:
        cases.case_close(
            actor=actor, case=case, reason=Case.ClosingReason.OTHER, on=values["closed_on"]
        )
    elif stage != case.stage and stage == Case.Stage.COORDINATION:
        cases.case_set_stage(actor=actor, case=case, stage=stage, on=values["consulted_on"])
    return stage, thin


def _fields(obj, names):
    return tuple(getattr(obj, name) for name in names)


def _snapshot(case: Case) -> dict:
    """Everything a case is made of, without ids, numbers and timestamps."""
    person = case.person
    processes = []
    for process in CaseProcess.objects.filter(case=case).order_by("pk"):
        tasks = []
        for task in Task.objects.filter(process_id=process.pk).order_by("pk"):
            routed = CaseTask.objects.filter(task_id=task.pk).first()
            tasks.append(
                (
                    task.flow_task.name,
                    task.flow_task_type,
                    task.status,
                    task.owner_id,
                    task.previous.count(),
                    _fields(routed, ["organisation_id", "role", "due_on", "status", "owner_id"])
                    if routed
                    else None,
                )
            )
        processes.append(
            (process.flow_class, process.status, process.lead_organisation_id, process.data, tasks)
        )
    consultation = Consultation.objects.get(case=case)
    return {
        "person": _fields(
            person,
            [
                "name",
                "kana",
                "birth_date",
                "address",
                "sex",
                "area_id",
                "living_situation",
                "household_type",
                "age_band",
                "organisation_id",
            ],
        )
        + (sorted(person.categories.values_list("code", flat=True)),),
        "case": _fields(
            case,
            [
                "stage",
                "fiscal_year",
                "opened_on",
                "closed_on",
                "closing_reason",
                "controller",
                "purpose",
                "urgency",
                "consent",
                "feedback_consent",
                "assigned_worker_id",
            ],
        ),
        "consultation": _fields(
            consultation,
            [
                "consulted_on",
                "channel",
                "referrer_type",
                "notes",
                "age_band",
                "sex",
                "household_type",
                "area_id",
                "is_new",
                "created_by_id",
            ],
        ),
        "stages": list(
            StageChange.objects.filter(case=case)
            .order_by("changed_at", "pk")
            .values_list("stage", "changed_on")
        ),
        "decisions": [
            _fields(d, ["held_on", "participants", "outcome", "guardianship_type_id", "reasons"])
            for d in Decision.objects.filter(case=case)
        ],
        "petitions": [
            _fields(
                p,
                ["petitioner_type", "filed_on", "type_sought_id", "ruling_on", "type_granted_id"],
            )
            for p in Petition.objects.filter(case=case)
        ],
        "appointments": [
            (a.kind, a.profession, a.name, a.appointed_on, a.petition.filed_on)
            for a in GuardianAppointment.objects.filter(case=case)
        ],
        "grants": sorted(
            CaseUserObjectPermission.objects.filter(content_object=case).values_list(
                "user_id", "permission__codename"
            )
        ),
        "processes": processes,
    }


def test_the_bulk_import_makes_what_the_services_make_row_by_row(supervisor):
    mapping = _mapping()
    data = _book(ROWS)
    check = services.ledger_check(actor=supervisor, data=data, mapping=mapping)
    assert check.issues == []
    # Batches of 4: a person's second case comes in a later batch, or in the same one.
    services.ledger_import_run(actor=supervisor, data=data, mapping=mapping, size=4)
    imported = [LedgerCase.objects.get(number=row.values["case_number"]).case for row in check.rows]
    expected = _one_by_one(supervisor, check.rows)
    assert len(imported) == len(expected) == len(ROWS)
    for row, bulk, one in zip(check.rows, imported, expected, strict=True):
        bulk_snapshot, one_snapshot = _snapshot(bulk), _snapshot(one)
        for part in one_snapshot:
            assert bulk_snapshot[part] == one_snapshot[part], (row.values["case_number"], part)
    # The second case of a person closed before it is 継続; of one still open, not new.
    by_number = dict(zip([r.values["case_number"] for r in check.rows], imported, strict=True))
    assert by_number["A-9"].person_id == by_number["A-8"].person_id
    assert Consultation.objects.get(case=by_number["A-10"]).is_new
    # Numbers follow the rows' order, as one by one.
    serials = [case.serial for case in imported]
    assert serials == sorted(serials)


def test_each_imported_case_has_exactly_one_audit_event(supervisor):
    data = _book(ROWS)
    services.ledger_import_run(actor=supervisor, data=data, mapping=_mapping(), size=4)
    for entry in LedgerCase.objects.select_related("case"):
        events = AuditEvent.objects.filter(object_id=str(entry.case.pk))
        assert list(events.values_list("action", flat=True)) == [Action.LEDGER_CASE_IMPORTED]
        assert events.get().label.startswith(entry.case.number)
    assert AuditEvent.objects.filter(action=Action.LEDGER_IMPORTED).count() == 1


def test_an_imported_process_goes_on_through_its_next_step(supervisor):
    services.ledger_import_run(actor=supervisor, data=_book([ROWS[0], ROWS[1]]), mapping=_mapping())
    consultation_case = LedgerCase.objects.get(number="A-1").case
    walker = Walker()
    assert open_names(consultation_case) == ["intake"]
    walker.step(supervisor, consultation_case, "consultation", "intake")
    assert open_names(consultation_case) == ["triage"]
    walker.step(
        supervisor, consultation_case, "consultation", "triage", {"outcome": "coordination"}
    )
    consultation_case.refresh_from_db()
    assert consultation_case.stage == Case.Stage.COORDINATION
    assert open_names(consultation_case, "coordination")


def test_the_audit_chain_verifies_after_a_bulk_import(supervisor):
    services.ledger_import_run(actor=supervisor, data=_book(ROWS), mapping=_mapping(), size=4)
    good, broken = verify_chain(
        events_in_order(), heads=list(AuditChainHead.objects.all()), keys=known_keys()
    )
    assert broken is None
    assert good == AuditEvent.objects.count()
