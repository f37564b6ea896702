"""The committee's yearly report: tables, suppression, releases, exports."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from advocacy.accounts.models import Professional, User
from advocacy.audit.actions import Action
from advocacy.audit.services import audit_record
from advocacy.cases.models import (
    Case,
    Consultation,
    Contact,
    Decision,
    GeneralConsultation,
    GuardianAppointment,
    Person,
    Petition,
    Subsidy,
    TeamMeeting,
)
from advocacy.cases.models.records import PetitionerType
from advocacy.court.models import Flag
from advocacy.dates import fiscal_year_label, fiscal_year_of, wareki
from advocacy.meetings.models import Meeting, Member
from advocacy.outreach.models import Feedback, OutreachEvent
from advocacy.portal.models import CoordinationRequest
from advocacy.stats import selectors
from advocacy.stats.models import NationalFigure, Release
from advocacy.stats.suppression import Earlier, Grid, suppress

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

HIDDEN = "＊"
TOTAL = "_total"
CONSULTATION_GROUP = "consultations"
YEARS_IN_CHART = 5


def threshold() -> int:
    """Return k: counts 1..k−1 are never published."""
    return int(getattr(settings, "ADVOCACY_STATS_K", 5))


@dataclass
class Table:
    """One published table: labels, the counts behind it, and which cells are hidden."""

    key: str
    title: str
    rows: list[tuple[str, str]]
    cols: list[tuple[str, str]]
    grid: Grid
    note: str = ""
    unit: str = "件"
    # A table whose cells follow another's pattern (yen beside counts) is not suppressed itself.
    follows: Table | None = None

    @property
    def has_total_col(self) -> bool:
        return self.grid.row_totals

    @property
    def has_total_row(self) -> bool:
        return self.grid.col_totals

    def header(self) -> list[str]:
        return [str(label) for _c, label in self.cols] + (["計"] if self.has_total_col else [])

    def body(self) -> list[tuple[str, list[str]]]:
        """Return (row label, shown cells) for every row, the total row last."""
        hidden = (self.follows or self).grid.hidden
        ext = self.grid.extended()
        labels = [str(label) for _c, label in self.rows] + (["計"] if self.has_total_row else [])
        out = []
        for r, label in enumerate(labels):
            shown = [HIDDEN if (r, c) in hidden else f"{value:,}" for c, value in enumerate(ext[r])]
            out.append((label, shown))
        return out

    def bars(self) -> list[tuple[str, str, int]]:
        """Return (label, shown value, width %) per row for a plain-CSS bar chart."""
        hidden = (self.follows or self).grid.hidden
        ext = self.grid.extended()
        last = len(ext[0]) - 1
        values = [None if (r, last) in hidden else ext[r][last] for r in range(self.grid.n_rows)]
        top = max([v for v in values if v is not None] or [0]) or 1
        return [
            (
                str(label),
                HIDDEN if v is None else f"{v:,}",
                0 if v is None else round(100 * v / top),
            )
            for (_code, label), v in zip(self.rows, values, strict=True)
        ]

    def display(self) -> list[tuple[str, list[str], int | None]]:
        """Return (label, shown cells, bar width or None) per row, for the screen."""
        # No bar beside yen (they follow the counts) or beside a single figure (nothing to
        # compare it with).
        charted = self.follows is None and len(self.rows) > 1
        widths = [w for _l, _v, w in self.bars()] if charted else []
        return [
            (label, cells, widths[i] if i < len(widths) else None)
            for i, (label, cells) in enumerate(self.body())
        ]

    def hidden_codes(self) -> list[list[str]]:
        row_codes = [code for code, _l in self.rows] + [TOTAL]
        col_codes = [code for code, _l in self.cols] + [TOTAL]
        return sorted([row_codes[r], col_codes[c]] for r, c in self.grid.hidden)

    def cells_from_codes(self, codes) -> set[tuple[int, int]]:
        row_index = {code: i for i, (code, _l) in enumerate(self.rows)}
        col_index = {code: i for i, (code, _l) in enumerate(self.cols)}
        row_index[TOTAL], col_index[TOTAL] = self.grid.n_rows, self.grid.n_cols
        return {(row_index[r], col_index[c]) for r, c in codes if r in row_index and c in col_index}


@dataclass
class Report:
    """A year's report: live (a supervisor's preview) or a release (release is set)."""

    fiscal_year: int
    k: int
    sections: list  # (title, tables): Table when live, ShownTable when released
    lead_times: list
    years: list
    national: list[NationalRow]
    release: Release | None = None

    def tables(self) -> list:
        return [t for _title, tables in self.sections for t in tables]


def _table(key, title, rows, cols, counts, *, row_totals=True, col_totals=True, group=None, **kw):
    cells = [[counts.get((r, c), 0) for c, _l in cols] for r, _l in rows]
    grid = Grid(key=key, cells=cells, row_totals=row_totals, col_totals=col_totals, group=group)
    return Table(key=key, title=title, rows=rows, cols=cols, grid=grid, **kw)


def _single(key, title, rows, counts, **kw):
    return _table(key, title, rows, [("n", "件数")], counts, row_totals=False, **kw)


def _figure(key, title, label, value, **kw):
    """A single figure: a 1×1 table with no margins, suppressed like any other cell.

    With no margin nothing published constrains it, so primary suppression alone protects it;
    it still goes through suppress() and the published patterns, so a figure once hidden
    stays hidden in later releases of the year.
    """
    return _table(
        key,
        title,
        [("n", label)],
        [("n", "人数")],
        {("n", "n"): value},
        row_totals=False,
        col_totals=False,
        unit="人",
        **kw,
    )


def _labelled(choices):
    return [(str(v), str(label)) for v, label in choices]


NEW_CONT = [("new", "新規"), ("continuing", "継続")]
LEAD_LABELS = {
    "intake_conference": _("受付 → 支援方針の決定"),
    "conference_petition": _("支援方針の決定 → 申立"),
    "petition_ruling": _("申立 → 審判"),
    "intake_ruling": _("受付 → 審判（通算）"),
    "request_answer": _("受任調整依頼 → 専門職の回答"),
}


def _build_tables(fiscal_year: int) -> list[tuple[StrOrPromise, list[Table]]]:
    ref = selectors.reference_rows(fiscal_year)
    appointed = selectors.appointments_of_year(fiscal_year)  # for three tables
    consult = selectors.consultation_counts(fiscal_year)
    age_rows = [(code, label) for code, label, _lo, _hi in selectors.AGE_GROUPS]
    group = {"group": CONSULTATION_GROUP}
    consultations = [
        _table(
            "c_totals",
            "相談の延べ件数と実人数",
            [("contacts", "延べ件数"), ("persons", "実人数")],
            NEW_CONT,
            selectors.consultation_totals(fiscal_year),
            row_totals=False,
            col_totals=False,
            note="新規・継続は記録から判定（年度内の初回、または終結後の初回が新規。手で指定したものはその値）。"
            "実人数は新規・継続それぞれの人数（両方に数えられる人がいる）。",
        ),
        _table(
            "c_referrer",
            "相談者の種別",
            _labelled(Consultation.ReferrerType.choices),
            NEW_CONT,
            consult["referrer"],
            **group,
        ),
        _table("c_age", "本人の年齢", age_rows, NEW_CONT, consult["age"], **group),
        _table(
            "c_sex", "本人の性別", _labelled(Person.Sex.choices), NEW_CONT, consult["sex"], **group
        ),
        _table(
            "c_household",
            "世帯の状況",
            _labelled(Person.Household.choices),
            NEW_CONT,
            consult["household"],
            **group,
        ),
        _table("c_area", "地域", ref["area"], NEW_CONT, consult["area"], **group),
        # Several categories and concerns may apply to one person: no column totals.
        _table(
            "c_category",
            "本人の区分（複数該当あり）",
            ref["category"],
            NEW_CONT,
            consult["category"],
            col_totals=False,
        ),
        _table(
            "c_concern",
            "主訴（複数該当あり）",
            ref["concern"],
            NEW_CONT,
            consult["concern"],
            col_totals=False,
        ),
    ]
    petitions = _table(
        "petitions",
        "申立人別・類型別の申立件数（申立日で数える）",
        _labelled(PetitionerType.choices),
        ref["guardianship_type"] + [("unknown", "記録なし")],
        selectors.petition_counts(fiscal_year),
        note="年度内に申し立てたもの。類型は申立ての類型（審判で変わっても動かない）。"
        "市町村長申立は「市町村長」の行。",
    )
    rulings = _table(
        "rulings",
        "申立人別・類型別の審判件数（審判日で数える）",
        _labelled(PetitionerType.choices),
        ref["guardianship_type"],
        selectors.ruling_counts(fiscal_year),
        note="年度内に審判があったもの。類型は審判で定まったもの。申立てが前年度でも数える。",
    )
    sub_counts, sub_yen = selectors.subsidy_counts(fiscal_year)
    subsidy_rows = _labelled(Subsidy.Kind.choices)
    subsidy_cols = selectors.SUBSIDY_COLUMNS
    subsidies = _table(
        "subsidy_applications",
        "利用支援事業の申請（種別・決定別、支給決定は予算の区分別、申請日で数える）",
        subsidy_rows,
        subsidy_cols,
        sub_counts,
        note="予算の区分は申請の算定（年度の基準）によるもの。算定のない申請は「算定なし」。",
    )
    subsidy_yen = _table(
        "subsidy_amounts",
        "利用支援事業の金額（円、種別・決定別、支給決定は予算の区分別）",
        subsidy_rows,
        subsidy_cols,
        sub_yen,
        unit="円",
        follows=subsidies,
        note="支給決定は決定額（算定を変更した額、なければ基準による額、算定がなければ申請の金額）。"
        "審査中・却下は申請の金額。件数を秘匿したセルは金額も秘匿。",
    )
    general = _table(
        "general",
        "一般相談（本人を特定しない相談）の件数",
        _labelled(Consultation.Channel.choices),
        _labelled(GeneralConsultation.Outcome.choices),
        selectors.general_consultation_counts(fiscal_year),
        note="相談日で数える。ケースに結び付けた相談も含む（ケースの相談件数とは別）。",
    )
    sections: list[tuple[StrOrPromise, list[Table]]] = [
        (_("相談（新規・継続）"), consultations),
        (_("一般相談"), [general]),
        (
            _("支援方針の決定（支援調整会議）"),
            [
                _single(
                    "outcomes",
                    "決定した方針",
                    _labelled(Decision.Outcome.choices),
                    selectors.decision_outcomes(fiscal_year),
                ),
            ],
        ),
        (_("申立・審判"), [petitions, rulings]),
        (_("成年後見制度利用支援事業"), [subsidies, subsidy_yen]),
        (
            _("後見人等の選任・支援"),
            [
                _single(
                    "appointments",
                    "選任された後見人等の職種（開始の審判、選任日で数える）",
                    _labelled(GuardianAppointment.Profession.choices),
                    selectors.appointment_counts(fiscal_year, appointed),
                ),
                _table(
                    "changes",
                    "後見人等の交代・追加（選任日で数える）",
                    _labelled(Petition.ChangeKind.choices),
                    _labelled(GuardianAppointment.Profession.choices),
                    selectors.change_counts(fiscal_year, appointed),
                    note="新たに選任された者の職種。開始の申立・審判の件数には含めない。",
                ),
                _single(
                    "team_meetings",
                    "チーム会議の開催",
                    _labelled(TeamMeeting.Kind.choices),
                    selectors.team_meeting_counts(fiscal_year),
                ),
                _table(
                    "contacts",
                    "後見人支援の連絡",
                    _labelled(Contact.From.choices),
                    [("help", "支援の依頼"), ("other", "その他の連絡")],
                    selectors.contact_counts(fiscal_year),
                ),
                _figure(
                    "daily_life_transitions",
                    "日常生活自立支援事業から成年後見制度への移行",
                    "移行した人",
                    selectors.daily_life_transitions(fiscal_year),
                    note=(
                        "年度内の支援調整会議で成年後見制度の利用を決めた人のうち、"
                        "その開催日より前に日常生活自立支援事業のケースがあった人（実人数）。"
                    ),
                ),
            ],
        ),
        (
            _("受任調整"),
            [
                _table(
                    "coordination",
                    "受任調整の依頼と回答（候補者の職種別）",
                    _labelled(Professional.Profession.choices),
                    _labelled(CoordinationRequest.Status.choices),
                    selectors.coordination_counts(fiscal_year),
                ),
            ],
        ),
        (
            _("終結"),
            [
                _table(
                    "closings",
                    "終結の理由（終結日で数える）",
                    _labelled(Case.ClosingReason.choices),
                    [
                        ("support_end", "支援の終結（後見等は継続）"),
                        ("guardianship_end", "後見等の終了"),
                        ("other", "後見等に至らず終結"),
                    ],
                    selectors.closing_counts(fiscal_year),
                    note="「支援の終結」は後見等が続いたまま中核機関の支援を終えたもの。"
                    "再開したケースは終結として数えない。",
                ),
            ],
        ),
        (
            _("会議"),
            [
                _single(
                    "meetings_held",
                    "開催した会議（種別）",
                    _labelled(Meeting.Kind.choices),
                    selectors.meeting_counts(fiscal_year),
                    note="開催日で数える。開催日が今日より後の会議は数えない。",
                ),
                _single(
                    "meeting_cases",
                    "会議で協議したケース（延べ件数・会議の種別）",
                    _labelled(Meeting.Kind.choices),
                    selectors.meeting_case_counts(fiscal_year),
                    note="同じケースを二つの会議で協議したときは二件と数える。",
                ),
                _single(
                    "meeting_outside_members",
                    "会議の外部の構成員（延べ人数・所属の種別）",
                    _labelled(Member.OrganisationType.choices),
                    selectors.meeting_outside_member_counts(fiscal_year),
                    unit="人",
                ),
            ],
        ),
    ]
    sections.append(_court_section(fiscal_year))
    sections += [
        (
            _("広報啓発・研修"),
            [
                _table(
                    "outreach_events",
                    "広報啓発・研修の開催（種別ごと、開催日で数える）",
                    _labelled(OutreachEvent.Kind.choices),
                    [
                        ("events", "開催回数"),
                        ("attendance", "参加者数"),
                        ("consultations", "会場で受けた相談"),
                    ],
                    selectors.outreach_event_counts(fiscal_year),
                    row_totals=False,
                    note="参加者数は対象別の人数の合計。リーフレット等の配布は配布の回数。"
                    "会場で受けた相談は一般相談とケースの相談の合計。",
                ),
            ],
        ),
        (
            _("相談者（紹介元）への経過報告"),
            [
                _table(
                    "feedback",
                    "節目ごとの経過報告（報告期限で数える）",
                    _labelled(Feedback.Milestone.choices),
                    [("given", "報告済み"), ("open", "未報告")],
                    selectors.feedback_counts(fiscal_year),
                    note="計が報告すべき件数。本人の同意がある場合だけ数える。"
                    "同意の撤回で取りやめたものは含まない。",
                ),
            ],
        ),
        (
            _("担い手の育成（市民後見人・法人後見）"),
            [
                _single(
                    "guardian_development",
                    "市民後見人の養成と選任、法人後見の選任",
                    [
                        ("trainees", "養成研修の受講者（開講日で数える）"),
                        ("completed", "養成研修の修了者（修了日で数える）"),
                        ("registered", "市民後見人名簿への登録（登録日で数える）"),
                        ("citizen_appointed", "市民後見人の選任（選任日で数える）"),
                        ("corporate_appointed", "法人後見の選任（選任日で数える）"),
                    ],
                    selectors.guardian_development_counts(fiscal_year, appointed),
                    col_totals=False,
                    unit="人",
                    note="それぞれ別の数え方のため合計はない。選任は交代・追加を含む。",
                ),
            ],
        ),
    ]
    return sections


def _court_section(fiscal_year: int) -> tuple[StrOrPromise, list[Table]]:
    """The court's side (advocacy.court): flags raised (subsidies are their own section)."""
    flags = _table(
        "court_flags",
        "不正防止の注意（理由別、記録日で数える）",
        _labelled(Flag.Reason.choices),
        [("flags", "件数")],
        selectors.court_flag_counts(fiscal_year),
        row_totals=False,
        note="報告の遅れが重なったもの、親族からの苦情、説明のない大きな資産の変動。",
    )
    return _("不正防止"), [flags]


