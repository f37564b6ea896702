"""The ledger import: dry run, every bad row reported, batches, reruns, encryption."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Case, Decision, GuardianAppointment, Person, Petition
from advocacy.ledger import services
from advocacy.ledger.models import LedgerCase, LedgerImport
from tests import factories
from tests.ledger import books
from tests.rawscan import dump, encodings
from workflows.ledger_review.flows import LedgerReviewFlow
from workflows.models import CaseProcess

pytestmark = pytest.mark.django_db


def _run(supervisor, mapping, data, **kwargs):
    return services.ledger_import_run(actor=supervisor, data=data, mapping=mapping, **kwargs)


def test_a_clean_ledger_comes_in_with_its_history_stage_and_process(supervisor, mapping):
    data = books.book(
        [
            books.row("R5-001", status="相談対応中"),
            books.row(
                "R5-002",
                name="架空 二郎",
                kana="かくう じろう",
                birth="S15.3.3",
                sex="男",
                conference="R5.5.10",
                petition="R5.6.1",
                ruling="R5.9.1",
                kind="後見",
                profession="司法書士",
                status="後見人支援中",
            ),
            books.row(
                "R5-003",
                name="架空 三子",
                kana="カクウ ミツコ",
                birth=45017 - 30000,
                conference="令和5年5月1日",
                petition="R5.5.20",
                kind="保佐",
            ),
        ]
    )
    ledger_import, check = _run(supervisor, mapping, data)
    assert check.issues == []
    assert ledger_import.status == LedgerImport.Status.DONE
    assert ledger_import.cases_created == 3
    first = LedgerCase.objects.get(number="R5-001").case
    assert first.stage == Case.Stage.CONSULTATION
    assert first.person.kana == "かくう いちこ"
    assert first.person.birth_date == datetime.date(1945, 1, 1)
    assert first.person.area.code == "takashima"
    assert CaseProcess.objects.filter(case=first).count() == 1

    second = LedgerCase.objects.get(number="R5-002").case
    assert second.stage == Case.Stage.GUARDIAN_SUPPORT
    assert Decision.objects.get(case=second).held_on == datetime.date(2023, 5, 10)
    petition = Petition.objects.get(case=second)
    assert (petition.filed_on, petition.ruling_on) == (
        datetime.date(2023, 6, 1),
        datetime.date(2023, 9, 1),
    )
    assert petition.type_granted.code == "guardianship"
    assert GuardianAppointment.objects.get(case=second).profession == "judicial_scrivener"
    assert list(second.stage_changes.values_list("stage", flat=True)) == [
        "consultation",
        "coordination",
        "team_support",
        "guardian_support",
    ]
    process = CaseProcess.objects.get(case=second)
    assert process.flow_class.stage == Case.Stage.GUARDIAN_SUPPORT

    # Coordination: the ledger does not say which step is open, so it waits for review.
    third = LedgerCase.objects.get(number="R5-003")
    assert third.case.stage == Case.Stage.COORDINATION
    assert third.needs_review
    review = CaseProcess.objects.get(case=third.case)
    assert review.flow_class is LedgerReviewFlow


def test_the_dry_run_reports_every_bad_row_and_nothing_comes_in(supervisor, mapping):
    data = books.book(
        [
            books.row("R5-001"),
            books.row("R5-002", birth="令和5年2月30日"),
            books.row("R5-003", area="月面"),
            books.row("R5-004", consulted="H32.1.1"),
            books.row("R5-001", name="架空 重複"),
            books.row("試験 花子", name="架空 番号"),
        ]
    )
    check = services.ledger_check(actor=supervisor, data=data, mapping=mapping)
    by_row = {issue.row: " ".join(issue.reasons) for issue in check.issues}
    assert set(by_row) == {4, 5, 6, 7, 8}
    assert "存在しない日付" in by_row[4]
    assert "月面" in by_row[5]
    assert "元号の範囲" in by_row[6]
    assert "同じケース番号" in by_row[7]
    assert "ケース番号" in by_row[8]
    assert all(issue.sheet == "R5" for issue in check.issues)
    with pytest.raises(services.LedgerInvalid):
        _run(supervisor, mapping, data)
    assert not Case.objects.exists()
    assert not Person.objects.exists()


def test_a_row_its_records_would_refuse_is_reported_by_the_dry_run(supervisor, mapping):
    """What the records' own rules refuse (a ruling without the petition's day) is a bad row
    in the dry run, not a batch that fails half-way through the import."""
    data = books.book(
        [
            books.row("R5-001"),
            books.row("R5-002", ruling="R5.9.1", kind="後見", profession="弁護士"),
            books.row("R5-003", petition="R5.6.1", ruling="R5.9.1", kind="後見"),
        ]
    )
    check = services.ledger_check(actor=supervisor, data=data, mapping=mapping)

    by_row = {issue.row: " ".join(issue.reasons) for issue in check.issues}
    assert set(by_row) == {4}
    assert "審判日を入れるには申立日が必要です" in by_row[4]
    with pytest.raises(services.LedgerInvalid):
        _run(supervisor, mapping, data)
    assert not Case.objects.exists()
    ledger_import, _check = _run(supervisor, mapping, data, choices={"skip": ["R5!4"]})
    assert ledger_import.cases_created == 2


def test_skipped_rows_let_the_rest_come_in(supervisor, mapping):
    data = books.book([books.row("R5-001"), books.row("R5-002", birth="令和5年2月30日")])
    ledger_import, _check = _run(supervisor, mapping, data, choices={"skip": ["R5!4"]})
    assert ledger_import.cases_created == 1
    assert list(LedgerCase.objects.values_list("number", flat=True)) == ["R5-001"]


def test_a_person_known_by_the_blind_index_is_offered_as_the_same_person(supervisor, mapping):
    known = factories.case_for(
        supervisor, name="架空 一子", kana="かくう いちこ", birth_date=datetime.date(1945, 1, 1)
    )
    data = books.book([books.row("R5-001")])
    check = services.ledger_check(actor=supervisor, data=data, mapping=mapping)
    assert [(i.row, i.same_person) for i in check.issues] == [(3, True)]
    with pytest.raises(services.LedgerInvalid):
        _run(supervisor, mapping, data)
    _run(supervisor, mapping, data, choices={"same": ["R5!3"]})
    assert LedgerCase.objects.get(number="R5-001").case.person_id == known.person_id
    assert Person.objects.count() == 1


def test_a_person_of_another_organisation_is_not_reported(supervisor, mapping, users_by_role):
    factories.case_for(
        users_by_role["council_caseworker"],
        kana="かくう いちこ",
        birth_date=datetime.date(1945, 1, 1),
    )
    check = services.ledger_check(
        actor=supervisor, data=books.book([books.row("R5-001")]), mapping=mapping
    )
    assert check.issues == []


def test_two_rows_of_one_person_are_one_person_with_two_cases(supervisor, mapping):
    data = books.book(
        [
            books.row("R4-010", consulted="R4.6.1", status="相談対応中"),
            books.row("R5-001", consulted="R5.6.1"),
        ]
    )
    _run(supervisor, mapping, data, size=1)
    assert Person.objects.count() == 1
    assert Case.objects.count() == 2


def test_a_rerun_creates_no_duplicates(supervisor, mapping):
    data = books.book([books.row("R5-001"), books.row("R5-002", kana="かくう にこ")])
    _run(supervisor, mapping, data)
    again, check = _run(supervisor, mapping, data)
    assert check.already_imported == 2
    assert again.cases_created == 0
    assert Case.objects.count() == 2


def test_an_interrupted_import_continues_from_its_checkpoint(supervisor, mapping, monkeypatch):
    rows = [books.row(f"R5-{n:03d}", kana=f"かくう {'あいうえおかきくけこ'[n]}") for n in range(6)]
    data = books.book(rows)
    real = services._import_row
    calls = {"n": 0}

    def failing(**kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("power cut")
        return real(**kwargs)

    monkeypatch.setattr(services, "_import_row", failing)
    with pytest.raises(RuntimeError):
        _run(supervisor, mapping, data, size=2)
    # Two batches committed; the third rolled back whole.
    assert Case.objects.count() == 4
    ledger_import = LedgerImport.objects.get()
    assert (ledger_import.status, ledger_import.rows_done) == (LedgerImport.Status.RUNNING, 4)
    monkeypatch.setattr(services, "_import_row", real)
    resumed, _check = _run(supervisor, mapping, data, size=2)
    assert resumed.pk == ledger_import.pk
    assert resumed.status == LedgerImport.Status.DONE
    assert Case.objects.count() == 6


def test_every_value_is_encrypted_on_the_way_in(supervisor, mapping):
    data = books.book(
        [
            books.row(
                "R5-001", name="架空 暗号子", kana="かくう あんごうこ", notes="架空の秘密の備考"
            )
        ]
    )
    _run(supervisor, mapping, data)
    raw = dump("cases_person", "cases_consultation", "ledger_ledgerimport", "audit_auditevent")
    for value in ("架空 暗号子", "かくう あんごうこ", "架空の秘密の備考", "1945-01-01"):
        assert not any(form in raw for form in encodings(value)), "plaintext found"


def test_the_import_is_audited_once_and_each_case_once(supervisor, mapping):
    _run(
        supervisor,
        mapping,
        books.book([books.row("R5-001"), books.row("R5-002", kana="かくう に")]),
    )
    assert AuditEvent.objects.filter(action=Action.LEDGER_IMPORTED).count() == 1
    assert AuditEvent.objects.filter(action=Action.LEDGER_CASE_IMPORTED).count() == 2


def test_only_a_supervisor_may_import(users_by_role, mapping):
    data = books.book([books.row("R5-001")])
    for role in ("city_caseworker", "committee_member", "professional"):
        with pytest.raises(PermissionDenied):
            services.ledger_check(actor=users_by_role[role], data=data, mapping=mapping)
    assert not Case.objects.exists()


def test_the_consultation_process_waits_at_its_first_step(supervisor, mapping):
    _run(supervisor, mapping, books.book([books.row("R5-001", status="相談対応中")]))
    case = LedgerCase.objects.get().case
    open_tasks = Task.objects.filter(
        process__in=CaseProcess.objects.filter(case=case), status__in=[STATUS.NEW, STATUS.ASSIGNED]
    )
    assert open_tasks.exists()
