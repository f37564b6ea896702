"""Write the default paper templates into ``defaults/`` (run once after changing them).

``python -m advocacy.court.papers.build_defaults``: plain python-docx documents with
docxtpl placeholders, modelled loosely on the family court's standard forms; a city
replaces any of them by uploading its own in the admin.
"""

from __future__ import annotations

from pathlib import Path

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


def main() -> None:
    DEFAULTS.mkdir(exist_ok=True)
    for layout in LAYOUTS:
        print(build(*layout))  # noqa: T201


if __name__ == "__main__":
    main()