def _earlier_tables(releases: list[Release], tables: list[Table]) -> tuple[dict, Earlier]:
    """Return what suppress() needs of the year's earlier releases: hidden cells and counts.

    Cells are matched by their row and column codes, so a release stays comparable when a
    reference list gains a row.
    """
    previous: dict[str, set] = {}
    earlier: Earlier = {}
    by_key = {t.key: t for t in tables}
    for release in releases:
        for key, stored in release.counts["tables"].items():
            table = by_key.get(key)
            if table is None:
                continue
            hidden_codes = {tuple(code) for code in stored["hidden"]}
            previous.setdefault(key, set()).update(table.cells_from_codes(hidden_codes))
            grid = _stored_grid(key, stored)
            ext = grid.extended()
            row_codes = [*stored["rows"], TOTAL]
            col_codes = [*stored["cols"], TOTAL]
            cells = {}
            for r, c in grid.all_cells():
                code = (row_codes[r], col_codes[c])
                for cell in table.cells_from_codes([code]):
                    cells[cell] = (ext[r][c], code in hidden_codes)
            earlier.setdefault(key, []).append(cells)
    return previous, earlier


def _stored_grid(key: str, stored: dict) -> Grid:
    grid = Grid(
        key=key,
        cells=stored["cells"],
        row_totals=stored["row_totals"],
        col_totals=stored["col_totals"],
        group=stored["group"],
    )
    rows = {code: i for i, code in enumerate([*stored["rows"], TOTAL])}
    cols = {code: i for i, code in enumerate([*stored["cols"], TOTAL])}
    grid.hidden = {(rows[r], cols[c]) for r, c in stored["hidden"]}
    return grid


