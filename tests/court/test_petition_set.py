"""The rest of the court's petition set — 申立事情説明書, 親族関係図, 財産目録, 収支予定表,
候補者事情説明書 — filled from the case's records in their cells, nothing of another case,
in Word and PDF; the finances' papers only for who may see the finances; the petition
step's page lists the papers with their state; a city's template for each is checked."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
from http import HTTPStatus

import docx
import pytest
from django.core.exceptions import ValidationError

from advocacy.access import services as access
from advocacy.access.selectors import CHANGE, VIEW
from advocacy.accounts.models import Organisation
from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Assessment, Decision, Petition
from advocacy.court.models import PaperTemplate, SubsidyRule
from advocacy.court.papers.catalogue import PAPERS
from advocacy.court.papers.templates import template_check
from advocacy.dates import wareki
from advocacy.portal import services as portal
from advocacy.reference.models import FamilyCourt, GuardianshipType
from tests import factories
from tests.portal.conftest import summary_for
from tests.workflows.conftest import Walker, open_names, open_task, process_of, url
from tests.workflows.test_coordination import _to_matching

from .conftest import client_for, subsidy_assessed

pytestmark = pytest.mark.django_db

NEW_PAPERS = [
    "circumstances_statement",
    "relatives_diagram",
    "asset_inventory",
    "income_plan",
    "candidate_statement",
]

# This case's values; OTHER holds the other case's, none of which may appear.
THIS = {
    "name": "紙野 千代",
    "wishes": "架空の海辺の家で暮らし続けたい",
    "services": "架空デイサービス週2回",
    "capacity": "架空の金銭管理が難しい状態",
    "reasons": "架空の預金管理と施設契約のため",
    "intentions": "架空の長男は市長申立てに賛成",
    "assets": "架空銀行 普通預金 約300万円",
    "debts": "架空の医療費未払い 2万円",
    "income": "架空の老齢厚生年金 月12万円",
    "relative": "紙野 一郎",
    "relative_contact": "090-0000-1111",
    "candidate_last": "候補",
    "candidate_first": "正子",
    "candidate_office": "架空みなと法律事務所",
    "candidate_body": "架空県弁護士会",
}
OTHER = {
    "name": "別件 太郎",
    "wishes": "別件の山の家に戻りたい",
    "services": "別件ヘルパー毎日",
    "capacity": "別件の判断能力",
    "reasons": "別件の不動産売却のため",
    "intentions": "別件の長女は反対",
    "assets": "別件信用金庫 定期預金 約900万円",
    "debts": "別件の借入金 50万円",
    "income": "別件の障害年金 月7万円",
    "relative": "別件 次郎",
    "relative_contact": "090-0000-2222",
    "candidate_last": "別件",
    "candidate_first": "晴彦",
    "candidate_office": "別件司法書士事務所",
    "candidate_body": "別件司法書士会",
}
ASSESSED_YEN = 3_000_000
APPLIED = datetime.date(2026, 4, 15)


def _court():
    return FamilyCourt.objects.filter(active=True).order_by("sort_order").first()


def _candidate(values, profession):
    office = factories.organisation(
        kind=Organisation.Kind.PROFESSIONAL_BODY, name=values["candidate_office"]
    )
    account = factories.professional_user(profession=profession, organisation=office)
    account.last_name, account.first_name = values["candidate_last"], values["candidate_first"]
    account.save(update_fields=["last_name", "first_name"])
    account.professional.registration_body = values["candidate_body"]
    account.professional.save(update_fields=["registration_body"])
    return account


def _accept(worker, case, candidate):
    request = portal.request_send(
        actor=worker,
        case=case,
        professional=candidate.professional,
        need="legal",
        summary=summary_for(case),
        portal_url="http://testserver/app/portal/",
    )
    portal.request_accept(actor=candidate, request=request)


def _records(worker, values, *, profession, assets_yen=None):
    """A case with a petition, a decision, an assessment, finances, relatives, a candidate."""
    case = factories.case_for(
        worker,
        name=values["name"],
        living_situation="facility",
        household_type="alone",
        wishes=values["wishes"],
        current_services=values["services"],
        assets=values["assets"],
        debts=values["debts"],
        income=values["income"],
        relatives=[
            {
                "name": values["relative"],
                "relation": "長男",
                "degree": 1,
                "contact": values["relative_contact"],
                "intention": values["intentions"],
            },
            {"name": values["relative"] + "の妹", "relation": "妹", "degree": 2},
        ],
    )
    guardianship = GuardianshipType.objects.get(code="guardianship", active=True)
    factories.case_record(
        worker,
        case,
        Assessment(assessed_on=datetime.date(2026, 4, 12), capacity_notes=values["capacity"]),
    )
    factories.case_record(
        worker,
        case,
        Decision(
            held_on=datetime.date(2026, 4, 14),
            participants="架空の参加者",
            outcome="guardianship",
            guardianship_type=guardianship,
            petitioner_type="mayor",
            reasons=values["reasons"],
        ),
    )
    factories.case_record(
        worker,
        case,
        Petition(
            petitioner_type="mayor",
            relative_search_degree=2,
            relatives_intentions=values["intentions"],
            court=_court(),
            type_sought=guardianship,
        ),
    )
    if assets_yen is not None:
        subsidy_assessed(
            worker,
            case,
            applied_on=APPLIED,
            kind="petition_cost",
            basis="non_taxed",
            assets_yen=assets_yen,
            residence="facility",
            filing_fee_yen=3_400,
        )
    candidate = _candidate(values, profession)
    _accept(worker, case, candidate)
    return case


@pytest.fixture
def rule(db):
    return SubsidyRule.objects.create(
        fiscal_year=2026,
        asset_ceiling_yen=5_000_000,
        monthly_cap_home_yen=28_000,
        monthly_cap_facility_yen=18_000,
    )


@pytest.fixture
def set_case(worker, rule):
    case = _records(worker, THIS, profession="lawyer", assets_yen=ASSESSED_YEN)
    _records(worker, OTHER, profession="judicial_scrivener", assets_yen=9_000_000)
    return case


def fetch(user, case, code, fmt="docx"):
    return client_for(user).get(f"/app/court/cases/{case.pk}/papers/{code}.{fmt}")


def paper_bytes(user, case, code) -> bytes:
    response = fetch(user, case, code)
    assert response.status_code == HTTPStatus.OK, code
    return b"".join(response.streaming_content)


def pairs(data: bytes) -> dict[str, str]:
    """Every two-column table's label → value, across the document."""
    found = {}
    for table in docx.Document(io.BytesIO(data)).tables:
        if len(table.columns) == 2:
            found.update({row.cells[0].text: row.cells[1].text for row in table.rows})
    return found


