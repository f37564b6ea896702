"""A person's record (開示請求) as Word and PDF: the person's values and nothing of another's,
refused to everyone but a supervisor of the organisation holding the case, audited with the
format, and no file left behind."""

from __future__ import annotations

import datetime
import io
import json
import os
import shutil
import subprocess
import tempfile
import threading
from http import HTTPStatus

import docx
import pytest
from django.test import Client

from advocacy import pdf
from advocacy.access import services as access
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Case, Contact, Document, Person
from advocacy.dates import fiscal_year_label
from advocacy.ledger import disclosure
from advocacy.pdf import SCRATCH
from tests import factories
from tests.portal.otp import force_login_verified

pytestmark = pytest.mark.django_db

NAME = "開示 桜子"
KANA = "かいじ さくらこ"
ADDRESS = "架空県架空市開示町1-1"
CONTACT = "後見人から開示用の連絡があった"
SHARE_REASON = "本人の同意書による開示用共有"
# The second person of the same organisation: none of this may appear in the first's record.
OTHER_NAME = "別人 梅男"
OTHER_ADDRESS = "架空県別市カナリア町9-9"
OTHER_CONTACT = "カナリア連絡内容"
OTHER_SHARE = "カナリア共有理由"
OTHER_CALLER = "カナリア相談者"


def _client(user) -> Client:
    return force_login_verified(Client(), user)


def _contact(worker, case, summary):
    factories.case_record(
        worker,
        case,
        Contact(contacted_on=datetime.date(2026, 4, 12), contact_from="guardian", summary=summary),
    )


@pytest.fixture
def people(users_by_role):
    """Two people of the city, each with two cases, a contact, a share and a case page read."""
    worker = users_by_role["city_caseworker"]
    supervisor = users_by_role["city_supervisor"]
    council = users_by_role["council_supervisor"].organisation
    first = factories.case_for(
        worker, name=NAME, kana=KANA, address=ADDRESS, birth_date=datetime.date(1941, 3, 4)
    )
    second = factories.case_for(
        worker,
        person=first.person,
        consulted_on=datetime.date(2026, 5, 1),
        intake=True,
        feedback_consent="given",
    )
    _contact(worker, second, CONTACT)
    access.share_with_organisation(
        actor=supervisor, case=first, organisation=council, basis="consent", reason=SHARE_REASON
    )
    other = factories.case_for(
        worker, name=OTHER_NAME, kana="べつじん うめお", address=OTHER_ADDRESS, caller=OTHER_CALLER
    )
    _contact(worker, other, OTHER_CONTACT)
    access.share_with_organisation(
        actor=supervisor, case=other, organisation=council, basis="consent", reason=OTHER_SHARE
    )
    reader = _client(worker)
    for case in (first, second, other):
        assert reader.get(f"/app/cases/{case.pk}/").status_code == HTTPStatus.OK
    return first, second, other