def release_grids(release: Release) -> list[Grid]:
    """Return the grids of a release with the counts behind them (for the protection checks)."""
    return [_stored_grid(key, stored) for key, stored in release.counts["tables"].items()]


def _own_year(current: Table) -> dict:
    """Return the year's consultation totals as the release shows them (the group's total row)."""
    ext = current.grid.extended()
    R = current.grid.n_rows
    shown = {}
    # The consultation tables' columns are NEW_CONT, then the total.
    for c, code in enumerate([*(code for code, _l in NEW_CONT), TOTAL]):
        hidden = (R, c) in current.grid.hidden
        shown[code] = None if hidden else ext[R][c]
    return shown


def _year_rows(fiscal_year: int, own: dict) -> list:
    """Return the five years' consultation totals: this report's, and the latest release of each
    earlier year (a year never released shows —; nothing live leaks in beside a release)."""
    years = list(range(fiscal_year - YEARS_IN_CHART + 1, fiscal_year + 1))
    latest: dict[int, dict] = {}
    earlier = Release.objects.filter(fiscal_year__in=years[:-1]).defer("counts")
    for release in earlier.order_by("number"):
        latest[release.fiscal_year] = release.shown["own_year"]
    latest[fiscal_year] = own
    top = max((v[TOTAL] or 0 for v in latest.values()), default=0) or 1
    rows = []
    for year in years:
        values = latest.get(year)
        if values is None:
            rows.append((fiscal_year_label(year), "—", "—", "—", 0, year))
            continue
        shown = [HIDDEN if values[c] is None else f"{values[c]:,}" for c in ("new", "continuing")]
        total = values[TOTAL]
        shown_total = HIDDEN if total is None else f"{total:,}"
        width = 0 if total is None else round(100 * total / top)
        rows.append((fiscal_year_label(year), shown[0], shown[1], shown_total, width, year))
    return rows


