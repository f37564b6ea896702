"""The demo's old Excel ledger: invented rows as a city keeps them, imported on first load.

The workbook is built in memory in the city's own shape (和暦 dates typed as text, a
merged group header, the city's words for areas and statuses) and imported through the
ledger service as the city's supervisor, with the mapping stored for the screen. Running
it again imports nothing (the ledger's case numbers are already in).
"""

from __future__ import annotations

import io
from typing import Any

from faker import Faker
from openpyxl import Workbook

from advocacy.accounts.models import User
from advocacy.ledger import services
from advocacy.ledger.mapping import mapping_from_json
from advocacy.ledger.models import LedgerMapping

HEADER_TOP = [
    "台帳番号",
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
]
MERGES = ["A1:A2", "B1:E1", "F1:F2", "G1:G2", "H1:H2", "I1:L1", "M1:M2", "N1:N2", "O1:O2", "P1:P2"]

MAPPING: dict[str, Any] = {
    "title": "高島市 成年後見相談台帳（旧 Excel）",
    "header_rows": 2,
    "columns": {
        "case_number": "台帳番号",
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
    },
    "areas": {
        "マキノ町": "makino",
        "今津町": "imazu",
        "安曇川町": "adogawa",
        "高島町": "takashima",
    },
    "categories": {"高齢": "elderly", "知的": "intellectual", "精神": "mental"},
    "referrers": {"包括": "community_centre", "ケアマネ": "care_manager", "病院": "hospital"},
    "statuses": {"相談中": "consultation", "後見人支援中": "guardian_support", "終結": "closed"},
}

# (number, area, category, referrer, consulted, conference, petition, ruling, type,
#  profession, status)
ROWS = [
    (
        "H30-001",
        "今津町",
        "高齢",
        "包括",
        "H30.5.14",
        "H30.6.20",
        "H30.8.1",
        "H30.10.15",
        "後見",
        "司法書士",
        "後見人支援中",
    ),
    ("H30-002", "マキノ町", "知的", "ケアマネ", "H30/7/2", None, None, None, None, None, "終結"),
    (
        "R2-003",
        "安曇川町",
        "高齢",
        "病院",
        "令和2年9月1日",
        "令和2年10月5日",
        "令和2年12月1日",
        "令和3年2月10日",
        "保佐",
        "社会福祉士",
        "後見人支援中",
    ),
    ("R4-004", "高島町", "精神", "包括", "R4.11.8", "R4.12.14", None, None, "補助", None, None),
    ("R5-005", "今津町", "高齢", "ケアマネ", "R5.6.19", None, None, None, None, None, "相談中"),
    (
        "R6-006",
        "安曇川町",
        "知的・高齢",
        "包括",
        "R6.4.22",
        "R6.5.30",
        "R6.7.1",
        "R6.9.20",
        "後見",
        "市民後見人",
        None,
    ),
]


def _workbook(fake: Faker) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "H30-R6"
    sheet.append(HEADER_TOP)
    sheet.append(HEADER)
    for merged in MERGES:
        sheet.merge_cells(merged)
    for (
        number,
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
    ) in ROWS:
        sex = fake.random_element(["女", "男"])
        last, last_kana, _r = fake.last_name_pair()
        first, first_kana, _r = (
            fake.first_name_female_pair() if sex == "女" else fake.first_name_male_pair()
        )
        birth = (
            f"昭和{fake.random_int(5, 40)}年{fake.random_int(1, 12)}月{fake.random_int(1, 28)}日"
        )
        closed = "R1.9.30" if status == "終結" else None
        sheet.append(
            [
                number,
                f"{last}　{first}",
                f"{last_kana} {first_kana}",
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
                "（架空）旧台帳からの移行",
            ]
        )
        if closed:
            sheet.cell(row=sheet.max_row, column=17, value=closed)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def demo_ledger_load(*, supervisor: User, seed: int = 16) -> int:
    """Import the invented ledger as supervisor; return how many cases it created."""
    fake = Faker("ja_JP")
    fake.seed_instance(seed)
    mapping_data = {**MAPPING, "columns": {**MAPPING["columns"], "closed_on": "Q"}}
    mapping = mapping_from_json(mapping_data)
    LedgerMapping.objects.update_or_create(
        organisation=supervisor.organisation, defaults={"data": mapping.to_json()}
    )
    ledger_import, _check = services.ledger_import_run(
        actor=supervisor, data=_workbook(fake), mapping=mapping
    )
    return ledger_import.cases_created
