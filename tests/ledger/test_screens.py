"""The supervisor's ledger screens, the exports and who may use them."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Case, Decision, Petition
from advocacy.crypto.erased import ERASED
from advocacy.ledger import exports, services
from advocacy.ledger.mapping import mapping_from_json
from advocacy.ledger.models import LedgerCase, LedgerImport
from tests import factories
from tests.ledger import books
from tests.portal.otp import force_login_verified

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    return force_login_verified(Client(), user)


def _upload(client, data, mapping=None):
    files = {"workbook": SimpleUploadedFile("ledger.xlsx", data)}
    files["mapping"] = SimpleUploadedFile("m.json", (mapping or books.mapping_json()).encode())
    return client.post("/app/ledger/", files)


def test_upload_preview_confirm_and_progress_import_the_ledger(supervisor):
    client = _client(supervisor)
    data = books.book([books.row("R5-001"), books.row("R5-002", birth="令和5年2月30日")])
    response = _upload(client, data)
    assert response.status_code == 302
    ledger_import = LedgerImport.objects.get()
    assert ledger_import.status == LedgerImport.Status.CHECKED
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert "存在しない日付" in preview.content.decode()
    assert not Case.objects.exists()
    # Confirming without a choice for the bad row imports nothing.
    refused = client.post(response["Location"], {"confirm": "1"})
    assert refused.status_code == 400
    assert not Case.objects.exists()
    confirmed = client.post(response["Location"], {"confirm": "1", "skip": ["R5!4"]})
    assert confirmed.status_code == 302
    run = client.post(confirmed["Location"])
    assert run.status_code == 302
    ledger_import.refresh_from_db()
    assert ledger_import.status == LedgerImport.Status.DONE
    # The stored workbook's key is destroyed: it cannot be read, from any backup after this.
    assert ledger_import.workbook is ERASED
    assert list(LedgerCase.objects.values_list("number", flat=True)) == ["R5-001"]
    page = client.get(confirmed["Location"]).content.decode()
    assert 'data-testid="ledger-progress"' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"just some text, not a workbook", "Excel ブック（.xlsx）ではありません"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "パスワードで保護された"),
    ],
)
def test_a_file_that_is_not_a_plain_workbook_is_refused_with_a_message(supervisor, data, message):
    response = _upload(_client(supervisor), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not LedgerImport.objects.exists()


def test_a_mapping_naming_a_missing_column_is_refused(supervisor):
    mapping = dict(books.MAPPING, columns={**books.MAPPING["columns"], "name": "本人の名前"})
    response = _upload(_client(supervisor), books.book([books.row("R5-001")]), json.dumps(mapping))
    assert response.status_code == 400
    assert "本人の名前" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize("role", ["city_caseworker", "committee_member", "professional"])
def test_only_supervisors_reach_the_ledger_screens(users_by_role, role):
    client = _client(users_by_role[role])
    for url in ("/app/ledger/", "/app/ledger/export.xlsx", "/app/ledger/template.xlsx"):
        assert client.get(url).status_code in (403, 302)
    assert _upload(client, books.book([books.row("R5-001")])).status_code in (403, 302)
    assert not LedgerImport.objects.exists()


def test_another_organisations_import_is_not_found(supervisor, users_by_role):
    data = books.book([books.row("R5-001")])
    mapping = mapping_from_json(books.mapping_json())
    ledger_import, _check = services.ledger_upload(actor=supervisor, data=data, mapping=mapping)
    other = _client(users_by_role["council_supervisor"])
    assert other.get(f"/app/ledger/imports/{ledger_import.pk}/").status_code == 404
    assert (
        other.post(f"/app/ledger/imports/{ledger_import.pk}/", {"confirm": "1"}).status_code == 404
    )


def test_the_export_reimports_into_an_empty_system_as_the_same_cases(supervisor, mapping):
    data = books.book(
        [
            books.row("R5-001", status="相談対応中", living="在宅", household="家族と同居"),
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
                living="特養",
                household="独居",
                petitioner="市長",
                approved="R5.5.25",
            ),
            # A conference that assumed a petitioner, no petition yet.
            books.row(
                "R5-003",
                name="架空 三子",
                kana="かくう みつこ",
                conference="R5.5.12",
                kind="保佐",
                living="入院",
                household="高齢者のみ世帯",
                petitioner="長女",
            ),
        ]
    )
    services.ledger_import_run(actor=supervisor, data=data, mapping=mapping)
    before = _cases()
    # The three the ledger holds came in as themselves, not as その他.
    assert [row[8:] for row in before] == [
        ("home", "with_family", [], []),
        ("facility", "alone", ["mayor"], [("mayor", datetime.date(2023, 5, 25))]),
        ("hospital", "elderly_couple", ["relative"], []),
    ]
    exported = exports.ledger_export(actor=supervisor)
    book = load_workbook(io.BytesIO(exported))
    assert book.properties.creator
    assert book.active["A1"].value.startswith("出力:")
    # An empty system: another organisation's supervisor imports it.
    other = factories.user(
        factories.Role.CITY_CASEWORKER,
        factories.Role.SUPERVISOR,
        organisation=factories.organisation(),
    )
    result, check = services.ledger_import_run(
        actor=other, data=exported, mapping=mapping_from_json(exports.export_mapping())
    )
    assert check.issues == []
    after = _cases(organisation=other.organisation)
    assert after == before
    assert AuditEvent.objects.filter(action=Action.LEDGER_EXPORTED).count() == 1


def _cases(organisation=None):
    rows = []
    entries = LedgerCase.objects.select_related("case__person")
    if organisation is not None:
        entries = entries.filter(organisation=organisation)
    for entry in entries.order_by("number"):
        case, person = entry.case, entry.case.person
        rows.append(
            (
                entry.number,
                person.name,
                person.kana,
                person.birth_date,
                person.sex,
                case.stage,
                case.opened_on,
                list(case.stage_changes.values_list("stage", "changed_on")),
                person.living_situation,
                person.household_type,
                list(Decision.objects.filter(case=case).values_list("petitioner_type", flat=True)),
                [(p.petitioner_type, p.approved_on) for p in Petition.objects.filter(case=case)],
            )
        )
    return rows


def test_a_person_record_holds_everything_and_is_audited(supervisor, users_by_role):
    case = factories.case_for(users_by_role["city_caseworker"])
    client = _client(supervisor)
    response = client.get(f"/app/ledger/persons/{case.pk}/record.json")
    assert response.status_code == 200
    record = json.loads(b"".join(response.streaming_content))
    assert record["person"]["氏名"] == "試験 花子"
    assert record["cases"][0]["ケース番号"] == case.number
    assert any(record["cases"][0]["記録"].values())
    assert record["cases"][0]["閲覧の記録"]
    page = client.get(f"/app/ledger/persons/{case.pk}/record/")
    assert page.status_code == 200
    assert "保有個人情報の開示" in page.content.decode()
    assert AuditEvent.objects.filter(action=Action.PERSON_RECORD_DISCLOSED).count() == 2


@pytest.mark.parametrize("role", ["city_caseworker", "council_supervisor", "committee_member"])
def test_a_person_record_is_refused_to_others(users_by_role, role):
    case = factories.case_for(users_by_role["city_caseworker"])
    client = _client(users_by_role[role])
    for suffix in ("record.json", "record/"):
        response = client.get(f"/app/ledger/persons/{case.pk}/{suffix}")
        assert response.status_code in (403, 404)
        assert "試験" not in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.PERSON_RECORD_DISCLOSED).exists()


def test_the_mapping_screen_suggests_columns_from_the_headers_and_saves(supervisor):
    client = _client(supervisor)
    page = client.post(
        "/app/ledger/mapping/",
        {
            "suggest": "1",
            "header_rows": "2",
            "workbook": SimpleUploadedFile("ledger.xlsx", books.book([books.row("R5-001")])),
        },
    )
    assert page.status_code == 200
    suggested = json.loads(page.context["save_form"].initial["mapping"])
    # 番号 (A), 氏名 under the merged 本人 (B), フリガナ (C), 受付日 under 日付 (I).
    assert suggested["columns"]["case_number"] == "A"
    assert suggested["columns"]["name"] == "B"
    assert suggested["columns"]["kana"] == "C"
    assert suggested["columns"]["consulted_on"] == "I"
    saved = client.post("/app/ledger/mapping/", {"save": "1", "mapping": books.mapping_json()})
    assert saved.status_code == 302
    assert supervisor.organisation.ledger_mapping.data["header_rows"] == 2
    assert AuditEvent.objects.filter(action=Action.LEDGER_MAPPING_SAVED).count() == 1
    bad = client.post("/app/ledger/mapping/", {"save": "1", "mapping": "{not json"})
    assert bad.status_code == 400