class NationalRow(NamedTuple):
    """One line of the national comparison, each side with its definition."""

    label: str
    definition: str
    national: str
    ours: str
    ours_definition: str
    source: str


NOT_COMPARED_COUNTS = "比較しない：全国の値の分子・分母（件数）が未登録か、値と合わない。"
NOT_COMPARED_BASIS = "比較しない：本市の記録では同じ定義・基準で数えられない。"


def _publishable(n: int, k: int) -> bool:
    return n == 0 or n >= k


def _national(k: int) -> list[NationalRow]:
    """Return the national figures, each beside the city's counted on the same basis.

    The city's figure is printed only where it is computed on the national one's definition
    (``selectors.city_figure``) and, for a share, where the national counts are known and
    agree with it; a count of 1..k−1 (or a share whose parts are) is hidden.
    """
    rows = []
    for figure in NationalFigure.objects.order_by("code", "-year"):
        value = f"{figure.value:,.1f}" if figure.is_share else f"{figure.value:,.0f}"
        period = figure.get_period_display() or "基準未登録"
        national = f"{value}{figure.unit}（{figure.year}年・{period}）"
        definition = figure.definition or "定義未登録"
        if figure.denominator_definition:
            definition += f" 分母：{figure.denominator_definition}"
        ours, ours_definition = "—", NOT_COMPARED_BASIS
        if figure.is_share and not figure.counts_agree():
            ours_definition = NOT_COMPARED_COUNTS
        elif (city := selectors.city_figure(figure)) is not None:
            ours_definition = city.definition
            if city.denominator is None:
                ours = (
                    f"{city.numerator:,}{figure.unit}"
                    if _publishable(city.numerator, k)
                    else HIDDEN
                )
            else:
                parts = (city.numerator, city.denominator, city.denominator - city.numerator)
                ours = (
                    f"{100 * city.numerator / city.denominator:.1f}%"
                    if city.denominator >= k and all(_publishable(n, k) for n in parts)
                    else HIDDEN
                )
        rows.append(
            NationalRow(figure.label, definition, national, ours, ours_definition, figure.source)
        )
    return rows


