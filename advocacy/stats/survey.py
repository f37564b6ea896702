"""The national survey of core agencies (成年後見制度利用促進施策に係る取組状況調査), one click.

The ministry asks each year which functions the agency performs and with what volume. This
module gives the items our records can count for a fiscal year, in the survey's order, each
with its definition and the table it comes from, and writes them as an Excel workbook.

The figures are not suppressed: the workbook goes to the ministry, not to the public. Every
sheet therefore says, on its first line, that it is not for publication (decision 78). A
year with no records gives the same workbook with zeros.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.utils import timezone

from advocacy.accounts.models import User
from advocacy.audit.actions import Action
from advocacy.audit.services import audit_record
from advocacy.cases.models import Subsidy
from advocacy.dates import fiscal_year_label, wareki
from advocacy.outreach.models import OutreachEvent
from advocacy.stats import selectors

NOT_FOR_PUBLICATION = (
    "公表不可：秘匿処理を行っていない値です（厚生労働省の調査への回答用）。"
    "このまま公表・配布しないでください。"
)
NOT_RECORDED = "この仕組みではまだ記録していない"
GROUPS = selectors.SURVEY_GROUPS


@dataclass
class Item:
    """One survey item: its number, label, figures by group (or a total), definition, source."""

    number: str
    label: str
    definition: str
    source: str
    by_group: dict[str, int] | None = None
    total: int | None = None
    # Set when the system keeps no record of the item: the cell says so instead of a figure.
    not_recorded: bool = False
    # An event kind's attendance, on a line of its own under the count.
    attendance: int | None = None

    def cells(self) -> list[object]:
        if self.not_recorded:
            return ["", "", "", NOT_RECORDED]
        if self.by_group is not None:
            values = [self.by_group.get(code, 0) for code, _label in GROUPS]
            return [*values, sum(values)]
        return ["", "", "", self.total or 0]


@dataclass
class Section:
    title: str
    items: list[Item] = field(default_factory=list)


def survey_build(*, fiscal_year: int) -> list[Section]:
    """Return the survey's sections for fiscal_year, in the survey's order."""
    consult = selectors.survey_consultations(fiscal_year)
    subsidies = selectors.survey_subsidies(fiscal_year)
    events = selectors.outreach_event_counts(fiscal_year)
    developed = selectors.guardian_development_counts(fiscal_year)
    group_note = (
        "本人の区分で分ける：知的・精神・その他の障害のいずれかがあれば障害者、"
        "なければ高齢者があれば高齢者、どちらもなければその他・不明（区分は現在の登録）。"
    )
    sections = [
        Section(
            "1 相談（相談機能）",
            [
                Item(
                    "1-1",
                    "相談の延べ件数（ケースの相談）",
                    "相談日が年度内の相談記録の件数。" + group_note,
                    "統計「相談の延べ件数と実人数」（相談記録 cases.Consultation）",
                    by_group=consult["contacts"],
                ),
                Item(
                    "1-2",
                    "うち新規相談の件数",
                    "1-1 のうち新規と判定された（または手で新規とした）相談。",
                    "統計「相談の延べ件数と実人数」（相談記録の新規・継続）",
                    by_group=consult["new"],
                ),
                Item(
                    "1-3",
                    "相談の実人数",
                    "年度内に相談のあった本人の数（一人は一度だけ数える）。",
                    "統計「相談の延べ件数と実人数」（相談記録の本人）",
                    by_group=consult["persons"],
                ),
                Item(
                    "1-4",
                    "一般相談の件数（本人を特定しない相談）",
                    "相談日が年度内の一般相談。本人を記録しないため区分では分けない。",
                    "統計「一般相談の件数」（cases.GeneralConsultation）",
                    total=selectors.survey_general_consultations(fiscal_year),
                ),
            ],
        ),
        Section(
            "2 受任調整・支援方針の決定（利用促進機能）",
            [
                Item(
                    "2-1",
                    "支援方針の決定（支援調整会議）の件数",
                    "開催日が年度内の支援方針の決定の記録。",
                    "統計「決定した方針」（cases.Decision）",
                    by_group=selectors.survey_decisions(fiscal_year),
                ),
                Item(
                    "2-2",
                    "受任調整を行ったケースの数",
                    "年度内に受任調整の依頼を専門職へ送ったケース（一ケースは一度だけ数える）。",
                    "統計「受任調整の依頼と回答」（portal.CoordinationRequest）",
                    by_group=selectors.survey_coordination_cases(fiscal_year),
                ),
            ],
        ),
        Section(
            "3 市町村長申立",
            [
                Item(
                    "3-1",
                    "市町村長申立の件数（開始の申立て）",
                    "申立人が市町村長で、申立日が年度内の開始の申立て。" + group_note,
                    "統計「申立人別・類型別の申立件数」の市町村長の行（cases.Petition）",
                    by_group=selectors.survey_mayor_petitions(fiscal_year),
                ),
            ],
        ),
        Section(
            "4 成年後見制度利用支援事業",
            [
                Item(
                    f"4-{i}",
                    f"{label}の助成（支給決定の件数）",
                    "決定日が年度内で、支給決定となった申請。基準で算定した申請は予算の区分"
                    "（高齢・障害・その他）で分け、算定のない申請は本人の区分で分ける。",
                    "統計「利用支援事業の申請」（cases.Subsidy、算定は court.SubsidyAssessment）",
                    by_group=subsidies[kind],
                )
                for i, (kind, label) in enumerate(Subsidy.Kind.choices, start=1)
            ],
        ),
        Section(
            "5 広報・研修（広報機能）",
            [
                Item(
                    f"5-{i}",
                    f"{label}（開催回数）",
                    "開催日が年度内の広報啓発・研修の記録。参加者数は対象別の人数の合計。",
                    "統計「広報啓発・研修の開催」（outreach.OutreachEvent）",
                    total=events.get((kind, "events"), 0),
                    attendance=events.get((kind, "attendance"), 0),
                )
                for i, (kind, label) in enumerate(OutreachEvent.Kind.choices, start=1)
            ],
        ),
        Section(
            "6 市民後見人・法人後見（担い手の育成）",
            [
                Item(
                    "6-1",
                    "市民後見人養成研修の受講者数",
                    "開講日が年度内の養成研修の受講者（中途辞退を含む）。",
                    "統計「市民後見人の養成と選任」（outreach.Trainee）",
                    total=developed[("trainees", "n")],
                ),
                Item(
                    "6-2",
                    "市民後見人養成研修の修了者数",
                    "修了日が年度内の受講者（出席が修了の要件を満たした人）。",
                    "統計「市民後見人の養成と選任」（outreach.Trainee）",
                    total=developed[("completed", "n")],
                ),
                Item(
                    "6-3",
                    "市民後見人名簿への登録者数",
                    "名簿登録日が年度内の修了者（受任候補者として登録した人）。",
                    "統計「市民後見人の養成と選任」（outreach.Trainee）",
                    total=developed[("registered", "n")],
                ),
                Item(
                    "6-4",
                    "市民後見人として選任された件数",
                    "選任日が年度内の後見人等の選任のうち、職種が市民後見人のもの（交代・追加を含む）。",
                    "統計「選任された後見人等の職種」（cases.GuardianAppointment）",
                    total=developed[("citizen_appointed", "n")],
                ),
                Item(
                    "6-5",
                    "法人後見として選任された件数",
                    "選任日が年度内の後見人等の選任のうち、職種が法人後見のもの（交代・追加を含む）。",
                    "統計「選任された後見人等の職種」（cases.GuardianAppointment）",
                    total=developed[("corporate_appointed", "n")],
                ),
            ],
        ),
    ]
    return sections


HEADER = ["番号", "項目", *[label for _code, label in GROUPS], "計", "定義", "出典（表）"]


def survey_xlsx(*, fiscal_year: int, sections: list[Section]) -> bytes:
    """Write the survey as a workbook: a cover sheet, then one sheet per section."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    cover = book.active
    cover.title = "表紙"
    made = timezone.localtime()
    for row in [
        [NOT_FOR_PUBLICATION],
        [f"成年後見制度利用促進施策に係る取組状況調査　{fiscal_year_label(fiscal_year)}"],
        [f"作成日：{wareki(made.date())}"],
        [
            "この仕組みの記録から数えられる項目だけを載せています。各項目の定義と出典は各シートにあります。"
        ],
        [f"「{NOT_RECORDED}」の項目は、調査票には手で記入してください。"],
    ]:
        cover.append(row)
    cover["A1"].font = Font(bold=True, color="C00000")
    for index, section in enumerate(sections, start=1):
        sheet = book.create_sheet(title=f"{index}")
        sheet.append([NOT_FOR_PUBLICATION])
        sheet["A1"].font = Font(bold=True, color="C00000")
        sheet.append([section.title])
        sheet.append(HEADER)
        for item in section.items:
            sheet.append([item.number, item.label, *item.cells(), item.definition, item.source])
            if item.attendance is not None:
                sheet.append(
                    [f"{item.number}a", "　参加者数", "", "", "", item.attendance, "", item.source]
                )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def survey_export_record(
    *, actor: User, fiscal_year: int, request: HttpRequest | None = None
) -> None:
    """Record that actor downloaded the year's survey workbook (unsuppressed figures)."""
    audit_record(
        actor=actor, action=Action.SURVEY_EXPORTED, label=f"FY{fiscal_year} survey", request=request
    )