def _get(user, case, fmt):
    return _client(user).get(f"/app/ledger/persons/{case.pk}/record.{fmt}")


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def _pdf_text(data: bytes) -> str:
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [shutil.which("pdftotext") or "/usr/bin/pdftotext", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    # A table cell's text wraps within the cell: compare without the line breaks.
    return "".join(result.stdout.decode().split())


def _expected(first, second, worker) -> list[str]:
    return [
        NAME,
        KANA,
        ADDRESS,
        "昭和16年3月4日",  # the birth date in 和暦
        "女性",  # the sex's label, not its code
        first.number,
        second.number,
        "架空の相談内容",  # the consultation's notes
        CONTACT,  # a record's text
        "後見人等",  # a choice's label in a record
        SHARE_REASON,
        "本人の同意",  # the share's legal basis
        "相談受付",  # the intake's process (second was opened at the intake)
        "ケース閲覧",  # an audit read ...
        worker.get_full_name(),  # ... by whom
    ]


FORBIDDEN = [OTHER_NAME, OTHER_ADDRESS, OTHER_CONTACT, OTHER_SHARE, OTHER_CALLER]


def test_the_word_record_holds_the_persons_values_and_nothing_of_another(people, users_by_role):
    first, second, other = people
    response = _get(users_by_role["city_supervisor"], first, "docx")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == f'attachment; filename="{first.number}_record.docx"'
    assert NAME not in response["Content-Disposition"]
    text = _docx_text(b"".join(response.streaming_content))
    for value in _expected(first, second, users_by_role["city_caseworker"]):
        assert value in text, value
    for value in [*FORBIDDEN, other.number]:
        assert value not in text, value
    # The case's year named as 和暦 too, not a bare 2026.
    assert fiscal_year_label(first.fiscal_year) in text
    # Readable labels: no stored code shows (the sex, the basis, the guardian contact).
    for code in ("female", "consent", "guardian", "care_manager"):
        assert code not in text, code


@pytest.fixture
def private_places(monkeypatch):
    """A scratch folder in /dev/shm and a temp dir of this test's own, watched while it runs.

    Other processes on the machine use the shared /dev/shm and /tmp at the same time; the
    conversion's places are pointed at folders only this test uses, so that anything left
    in them, or passing through the temp dir, is this request's.
    """
    scratch = tempfile.mkdtemp(prefix="h-scratch-", dir=SCRATCH)
    temp = tempfile.mkdtemp(prefix="h-temp-")
    monkeypatch.setattr(pdf, "SCRATCH", scratch)
    monkeypatch.setattr(tempfile, "tempdir", temp)
    monkeypatch.setenv("TMPDIR", temp)
    seen: set[str] = set()
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            seen.update(os.listdir(temp))
            stop.wait(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    yield scratch, temp, seen
    stop.set()
    watcher.join()
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.rmtree(temp, ignore_errors=True)


def test_the_pdf_record_holds_the_same_values_and_leaves_no_file_behind(
    people, users_by_role, monkeypatch, private_places
):
    first, second, other = people
    scratch, temp, seen = private_places
    folders = []
    real_mkdtemp = tempfile.mkdtemp

    def recording_mkdtemp(*args, **kwargs):
        folders.append(real_mkdtemp(*args, **kwargs))
        return folders[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", recording_mkdtemp)
    assert os.listdir(scratch) == [] and os.listdir(temp) == []
    response = _get(users_by_role["city_supervisor"], first, "pdf")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == f'attachment; filename="{first.number}_record.pdf"'
    text = _pdf_text(b"".join(response.streaming_content))
    for value in _expected(first, second, users_by_role["city_caseworker"]):
        assert "".join(value.split()) in text, value
    for value in [*FORBIDDEN, other.number]:
        assert "".join(value.split()) not in text, value
    # The private folder was in memory and is gone; nothing is left in /dev/shm or the
    # temp dir, and LibreOffice's working copies never passed through the temp dir.
    [folder] = folders
    assert folder.startswith(scratch + os.sep) and not os.path.exists(folder)
    assert os.listdir(scratch) == [] and os.listdir(temp) == []
    assert seen == set()


def test_each_format_is_audited_under_each_case_with_the_format(people, users_by_role):
    first, second, _other = people
    supervisor = users_by_role["city_supervisor"]
    for fmt in ("docx", "json", "pdf"):
        response = _get(supervisor, first, fmt)
        assert response.status_code == HTTPStatus.OK
        b"".join(response.streaming_content)
    events = AuditEvent.objects.filter(action=Action.PERSON_RECORD_DISCLOSED)
    labels = sorted(events.values_list("label", flat=True))
    assert labels == sorted(
        f"{case.number} {fmt}" for case in (first, second) for fmt in ("docx", "json", "pdf")
    )
    event = events.filter(object_id=str(first.pk)).first()
    assert event.actor == supervisor
    assert "Person.name" in event.fields_read and "Contact.summary" in event.fields_read
    assert "CaseShare.reason" in event.fields_read
    assert NAME not in str(event.__dict__)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("city_caseworker", HTTPStatus.FORBIDDEN),
        ("professional", HTTPStatus.FORBIDDEN),
        ("committee_member", HTTPStatus.FORBIDDEN),
        # The case is shared with the Council: its supervisor sees it, but only the holder
        # answers a disclosure request; refused as not found.
        ("council_supervisor", HTTPStatus.NOT_FOUND),
    ],
)
def test_the_record_is_refused_to_all_but_the_holders_supervisor(
    people, users_by_role, role, status
):
    first, _second, _other = people
    user = users_by_role[role]
    for fmt in ("docx", "pdf", "json"):
        response = _get(user, first, fmt)
        assert response.status_code == status, fmt
        assert NAME.encode() not in response.content
    assert _client(user).get(f"/app/ledger/persons/{first.pk}/record/").status_code == status
    assert not AuditEvent.objects.filter(action=Action.PERSON_RECORD_DISCLOSED).exists()
    refusals = AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=user)
    assert refusals.count() == 4