def _count_in(text: str) -> int | None:
    """Return the count a shown city figure states ("11件"), or None (a share, hidden, —)."""
    digits = text.replace(",", "").removesuffix("件")
    return int(digits) if digits.isdigit() else None


def _national_protected(rows: list[NationalRow], releases: list, k: int) -> list[NationalRow]:
    """Hide a city count that moved by 1..k−1 since an earlier release of the year.

    The same rule as the tables' (decision 50): two releases differenced must not show one
    petition more or less.
    """
    earlier = [
        {(row[0], row[2]): row[3] for row in release.shown.get("national", [])}
        for release in releases
    ]
    protected = []
    for row in rows:
        count = _count_in(row.ours)
        moved = count is not None and any(
            (before := _count_in(shown.get((row.label, row.national), ""))) is not None
            and 0 < abs(count - before) < k
            for shown in earlier
        )
        protected.append(row._replace(ours=HIDDEN) if moved else row)
    return protected


def _lead_rows(fiscal_year: int, k: int, releases: list[Release]) -> tuple[list, dict]:
    """Return the lead times as shown, and their counts for protecting later releases.

    A count hidden in an earlier release of the year stays hidden; one shown there that moved
    by 1..k−1 since is hidden (with its median), or the difference would be exact.
    """
    rows, counts = [], {}
    for item in selectors.lead_times(fiscal_year):
        hidden = 0 < item.n < k
        for release in releases:
            before = release.counts["lead"].get(item.code)
            if before is None:
                continue
            if before["hidden"] or 0 < abs(item.n - before["n"]) < k:
                hidden = True
        enough = item.n >= k and item.median is not None and not hidden
        rows.append(
            (
                str(LEAD_LABELS[item.code]),
                HIDDEN if hidden else f"{item.n:,}",
                f"{item.median:.1f}日" if enough else HIDDEN if item.n else "—",
            )
        )
        counts[item.code] = {"n": item.n, "hidden": hidden}
    return rows, counts