def grid(data: bytes, first_heading: str) -> list[list[str]]:
    """The rows of the table whose heading row starts with first_heading."""
    for table in docx.Document(io.BytesIO(data)).tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows[0][0] == first_heading:
            return rows
    raise AssertionError(f"no table headed {first_heading}")


def all_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def pdf_text(pdf: bytes) -> str:
    """The PDF's text in reading order, without the spaces and line breaks the layout adds
    (a cell's text wraps, and pdftotext spaces digits apart from kanji)."""
    text = subprocess.run(  # noqa: S603
        [shutil.which("pdftotext") or "/usr/bin/pdftotext", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return re.sub(r"\s+", "", text)


def assert_no_other_case(text: str) -> None:
    leaked = [key for key, value in OTHER.items() if value in text]
    assert not leaked, f"the other case's {leaked}"


def test_the_circumstances_statement_holds_the_cases_values_in_their_cells(worker, set_case):
    data = paper_bytes(worker, set_case, "circumstances_statement")
    cells = pairs(data)
    assert cells["申立先"] == str(_court())
    assert cells["申立人"] == "市町村長"
    assert cells["申立ての趣旨（類型）"] == "後見"
    assert cells["本人の氏名"] == THIS["name"]
    assert cells["生活の場"] == "施設" and cells["世帯"] == "単身"
    assert cells["利用中のサービス"] == THIS["services"]
    assert cells["判断能力の状況"] == THIS["capacity"]
    assert cells["経緯・理由"] == THIS["reasons"]
    assert cells["本人の思い・希望"] == THIS["wishes"]
    assert cells["親族の意向"] == THIS["intentions"]
    # What the records do not hold is left for staff to write.
    assert cells["申立てについての本人の意向"] == "" and cells["健康状態（診断書のとおり）"] == ""
    assert_no_other_case(all_text(data))


def test_the_relatives_diagram_lists_the_relatives_recorded_and_blank_rows(worker, set_case):
    data = paper_bytes(worker, set_case, "relatives_diagram")
    assert pairs(data)["申立人"] == "市町村長"
    rows = grid(data, "続柄")
    assert rows[1] == ["長男", THIS["relative"], "1", THIS["intentions"]]
    assert rows[2] == ["妹", THIS["relative"] + "の妹", "2", ""]
    assert rows[3:] == [[""] * 4] * 6  # for the relatives the 戸籍 shows
    text = all_text(data)
    assert THIS["relative_contact"] not in text  # the contact is not the court's business
    assert "{%" not in text and "r.name" not in text
    assert_no_other_case(text)


def test_the_asset_inventory_holds_the_recorded_assets_and_blank_sections(worker, set_case):
    data = paper_bytes(worker, set_case, "asset_inventory")
    cells = pairs(data)
    assert cells["記録されている資産（概要）"] == THIS["assets"]
    assert cells["記録されている負債（概要）"] == THIS["debts"]
    assert cells["資産額（利用支援事業の算定）"] == "3,000,000円"
    assert cells["その算定の申請日"] == wareki(APPLIED)
    deposits = grid(data, "金融機関名")
    assert deposits[0][-1] == "管理者" and deposits[1:] == [[""] * 6] * 5
    assert_no_other_case(all_text(data))


def test_the_asset_inventory_leaves_the_assessed_amount_blank_without_an_assessment(worker):
    case = _records(worker, THIS, profession="lawyer")
    cells = pairs(paper_bytes(worker, case, "asset_inventory"))
    assert cells["資産額（利用支援事業の算定）"] == "" and cells["その算定の申請日"] == ""
    assert cells["記録されている資産（概要）"] == THIS["assets"]


def test_the_income_plan_holds_the_recorded_income_and_rows_to_fill(worker, set_case):
    data = paper_bytes(worker, set_case, "income_plan")
    cells = pairs(data)
    assert cells["記録されている収入（概要）"] == THIS["income"]
    assert cells["生活の場"] == "施設"
    income, expenses = [rows for rows in _grids(data) if rows[0] == ["項目", "月額（円）", "備考"]]
    assert income[1] == ["厚生年金", "", ""] and income[-1] == ["収入の合計", "", ""]
    assert ["施設の利用料", "", ""] in expenses and expenses[-1] == ["支出の合計", "", ""]
    assert_no_other_case(all_text(data))


def _grids(data: bytes) -> list[list[list[str]]]:
    return [
        [[cell.text for cell in row.cells] for row in table.rows]
        for table in docx.Document(io.BytesIO(data)).tables
    ]


def test_the_candidate_statement_names_the_candidate_who_accepted(worker, set_case):
    data = paper_bytes(worker, set_case, "candidate_statement")
    cells = pairs(data)
    assert cells["氏名"] == f"{THIS['candidate_last']} {THIS['candidate_first']}"
    assert cells["職業（職種）"] == "弁護士"
    assert cells["勤務先・事務所"] == THIS["candidate_office"]
    assert cells["所属団体"] == THIS["candidate_body"]
    assert cells["住所・連絡先"] == ""  # the candidate writes it
    assert_no_other_case(all_text(data))


def test_the_petition_names_the_accepted_candidate_before_any_appointment(worker, set_case):
    cells = pairs(paper_bytes(worker, set_case, "petition"))
    assert cells["後見人等候補者"] == f"{THIS['candidate_last']} {THIS['candidate_first']}"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("circumstances_statement", ["reasons", "capacity", "wishes"]),
        ("relatives_diagram", ["relative", "intentions"]),
        ("asset_inventory", ["assets", "debts"]),
        ("income_plan", ["income"]),
        ("candidate_statement", ["candidate_office", "candidate_body"]),
    ],
)
def test_the_pdf_of_each_paper_holds_its_values_and_none_of_the_other_case(
    worker, set_case, code, expected
):
    response = fetch(worker, set_case, code, "pdf")
    assert response.status_code == HTTPStatus.OK and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(f'{set_case.number}_{code}.pdf"')
    text = pdf_text(b"".join(response.streaming_content))
    assert _bare(THIS["name"]) in text
    for key in expected:
        assert _bare(THIS[key]) in text, key
    leaked = [key for key, value in OTHER.items() if _bare(value) in text]
    assert not leaked, f"the other case's {leaked}"


