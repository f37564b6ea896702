"""Papers filled from a case's records: the values in the right places and nothing of
another case, in Word and in PDF; a city's template checked before it replaces the default."""

from __future__ import annotations

import datetime
import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from http import HTTPStatus

import docx
import pytest
from django.core.exceptions import ValidationError

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Petition
from advocacy.court.models import PaperTemplate
from advocacy.court.papers.templates import template_check
from advocacy.pdf import SCRATCH
from advocacy.reference.models import FamilyCourt, GuardianshipType
from tests import factories

from .conftest import client_for

pytestmark = pytest.mark.django_db

NAME = "紙野 千代"
ADDRESS = "架空県架空市紙町4-5-6 <&> 棟"
OTHER = "別件 太郎"


@pytest.fixture
def paper_case(worker):
    case = factories.case_for(worker, name=NAME, kana="かみの ちよ", address=ADDRESS)
    factories.case_record(
        worker,
        case,
        Petition(
            petitioner_type="mayor",
            relative_search_degree=2,
            relatives_intentions="架空の長男は申立てを希望しない",
            approved_on=datetime.date(2026, 4, 20),
            court=FamilyCourt.objects.filter(active=True).order_by("sort_order").first(),
            type_sought=GuardianshipType.objects.get(code="guardianship", active=True),
        ),
    )
    factories.case_for(worker, name=OTHER, address="架空県別市7-8-9")  # must not leak in
    return case


def cells(data: bytes) -> dict[str, str]:
    document = docx.Document(io.BytesIO(data))
    return {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}


def all_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def get_paper(user, case, code, fmt):
    return client_for(user).get(f"/app/court/cases/{case.pk}/papers/{code}.{fmt}")


def test_the_petition_in_word_holds_the_cases_values_in_their_places(worker, paper_case):
    response = get_paper(worker, paper_case, "petition", "docx")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Disposition"].endswith(f'{paper_case.number}_petition.docx"')
    assert NAME not in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    table = cells(data)
    assert table["本人の氏名"] == NAME
    assert table["住所"] == ADDRESS  # < & > kept as text, the document still opens
    assert table["生年月日"] == "昭和15年5月6日"
    assert table["申立人"] == "市町村長"
    assert table["申立ての趣旨（類型）"] == "後見"
    assert OTHER not in all_text(data)


def test_the_mayors_approval_and_the_relatives_letter(worker, paper_case):
    approval = cells(b"".join(get_paper(worker, paper_case, "mayor_approval", "docx")))
    assert approval["親族調査の範囲（親等）"] == "2"
    assert approval["親族の意向"] == "架空の長男は申立てを希望しない"
    assert approval["決裁日"] == "令和8年4月20日"
    letter = cells(b"".join(get_paper(worker, paper_case, "relatives_letter", "docx")))
    assert letter["ご本人の氏名"] == NAME


def test_generating_is_audited_naming_the_fields_never_the_values(worker, paper_case):
    get_paper(worker, paper_case, "info_sheet", "docx")
    event = AuditEvent.objects.get(action=Action.PAPER_GENERATED)
    assert event.object_id == str(paper_case.pk)
    assert "Person.name" in event.fields_read and "Person.wishes" in event.fields_read
    assert NAME not in str(event.__dict__)


def test_the_pdf_holds_the_cases_values_and_leaves_no_file_behind(worker, paper_case, monkeypatch):
    folders = []
    real_mkdtemp = tempfile.mkdtemp

    def recording_mkdtemp(*args, **kwargs):
        folders.append(real_mkdtemp(*args, **kwargs))
        return folders[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", recording_mkdtemp)
    response = get_paper(worker, paper_case, "petition", "pdf")
    assert response.status_code == HTTPStatus.OK and response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    text = subprocess.run(  # noqa: S603
        [shutil.which("pdftotext") or "/usr/bin/pdftotext", "-layout", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert NAME in text.replace(" ", " ") and paper_case.number in text
    assert "本人の氏名" in text and OTHER not in text
    # The private folder was in memory (/dev/shm here) and is gone with the decrypted .docx.
    [folder] = folders
    assert folder.startswith(SCRATCH) and not os.path.exists(folder)


def test_staff_of_another_organisation_and_a_professional_get_no_paper(paper_case, users_by_role):
    assert (
        get_paper(users_by_role["council_caseworker"], paper_case, "petition", "docx").status_code
        == 404
    )
    assert (
        get_paper(users_by_role["professional"], paper_case, "petition", "docx").status_code == 403
    )
    assert not AuditEvent.objects.filter(action=Action.PAPER_GENERATED).exists()


def test_the_case_page_lists_the_papers_and_who_must_supply_the_rest(worker, paper_case):
    page = client_for(worker).get(f"/app/cases/{paper_case.pk}/").content.decode()
    assert f"/app/court/cases/{paper_case.pk}/papers/petition.docx" in page
    assert f"/app/court/cases/{paper_case.pk}/papers/mayor_approval.pdf" in page
    assert "診断書" in page and "医師" in page


# A city's own templates


def docx_with(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def with_macro(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("word/vbaProject.bin", b"\x00macro")
    return out.getvalue()


LETTER = ("{{ person_name }} 様について", "回答期限 {{ reply_by }}")


def test_a_valid_template_passes_and_names_its_placeholders():
    assert template_check("relatives_letter", docx_with(*LETTER)) == {"person_name", "reply_by"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a word file", "Word 文書（.docx）ではありません"),
        (docx_with(*LETTER)[:-200], "Word 文書（.docx）ではありません"),
        (with_macro(docx_with(*LETTER)), "マクロを含むファイルは使えません"),
        (
            docx_with(*LETTER, "{{ person_income }}"),
            "使えない差し込み項目があります: person_income",
        ),
        (docx_with("{{ person_name }} 様"), "必要な差し込み項目がありません: reply_by"),
        (docx_with(*LETTER, "{% if %}"), "書き方に誤りがあります"),
    ],
)
def test_a_bad_template_is_refused_with_a_clear_message(data, message):
    with pytest.raises(ValidationError, match=message):
        template_check("relatives_letter", data)


def admin_upload(client, data: bytes, name="letter.docx"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(
        "/admin/court/papertemplate/add/", {"code": "relatives_letter", "upload": upload}
    )


def test_the_system_administrator_replaces_a_template_and_papers_use_it(
    users_by_role, worker, paper_case
):
    admin = client_for(users_by_role["system_admin"])
    refused = admin_upload(admin, docx_with("{{ person_name }} {{ my_field }}"))
    assert refused.status_code == HTTPStatus.OK
    assert "使えない差し込み項目があります: my_field" in refused.content.decode()
    macro = admin_upload(admin, with_macro(docx_with(*LETTER)), name="letter.docm")
    assert "マクロを含むファイルは使えません" in macro.content.decode()
    assert not PaperTemplate.objects.exists()

    accepted = admin_upload(
        admin, docx_with("市独自の照会 {{ person_name }} 様", "期限 {{ reply_by }}")
    )
    assert accepted.status_code == HTTPStatus.FOUND, accepted.content.decode()[:2000]
    assert AuditEvent.objects.filter(action=Action.PAPER_TEMPLATE_UPLOADED).count() == 1
    letter = all_text(b"".join(get_paper(worker, paper_case, "relatives_letter", "docx")))
    assert f"市独自の照会 {NAME} 様" in letter


def test_the_default_templates_pass_their_own_check():
    from advocacy.court.papers.catalogue import PAPERS
    from advocacy.court.papers.templates import template_bytes

    for code in PAPERS:
        template_check(code, template_bytes(code))