def _releases_of(fiscal_year: int, *, lock: bool = False) -> list[Release]:
    releases = Release.objects.filter(fiscal_year=fiscal_year).order_by("number")
    return list(releases.select_for_update() if lock else releases)


def _compute(fiscal_year: int, releases: list[Release]) -> tuple[Report, dict]:
    """Compute the year's report, protected against every earlier release of the year."""
    k = threshold()
    sections = _build_tables(fiscal_year)
    tables = [t for _s, ts in sections for t in ts]
    own = [t for t in tables if t.follows is None]
    previous, earlier = _earlier_tables(releases, own)
    suppress([t.grid for t in own], k, previous, earlier)
    lead, lead_counts = _lead_rows(fiscal_year, k, releases)
    by_key = {t.key: t for t in tables}
    own_year = _own_year(by_key["c_referrer"])
    report = Report(
        fiscal_year=fiscal_year,
        k=k,
        sections=sections,
        lead_times=lead,
        years=_year_rows(fiscal_year, own_year),
        national=_national_protected(_national(k), releases, k),
    )
    counts = {
        "tables": {
            t.key: {
                "rows": [code for code, _l in t.rows],
                "cols": [code for code, _l in t.cols],
                "cells": t.grid.cells,
                "row_totals": t.grid.row_totals,
                "col_totals": t.grid.col_totals,
                "group": t.grid.group,
                "hidden": t.hidden_codes(),
            }
            for t in own
        },
        "lead": lead_counts,
    }
    return report, {"own_year": own_year, "counts": counts}


