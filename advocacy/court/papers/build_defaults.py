"""Write the default paper templates into ``defaults/`` (run once after changing them).

``python -m advocacy.court.papers.build_defaults``: plain python-docx documents with
docxtpl placeholders, modelled loosely on the family court's standard forms; a city
replaces any of them by uploading its own in the admin.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.shared import Pt

DEFAULTS = Path(__file__).with_name("defaults")

# (paper code, title, [(label, placeholder)], closing paragraphs)
LAYOUTS = [
    (
        "petition",
        "後見・保佐・補助開始等申立書",
        [
            ("申立先", "court_name"),
            ("ケース番号", "case_number"),
            ("本人の氏名", "person_name"),
            ("ふりがな", "person_kana"),
            ("生年月日", "person_birth_date"),
            ("住所", "person_address"),
            ("申立人", "petitioner_type"),
            ("申立ての趣旨（類型）", "type_sought"),
            ("申立日", "filed_on"),
            ("後見人等候補者", "candidate_name"),
        ],
        ["作成日 {{ today }}", "{{ organisation_name }}"],
    ),
    (
        "info_sheet",
        "本人情報シート（成年後見制度用）",
        [
            ("本人の氏名", "person_name"),
            ("生年月日", "person_birth_date"),
            ("住所", "person_address"),
            ("生活の場", "living_situation"),
            ("世帯", "household_type"),
            ("本人の思い・希望", "wishes"),
            ("利用中のサービス", "current_services"),
        ],
        ["作成日 {{ today }}", "作成者 {{ organisation_name }}"],
    ),
    (
        "mayor_approval",
        "起案　市長による後見等開始の審判請求について",
        [
            ("ケース番号", "case_number"),
            ("本人の氏名", "person_name"),
            ("生年月日", "person_birth_date"),
            ("住所", "person_address"),
            ("申立ての趣旨（類型）", "type_sought"),
            ("申立先", "court_name"),
            ("親族調査の範囲（親等）", "relative_search_degree"),
            ("親族の意向", "relatives_intentions"),
            ("決裁日", "approved_on"),
        ],
        [
            "上記の者について、老人福祉法第32条等に基づき市長による審判請求を行ってよろしいか伺います。",
            "起案日 {{ today }}　{{ organisation_name }}",
        ],
    ),
    (
        "relatives_letter",
        "成年後見制度の利用についてのご意向の照会",
        [
            ("ご本人の氏名", "person_name"),
            ("ご本人の住所", "person_address"),
            ("ご回答の期限", "reply_by"),
        ],
        [
            "上記の方について、判断能力の低下により成年後見制度の利用が必要と考えております。",
            "申立てについてのご意向を、同封の回答書でお知らせください。",
            "{{ today }}　{{ organisation_name }}",
        ],
    ),
]


def build(code: str, title: str, rows: list[tuple[str, str]], closing: list[str]) -> Path:
    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(11)
    document.add_heading(title, level=1)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, name in rows:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = "{{ " + name + " }}"
    for text in closing:
        document.add_paragraph(text)
    path = DEFAULTS / f"{code}.docx"
    document.save(str(path))
    return path


# The rest of the court's petition set (decision 92): sections as the family court's
# standard forms have them, each a table; the values the case holds in their cells, blank
# rows where it holds none, for staff (or the candidate, the relatives) to fill by hand.

Section = tuple[str, list[tuple[str, str]]]  # heading, [(label, value or "")]
Grid = tuple[str, list[str], int]  # heading, column headings, blank rows


def _document(title: str, intro: list[tuple[str, str]]) -> Any:
    document = Document()
    document.styles["Normal"].font.size = Pt(10.5)
    document.add_heading(title, level=1)
    _pairs(document, intro)
    return document


def _pairs(document: Any, rows: list[tuple[str, str]]) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value


def _grid(document: Any, heading: str, columns: list[str], blank_rows: int) -> Any:
    document.add_heading(heading, level=2)
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, columns, strict=True):
        cell.text = text
    for _row in range(blank_rows):
        table.add_row()
    return table


def _sections(document: Any, sections: list[Section]) -> None:
    for heading, rows in sections:
        document.add_heading(heading, level=2)
        _pairs(document, rows)


def _field(name: str) -> str:
    return "{{ " + name + " }}"


def _save(document: Any, code: str, closing: list[str]) -> Path:
    for text in closing:
        document.add_paragraph(text)
    path = DEFAULTS / f"{code}.docx"
    document.save(str(path))
    return path


PERSON = [
    ("本人の氏名", _field("person_name")),
    ("ふりがな", _field("person_kana")),
    ("生年月日", _field("person_birth_date")),
    ("住所", _field("person_address")),
]
MADE = ["作成日 {{ today }}　{{ organisation_name }}（ケース番号 {{ case_number }}）"]


def circumstances_statement() -> Path:
    document = _document(
        "申立事情説明書（成年後見・保佐・補助）",
        [("申立先", _field("court_name")), ("ケース番号", _field("case_number"))],
    )
    _sections(
        document,
        [
            (
                "1　申立人と申立ての趣旨",
                [
                    ("申立人", _field("petitioner_type")),
                    ("申立ての趣旨（類型）", _field("type_sought")),
                ],
            ),
            ("2　本人", PERSON),
            (
                "3　本人の生活状況",
                [
                    ("生活の場", _field("living_situation")),
                    ("世帯", _field("household_type")),
                    ("利用中のサービス", _field("current_services")),
                    ("要介護認定・障害者手帳等", ""),
                ],
            ),
            (
                "4　本人の健康状態と判断能力",
                [
                    ("健康状態（診断書のとおり）", ""),
                    ("判断能力の状況", _field("capacity_notes")),
                ],
            ),
            ("5　申立てに至った経緯・理由", [("経緯・理由", _field("petition_reasons"))]),
            (
                "6　本人の意向",
                [
                    ("本人の思い・希望", _field("wishes")),
                    ("申立てについての本人の意向", ""),
                ],
            ),
            ("7　親族の意向", [("親族の意向", _field("relatives_intentions"))]),
            (
                "8　財産管理・身上保護の状況",
                [("現在、財産を管理している人", ""), ("困っていること", "")],
            ),
        ],
    )
    return _save(document, "circumstances_statement", MADE)


def relatives_diagram() -> Path:
    document = _document(
        "親族関係図",
        [*PERSON, ("申立人", _field("petitioner_type"))],
    )
    table = _grid(document, "本人の親族", ["続柄", "氏名", "親等", "申立てについての意向"], 0)
    # docxtpl repeats the row between the two tag rows once for each relative recorded.
    table.add_row().cells[0].text = "{%tr for r in relatives %}"
    row = table.add_row().cells
    for cell, key in zip(row, ("relation", "name", "degree", "intention"), strict=True):
        cell.text = "{{ r." + key + " }}"
    table.add_row().cells[0].text = "{%tr endfor %}"
    for _row in range(6):
        table.add_row()
    return _save(
        document,
        "relatives_diagram",
        [
            "記録にある親族を載せています。戸籍謄本で確かめ、記録にない推定相続人を補ってください。",
            "図にするときは本人を中心に、配偶者・子・父母・兄弟姉妹の順に書き、亡くなった方は（亡）と添えてください。",
            *MADE,
        ],
    )


def asset_inventory() -> Path:
    document = _document(
        "財産目録",
        [
            ("本人の氏名", _field("person_name")),
            ("生年月日", _field("person_birth_date")),
            ("記録されている資産（概要）", _field("assets_summary")),
            ("記録されている負債（概要）", _field("debts_summary")),
            ("資産額（利用支援事業の算定）", _field("assessed_assets")),
            ("その算定の申請日", _field("assessed_on")),
        ],
    )
    for heading, columns, rows in ASSET_GRIDS:
        _grid(document, heading, columns, rows)
    return _save(document, "asset_inventory", ["上記のとおり相違ありません。", *MADE])


ASSET_GRIDS: list[Grid] = [
    (
        "1　預貯金・現金",
        ["金融機関名", "支店名", "口座の種類", "口座番号", "残高（円）", "管理者"],
        5,
    ),
    ("2　有価証券等（株式・投資信託・国債など）", ["種類", "銘柄等", "数量", "評価額（円）"], 3),
    ("3　不動産（土地）", ["所在", "地番", "地目", "地積（㎡）", "備考"], 3),
    ("4　不動産（建物）", ["所在", "家屋番号", "種類", "床面積（㎡）", "備考"], 3),
    ("5　保険契約", ["保険会社", "保険の種類", "証書番号", "保険金額（円）", "受取人"], 3),
    ("6　その他の資産", ["種類", "内容", "評価額（円）"], 3),
    ("7　負債", ["債権者", "負債の内容", "残額（円）", "返済月額（円）"], 3),
]
INCOME_ROWS = ["厚生年金", "国民年金", "障害年金", "その他の年金", "給与", "生活保護", "その他"]
EXPENSE_ROWS = [
    "生活費（食費・日用品）",
    "住居費（家賃・管理費）",
    "施設の利用料",
    "医療費",
    "介護サービスの利用料",
    "税金",
    "保険料",
    "その他",
]


def income_plan() -> Path:
    document = _document(
        "収支予定表",
        [
            ("本人の氏名", _field("person_name")),
            ("生活の場", _field("living_situation")),
            ("記録されている収入（概要）", _field("income_summary")),
        ],
    )
    for heading, items, total in (
        ("1　本人の定期的な収入（月額）", INCOME_ROWS, "収入の合計"),
        ("2　本人の定期的な支出（月額）", EXPENSE_ROWS, "支出の合計"),
    ):
        table = _grid(document, heading, ["項目", "月額（円）", "備考"], 0)
        for item in (*items, total):
            table.add_row().cells[0].text = item
    _pairs(document, [("収支（収入の合計 − 支出の合計）", "")])
    return _save(document, "income_plan", MADE)


def candidate_statement() -> Path:
    document = _document(
        "後見人等候補者事情説明書",
        [("申立先", _field("court_name")), ("本人の氏名", _field("person_name"))],
    )
    _sections(
        document,
        [
            (
                "1　候補者",
                [
                    ("氏名", _field("candidate_name")),
                    ("職業（職種）", _field("candidate_profession")),
                    ("勤務先・事務所", _field("candidate_organisation")),
                    ("所属団体", _field("candidate_body")),
                    ("住所・連絡先", ""),
                    ("本人との関係", ""),
                ],
            ),
            ("2　候補者となった経緯", [("経緯", "")]),
            ("3　欠格事由（民法847条）に当たらないこと", [("確認", "")]),
            ("4　就任後の見通し（財産管理・身上保護の方針）", [("方針", "")]),
        ],
    )
    return _save(
        document,
        "candidate_statement",
        [
            "上記のとおり相違ありません。",
            "　　年　　月　　日　候補者　＿＿＿＿＿＿＿＿＿＿",
            "（候補者が確認し、補って署名してください。）",
            "作成の補助 {{ organisation_name }}　{{ today }}",
        ],
    )


PETITION_SET = [
    circumstances_statement,
    relatives_diagram,
    asset_inventory,
    income_plan,
    candidate_statement,
]


# The agency's own paper of the subsidy programme (decision 96): one application's decision.
SUBSIDY_NOTICE = (
    "subsidy_notice",
    "成年後見制度利用支援事業　助成の決定通知書",
    [
        ("ケース番号", "case_number"),
        ("対象者の氏名", "person_name"),
        ("対象者の住所", "person_address"),
        ("助成の種別", "subsidy_kind"),
        ("申請日", "subsidy_applied_on"),
        ("決定", "subsidy_decision"),
        ("決定日", "subsidy_decided_on"),
        ("助成額", "subsidy_amount"),
        ("適用した基準", "subsidy_fiscal_year"),
        ("予算の区分", "subsidy_budget_line"),
    ],
    [
        "上記の申請について、成年後見制度利用支援事業実施要綱に基づき、上記のとおり決定したので通知します。",
        "この決定に不服がある場合は、決定があったことを知った日の翌日から起算して3か月以内に、"
        "市長に対して審査請求をすることができます。",
        "{{ today }}　{{ organisation_name }}",
    ],
)


def main() -> None:
    DEFAULTS.mkdir(exist_ok=True)
    for layout in (*LAYOUTS, SUBSIDY_NOTICE):
        print(build(*layout))  # noqa: T201
    for builder in PETITION_SET:
        print(builder())  # noqa: T201


if __name__ == "__main__":
    main()