def _bare(value: str) -> str:
    return re.sub(r"\s+", "", value)


@pytest.mark.parametrize("code", NEW_PAPERS)
def test_each_paper_is_audited_naming_the_fields_never_the_values(worker, set_case, code):
    paper_bytes(worker, set_case, code)
    event = AuditEvent.objects.get(action=Action.PAPER_GENERATED)
    assert event.object_id == str(set_case.pk) and code in event.label
    assert "Person.name" in event.fields_read
    assert THIS["name"] not in str(event.__dict__)


def test_the_audit_names_what_each_paper_decrypted(worker, set_case):
    expected = {
        "relatives_diagram": "Person.relatives",
        "asset_inventory": "SubsidyAssessment.assets_yen",
        "income_plan": "Person.income",
        "circumstances_statement": "Decision.reasons",
    }
    for code, field in expected.items():
        paper_bytes(worker, set_case, code)
        event = AuditEvent.objects.filter(action=Action.PAPER_GENERATED).order_by("-pk").first()
        assert field in event.fields_read, code
    # A paper without finances decrypts none.
    paper_bytes(worker, set_case, "candidate_statement")
    event = AuditEvent.objects.filter(action=Action.PAPER_GENERATED).order_by("-pk").first()
    assert not {"Person.assets", "Person.income"} & set(event.fields_read)