def report_build(*, fiscal_year: int) -> Report:
    """Compute the fiscal year's report from the live tables, as a release would publish it now.

    Only supervisors see it (marked as not released); it is protected against the year's
    earlier releases exactly as the next release will be, and it writes nothing.
    """
    report, _extra = _compute(fiscal_year, _releases_of(fiscal_year))
    return report


RELEASE_FINAL_EXISTS = _("この年度の確定版はすでに公表されています。")
RELEASE_YEAR_OPEN = _("確定版は年度が終わってから公表できます。")
RELEASE_YEAR_FUTURE = _("まだ始まっていない年度は公表できません。")
RELEASE_CONCURRENT = _("同じ年度の公表が同時に行われました。もう一度お試しください。")


def _shown(report: Report, own_year: dict) -> dict:
    return {
        "sections": [
            [
                str(title),
                [
                    {
                        "key": t.key,
                        "title": str(t.title),
                        "note": str(t.note),
                        "unit": t.unit,
                        "follows": t.follows is not None,
                        "header": t.header(),
                        "rows": [[label, cells, width] for label, cells, width in t.display()],
                    }
                    for t in tables
                ],
            ]
            for title, tables in report.sections
        ],
        "lead_times": [list(row) for row in report.lead_times],
        "years": [list(row) for row in report.years],
        "national": [list(row) for row in report.national],
        "own_year": own_year,
    }


@transaction.atomic(durable=True)
def report_release(
    *, actor: User, fiscal_year: int, kind: str, request: HttpRequest | None = None
) -> Release:
    """Release the fiscal year's report to the committee: compute it, store it, audit it.

    A release cannot be undone or changed. It is protected against every earlier release of
    the year; after the final release (年度確定版) the year takes no more.
    """
    today = timezone.localdate()
    if fiscal_year > fiscal_year_of(today):
        raise ValidationError(RELEASE_YEAR_FUTURE)
    kind = Release.Kind(kind)
    if kind == Release.Kind.FINAL and fiscal_year >= fiscal_year_of(today):
        raise ValidationError(RELEASE_YEAR_OPEN)
    # Lock the year's releases so a concurrent release is computed against this one (the
    # unique number refuses the very first pair).
    releases = _releases_of(fiscal_year, lock=True)
    if any(r.kind == Release.Kind.FINAL for r in releases):
        raise ValidationError(RELEASE_FINAL_EXISTS)
    report, extra = _compute(fiscal_year, releases)
    release = Release(
        fiscal_year=fiscal_year,
        number=len(releases) + 1,
        kind=kind,
        released_at=timezone.now(),
        released_by=actor,
        k=report.k,
        shown=_shown(report, extra["own_year"]),
        counts=extra["counts"],
    )
    release.html = _rendered(release)
    release.full_clean()
    try:
        with transaction.atomic():
            release.save()
    except IntegrityError as error:
        # Another supervisor released the year meanwhile (their row was not locked yet).
        raise ValidationError(RELEASE_CONCURRENT) from error
    audit_record(
        actor=actor,
        action=Action.REPORT_RELEASED,
        label=f"FY{fiscal_year} #{release.number} {kind.value}",
        request=request,
    )
    return release


@dataclass
class ShownTable:
    """A released table: the cells exactly as they were published."""

    key: str
    title: str
    note: str
    unit: str
    follows: bool
    header_cells: list[str]
    rows: list[tuple[str, list[str], int | None]]

    def header(self) -> list[str]:
        return self.header_cells

    def body(self) -> list[tuple[str, list[str]]]:
        return [(label, cells) for label, cells, _w in self.rows]

    def display(self) -> list[tuple[str, list[str], int | None]]:
        return self.rows


def release_report(release: Release) -> Report:
    """Return a release as a Report to render: exactly what was released, nothing recomputed."""
    shown = release.shown
    sections = [
        (
            title,
            [
                ShownTable(
                    key=t["key"],
                    title=t["title"],
                    note=t["note"],
                    unit=t["unit"],
                    follows=t["follows"],
                    header_cells=t["header"],
                    rows=[(label, cells, width) for label, cells, width in t["rows"]],
                )
                for t in tables
            ],
        )
        for title, tables in shown["sections"]
    ]
    return Report(
        fiscal_year=release.fiscal_year,
        k=release.k,
        sections=sections,
        lead_times=[tuple(row) for row in shown["lead_times"]],
        years=[tuple(row) for row in shown["years"]],
        national=[NationalRow(*row) for row in shown["national"]],
        release=release,
    )