def test_the_record_gathers_every_kind_of_row_that_points_at_a_case_or_the_person():
    kinds = {model for model, _via in disclosure.record_kinds()}
    # Every model with a foreign key to a case or the person is disclosed, or shown apart.
    from django.apps import apps

    for model in apps.get_models():
        if model is Case:
            continue
        points = any(
            f.is_relation and f.related_model in (Case, Person) for f in model._meta.concrete_fields
        )
        if points:
            assert model in kinds or model in disclosure.SHOWN_APART, model
    assert Document in disclosure.SHOWN_APART and Document not in kinds


def test_the_json_holds_labels_processes_with_tasks_and_reads(people, users_by_role):
    first, second, _other = people
    response = _get(users_by_role["city_supervisor"], first, "json")
    assert response["Content-Disposition"] == f'attachment; filename="{first.number}_record.json"'
    record = json.loads(b"".join(response.streaming_content))
    assert record["person"]["氏名"] == NAME and record["person"]["性別"] == "女性"
    assert not any("index" in key for key in record["person"])  # no blind index
    cases = {case["ケース番号"]: case for case in record["cases"]}
    assert set(cases) == {first.number, second.number}
    processes = cases[second.number]["手続き"]
    tasks = [task for process in processes for task in process["タスク"]]
    assert tasks and all(t["作成"] and t["状態"] for t in tasks)
    assert any(t["担当者"] == users_by_role["city_caseworker"].get_full_name() for t in tasks)
    assert cases[first.number]["共有"][0]["根拠"] == "本人の同意"
    reads = cases[first.number]["閲覧の記録"]
    worker = users_by_role["city_caseworker"]
    assert {"利用者": worker.get_full_name(), "操作": "ケース閲覧"}.items() <= reads[-1].items()
    assert cases[second.number]["記録"]["連絡記録"][0]["内容"] == CONTACT
    # Rows of the packages above cases are there too: the feedback to the referrer.
    assert cases[second.number]["記録"]["相談者への経過報告"][0]["状態"]
    assert record["produced_at"].endswith("+00:00")


def test_the_print_page_offers_the_formats(people, users_by_role):
    first, _second, _other = people
    page = _client(users_by_role["city_supervisor"]).get(f"/app/ledger/persons/{first.pk}/record/")
    assert page.status_code == HTTPStatus.OK and page["Cache-Control"] == "no-store"
    body = page.content.decode()
    for fmt in ("pdf", "docx", "json"):
        assert f"/app/ledger/persons/{first.pk}/record.{fmt}" in body
    assert "昭和16年3月4日" in body


def test_the_case_page_leads_the_holders_supervisor_to_the_record(people, users_by_role):
    first, _second, _other = people
    page = _client(users_by_role["city_supervisor"]).get(f"/app/cases/{first.pk}/")
    body = page.content.decode()
    assert 'data-testid="disclosure-panel"' in body
    for fmt in ("pdf", "docx", "json"):
        assert f"/app/ledger/persons/{first.pk}/record.{fmt}" in body
    # A caseworker of the same organisation, and the supervisor it is shared with, see none.
    for role in ("city_caseworker", "council_supervisor"):
        page = _client(users_by_role[role]).get(f"/app/cases/{first.pk}/")
        assert page.status_code == HTTPStatus.OK
        assert 'data-testid="disclosure-panel"' not in page.content.decode()


def test_without_libreoffice_the_pdf_is_a_message_and_nothing_is_disclosed(
    people, users_by_role, monkeypatch
):
    first, _second, _other = people
    monkeypatch.setattr(shutil, "which", lambda name: None)
    client = _client(users_by_role["city_supervisor"])
    response = client.get(f"/app/ledger/persons/{first.pk}/record.pdf")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/app/ledger/persons/{first.pk}/record/"
    assert not AuditEvent.objects.filter(action=Action.PERSON_RECORD_DISCLOSED).exists()
    page = client.get(response["Location"]).content.decode()
    assert "PDF に変換できませんでした" in page