@pytest.fixture
def no_finances_worker(set_case, worker, city):
    """A caseworker of the city granted the case without its finances."""
    colleague = factories.user(Role.CITY_CASEWORKER, organisation=city)
    access.grant(
        actor=worker,
        case=set_case,
        user=colleague,
        permissions={VIEW, CHANGE},
        reason="担当の追加（テスト）",
    )
    return colleague


@pytest.mark.parametrize("code", ["asset_inventory", "income_plan"])
def test_the_finances_papers_are_refused_without_the_finances_permission(
    no_finances_worker, set_case, code
):
    for fmt in ("docx", "pdf"):
        response = fetch(no_finances_worker, set_case, code, fmt)
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert THIS["assets"].encode() not in response.content
    assert not AuditEvent.objects.filter(action=Action.PAPER_GENERATED).exists()
    # The other papers are theirs to make, and the panel offers only those.
    assert fetch(no_finances_worker, set_case, "candidate_statement").status_code == HTTPStatus.OK
    page = client_for(no_finances_worker).get(f"/app/cases/{set_case.pk}/").content.decode()
    assert f"/papers/{code}.docx" not in page
    assert "/papers/candidate_statement.docx" in page


# The petition step's page


@pytest.fixture
def at_petition(users_by_role, worker, pro):
    """A case walked to the petition step: decided, candidate accepted in the portal."""
    case = factories.case_for(worker, name=THIS["name"])
    walker = Walker()
    walker.start(worker, case)
    walker.step(worker, case, "consultation", "intake")
    walker.step(worker, case, "consultation", "triage", {"outcome": "coordination"})
    process_of(case, "coordination")
    _to_matching(walker, worker, users_by_role["city_supervisor"], case, "mayor")
    _accept(worker, case, pro)
    assert open_names(case) == ["petition"]
    return case


def _rows(html: str) -> dict[str, str]:
    """data-paper → the row's HTML, for the papers the system writes."""
    rows = {}
    for chunk in html.split('data-testid="paper"')[1:]:
        row = chunk.split("</tr>")[0]
        if 'data-paper="' in row:
            rows[row.split('data-paper="')[1].split('"')[0]] = row
        else:
            rows[row.split("<td>")[1].split("</td>")[0]] = row
    return rows


def test_the_petition_steps_page_lists_the_papers_with_their_state(worker, at_petition):
    task = open_task(at_petition, "coordination", "petition")
    client = client_for(worker)
    client.post(url(task, "assign"))
    response = client.get(url(task, "execute"))
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert 'data-testid="task-papers"' in html
    rows = _rows(html)
    for code in ["petition", *NEW_PAPERS, "info_sheet", "mayor_approval", "relatives_letter"]:
        assert f"/app/court/cases/{at_petition.pk}/papers/{code}.docx" in rows[code], code
        assert f"/app/court/cases/{at_petition.pk}/papers/{code}.pdf" in rows[code], code
    # Nothing gathered yet; who else must supply what the system cannot write.
    assert all('data-ready="no"' in row for row in rows.values())
    assert "医師" in rows["診断書"] and "Word" not in rows["診断書"]
    assert "戸籍と親族で補う" in rows["relatives_diagram"]
    assert "候補者" in rows["candidate_statement"]
    assert THIS["name"] not in html.split('data-testid="task-papers"')[1].split("</div>")[0]