REPORT_TEMPLATE = "stats/_report.html"


def _rendered(release: Release) -> dict[str, str]:
    """Render a release's tables once, in every language of the site, to store with it."""
    report = release_report(release)
    rendered: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            rendered[code] = render_to_string(REPORT_TEMPLATE, {"report": report})
    return rendered


def report_html(report: Report) -> SafeString:
    """Return the report's tables as HTML, rendered now (a live preview, or a release whose
    tables were not stored in this language: ``release_shown`` serves the stored ones)."""
    return render_to_string(REPORT_TEMPLATE, {"report": report})


@dataclass
class StoredReport:
    """A release whose tables were stored when it was released, as its page shows it.

    Only what the page names (year, release) and the stored HTML of one language: nothing of
    what was released is decoded to show it.
    """

    fiscal_year: int
    release: Release
    html: SafeString


def release_shown(release: Release) -> Report | StoredReport:
    """Return a release read by ``selectors.release_get(language=…)`` as its page shows it.

    With its tables stored in that language, the stored fragment as it is; a release made
    before the tables were stored (or without that language) is read whole and rebuilt from
    what was released, as every release was before decision 100.
    """
    fragment = getattr(release, "fragment", None)
    if fragment is not None:
        # Rendered by REPORT_TEMPLATE (our escaping template) when it was released.
        html = mark_safe(fragment)  # noqa: S308
        return StoredReport(fiscal_year=release.fiscal_year, release=release, html=html)
    release.refresh_from_db(fields=["shown"])
    return release_report(release)


def shown_html(report: Report | StoredReport) -> SafeString:
    """Return the tables of what release_shown gave, as HTML."""
    if isinstance(report, StoredReport):
        return report.html
    return report_html(report)


def report_rows(report: Report) -> list[list[str]]:
    """Return the report as plain rows, exactly the cells the screen shows (CSV and Excel)."""
    out: list[list[str]] = [
        [f"{fiscal_year_label(report.fiscal_year)} 権利擁護支援の統計"],
        [release_label(report.release) if report.release else "未公表（プレビュー）"],
        [f"1〜{report.k - 1}件のセルと、そこから逆算できるセルは「{HIDDEN}」で秘匿"],
    ]
    out += [[], ["相談件数の推移"], ["年度", "新規", "継続", "計"]]
    out += [[y[0], y[1], y[2], y[3]] for y in report.years]
    for title, tables in report.sections:
        out += [[], [str(title)]]
        for table in tables:
            out += [[table.title], ["", *table.header()]]
            out += [[label, *cells] for label, cells in table.body()]
            if table.note:
                out.append([table.note])
    out += [[], ["期間（中央値）"], ["区間", "件数", "中央値"]]
    out += [list(row) for row in report.lead_times]
    out += [[], ["全国との比較"], ["項目", "定義", "全国", "本市", "本市の定義", "出典"]]
    out += [list(row) for row in report.national]
    return out


def release_label(release: Release) -> str:
    """Name a release as the committee reads it: 第2版（年度確定版）令和8年5月20日公表."""
    day = timezone.localtime(release.released_at).date()
    return f"第{release.number}版（{release.get_kind_display()}）{wareki(day)}公表"


def report_csv(report: Report) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(report_rows(report))
    # With a BOM, Excel opens the Japanese text correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def report_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = f"{report.fiscal_year}年度"
    for row in report_rows(report):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _label(report: Report | StoredReport) -> str:
    if report.release is None:
        return f"FY{report.fiscal_year} preview"
    return f"FY{report.fiscal_year} #{report.release.number}"


def report_view_record(
    *, actor: User, report: Report | StoredReport, request: HttpRequest | None = None
) -> None:
    """Record that actor looked at a release (or, a supervisor, at the live preview)."""
    audit_record(actor=actor, action=Action.REPORT_VIEWED, label=_label(report), request=request)


def report_export_record(
    *, actor: User, report: Report, fmt: str, request: HttpRequest | None = None
) -> None:
    """Record that actor downloaded a release as fmt (csv or xlsx)."""
    audit_record(
        actor=actor, action=Action.REPORT_EXPORTED, label=f"{_label(report)} {fmt}", request=request
    )
