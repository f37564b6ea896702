"""Ledger workbooks built with openpyxl for the tests; every person is invented."""

from __future__ import annotations

import io
import json

from openpyxl import Workbook

# A city's ledger: a merged group header over two header rows, 和暦 dates as text, the
# city's own words for areas and statuses.
HEADER_TOP = [
    "番号",
    "本人",
    None,
    None,
    None,
    "地区",
    "対象者",
    "経路",
    "日付",
    None,
    None,
    None,
    "類型",
    "受任者",
    "状況",
    "備考",
    "生活場所",
    "世帯構成",
    "申立人区分",
    "決裁日",
]
HEADER = [
    None,
    "氏名",
    "フリガナ",
    "生年月日",
    "性別",
    None,
    None,
    None,
    "受付日",
    "ケース会議",
    "申立",
    "審判",
    None,
    None,
    None,
    None,
    None,
    None,
    None,
    None,
]
MERGES = [
    "A1:A2",
    "B1:E1",
    "F1:F2",
    "G1:G2",
    "H1:H2",
    "I1:L1",
    "M1:M2",
    "N1:N2",
    "O1:O2",
    "P1:P2",
    "Q1:Q2",
    "R1:R2",
    "S1:S2",
    "T1:T2",
]

MAPPING = {
    "title": "テスト市 相談台帳",
    "header_rows": 2,
    "columns": {
        "case_number": "番号",
        "name": "氏名",
        "kana": "フリガナ",
        "birth_date": "生年月日",
        "sex": "性別",
        "area": "地区",
        "category": "対象者",
        "referrer": "経路",
        "consulted_on": "受付日",
        "conference_on": "ケース会議",
        "petition_on": "申立",
        "ruling_on": "審判",
        "type": "類型",
        "profession": "受任者",
        "status": "状況",
        "notes": "備考",
        "living_situation": "生活場所",
        "household_type": "世帯構成",
        "petitioner": "申立人区分",
        "approved_on": "決裁日",
    },
    "areas": {"たかしま北": "takashima"},
    "statuses": {"相談対応中": "consultation", "後見人支援中": "guardian_support"},
    "referrers": {"ケアマネ": "care_manager", "包括": "community_centre"},
    "living_situations": {"特養": "facility"},
    "petitioners": {"長女": "relative"},
}


def row(
    number,
    name="架空 一子",
    kana="ｶｸｳ ｲﾁｺ",
    birth="昭和20年",
    sex="女",
    area="たかしま北",
    category="",
    referrer="ケアマネ",
    consulted="R5.4.1",
    conference=None,
    petition=None,
    ruling=None,
    kind=None,
    profession=None,
    status=None,
    notes="架空の備考",
    living=None,
    household=None,
    petitioner=None,
    approved=None,
):
    return [
        number,
        name,
        kana,
        birth,
        sex,
        area,
        category,
        referrer,
        consulted,
        conference,
        petition,
        ruling,
        kind,
        profession,
        status,
        notes,
        living,
        household,
        petitioner,
        approved,
    ]


def book(rows, *, sheets=None) -> bytes:
    """Return the bytes of a ledger with rows (or {sheet title: rows})."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, sheet_rows in (sheets or {"R5": rows}).items():
        sheet = workbook.create_sheet(title)
        sheet.append(HEADER_TOP)
        sheet.append(HEADER)
        for merged in MERGES:
            sheet.merge_cells(merged)
        for values in sheet_rows:
            sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def mapping_json(**changes) -> str:
    return json.dumps({**MAPPING, **changes}, ensure_ascii=False)