def test_the_papers_gathered_show_as_gathered_on_the_step(worker, at_petition):
    petition = Petition.objects.get(case=at_petition)
    Petition.objects.filter(pk=petition.pk).update(
        documents=["medical_certificate", "relatives_diagram"]
    )
    task = open_task(at_petition, "coordination", "petition")
    client = client_for(worker)
    client.post(url(task, "assign"))
    rows = _rows(client.get(url(task, "execute")).content.decode())
    assert 'data-ready="yes"' in rows["診断書"] and 'data-ready="yes"' in rows["relatives_diagram"]
    assert 'data-ready="no"' in rows["asset_inventory"]


def test_other_steps_pages_have_no_papers(worker, users_by_role):
    case = factories.case_for(worker)
    walker = Walker()
    walker.start(worker, case)
    walker.step(worker, case, "consultation", "intake")
    walker.step(worker, case, "consultation", "triage", {"outcome": "coordination"})
    task = open_task(case, "coordination", "assessment")
    html = walker.task_form(worker, task).content.decode()
    assert 'data-testid="task-papers"' not in html


# A city's templates for the new papers

# Each new paper's required placeholders, written out, and the first of them by name.
BAD_TEMPLATES = {
    code: (
        " ".join("{{ " + name + " }}" for name in PAPERS[code].required),
        sorted(PAPERS[code].required)[0],
    )
    for code in NEW_PAPERS
}


def docx_with(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("code", NEW_PAPERS)
def test_a_template_using_every_required_placeholder_passes(code):
    required, _first = BAD_TEMPLATES[code]
    assert template_check(code, docx_with(required)) == set(PAPERS[code].required)


@pytest.mark.parametrize("code", NEW_PAPERS)
def test_an_unknown_placeholder_is_refused_naming_it(code):
    required, _first = BAD_TEMPLATES[code]
    with pytest.raises(ValidationError, match="使えない差し込み項目があります: person_mynumber"):
        template_check(code, docx_with(required, "{{ person_mynumber }}"))


@pytest.mark.parametrize("code", NEW_PAPERS)
def test_a_missing_required_placeholder_is_refused_naming_it(code):
    required, first = BAD_TEMPLATES[code]
    without = required.replace("{{ " + first + " }}", "")
    with pytest.raises(ValidationError, match=f"必要な差し込み項目がありません: {first}"):
        template_check(code, docx_with(without))


def test_a_relatives_column_the_paper_does_not_have_is_refused():
    with pytest.raises(ValidationError, match="埋められない差し込み項目があります"):
        template_check(
            "relatives_diagram",
            docx_with("{{ person_name }}", "{% for r in relatives %}{{ r.address }}{% endfor %}"),
        )
    assert template_check(
        "relatives_diagram",
        docx_with("{{ person_name }}", "{% for r in relatives %}{{ r.name }}{% endfor %}"),
    ) == {"person_name", "relatives"}


def admin_upload(client, code: str, data: bytes):
    upload = io.BytesIO(data)
    upload.name = f"{code}.docx"
    return client.post("/admin/court/papertemplate/add/", {"code": code, "upload": upload})


@pytest.mark.parametrize("code", NEW_PAPERS)
def test_the_system_administrator_is_told_what_is_wrong_and_a_good_upload_is_used(
    users_by_role, worker, set_case, code
):
    admin = client_for(users_by_role["system_admin"])
    required, first = BAD_TEMPLATES[code]
    unknown = admin_upload(admin, code, docx_with(required, "{{ person_mynumber }}"))
    assert unknown.status_code == HTTPStatus.OK
    assert "使えない差し込み項目があります: person_mynumber" in unknown.content.decode()
    missing = admin_upload(admin, code, docx_with(required.replace("{{ " + first + " }}", "")))
    assert f"必要な差し込み項目がありません: {first}" in missing.content.decode()
    assert not PaperTemplate.objects.exists()

    accepted = admin_upload(admin, code, docx_with("市独自の様式", required))
    assert accepted.status_code == HTTPStatus.FOUND
    text = all_text(paper_bytes(worker, set_case, code))
    assert text.startswith("市独自の様式") and THIS["name"] in text
