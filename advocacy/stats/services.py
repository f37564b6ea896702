"""The committee's yearly report: tables, suppression, publication of the pattern, exports."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
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
    Subsidy,
    TeamMeeting,
)
from advocacy.cases.models.records import PetitionerType
from advocacy.portal.models import CoordinationRequest
from advocacy.stats import selectors
from advocacy.stats.models import NationalFigure, PublishedPattern
from advocacy.stats.suppression import Grid, suppress

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
    fiscal_year: int
    k: int
    sections: list[tuple[StrOrPromise, list[Table]]]  # (title, tables)
    lead_times: list[tuple[str, str, str]]
    years: list[tuple[str, str, str, str, int, int]]
    national: list[NationalRow]

    def tables(self) -> list[Table]:
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
    subsidy_cols = _labelled(Subsidy.Decision.choices)
    subsidies = _table(
        "subsidies", "利用支援事業の申請件数", subsidy_rows, subsidy_cols, sub_counts
    )
    subsidy_yen = _table(
        "subsidy_yen",
        "利用支援事業の申請額（円）",
        subsidy_rows,
        subsidy_cols,
        sub_yen,
        unit="円",
        follows=subsidies,
        note="件数を秘匿したセルは金額も秘匿。",
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
                    "選任された後見人等の職種",
                    _labelled(GuardianAppointment.Profession.choices),
                    selectors.appointment_counts(fiscal_year),
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
                _single(
                    "closings",
                    "終結の理由",
                    _labelled(Case.ClosingReason.choices),
                    selectors.closing_counts(fiscal_year),
                ),
            ],
        ),
    ]
    return sections


def _previous_patterns(fiscal_year: int, tables: list[Table]) -> dict[str, set]:
    by_key = {t.key: t for t in tables}
    stored = PublishedPattern.objects.filter(fiscal_year=fiscal_year, table__in=list(by_key))
    return {p.table: by_key[p.table].cells_from_codes(p.hidden) for p in stored}


def _total_row_hidden(values: dict[str, int], k: int, previous: set[str]) -> set[str]:
    """Reproduce the consultation group's total-row pattern for one year (see suppression)."""
    hidden = {c for c, v in values.items() if 0 < v < k} | (previous & set(values))
    total = sum(values.values())
    if hidden or 0 < total < k or TOTAL in previous:
        hidden.add(TOTAL)
        if not hidden - {TOTAL}:
            hidden.add(min(values, key=values.__getitem__))
    return hidden


def _year_rows(fiscal_year: int, k: int, current: Table) -> list:
    years = list(range(fiscal_year - YEARS_IN_CHART + 1, fiscal_year + 1))
    totals = selectors.consultation_totals_by_year(years)
    stored = {
        p.fiscal_year: {c for r, c in p.hidden if r == TOTAL}
        for p in PublishedPattern.objects.filter(fiscal_year__in=years, table=current.key)
    }
    current_hidden = {c for r, c in current.hidden_codes() if r == TOTAL}
    top = max((sum(v.values()) for v in totals.values()), default=0) or 1
    rows = []
    for year in years:
        values = totals[year]
        if year == fiscal_year:
            hidden = current_hidden
        else:
            hidden = _total_row_hidden(values, k, stored.get(year, set()))
        shown = [HIDDEN if c in hidden else f"{values[c]:,}" for c in ("new", "continuing")]
        total = sum(values.values())
        shown_total = HIDDEN if TOTAL in hidden else f"{total:,}"
        width = 0 if TOTAL in hidden else round(100 * total / top)
        rows.append((f"{year}年度", shown[0], shown[1], shown_total, width, year))
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


def _shown(n: int, k: int) -> bool:
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
                ours = f"{city.numerator:,}{figure.unit}" if _shown(city.numerator, k) else HIDDEN
            else:
                parts = (city.numerator, city.denominator, city.denominator - city.numerator)
                ours = (
                    f"{100 * city.numerator / city.denominator:.1f}%"
                    if city.denominator >= k and all(_shown(n, k) for n in parts)
                    else HIDDEN
                )
        rows.append(
            NationalRow(figure.label, definition, national, ours, ours_definition, figure.source)
        )
    return rows


def report_build(*, fiscal_year: int, publish: bool = False) -> Report:
    """Compute the fiscal year's report; publish=True records its suppression pattern.

    Cells hidden in an earlier publication of the same year stay hidden. Recording the
    pattern is a write to the default database even when the counts come from the replica.
    """
    k = threshold()
    sections = _build_tables(fiscal_year)
    tables = [t for _s, ts in sections for t in ts]
    own = [t for t in tables if t.follows is None]
    suppress([t.grid for t in own], k, _previous_patterns(fiscal_year, own))
    lead = []
    for item in selectors.lead_times(fiscal_year):
        enough = item.n >= k and item.median is not None
        lead.append(
            (
                str(LEAD_LABELS[item.code]),
                f"{item.n:,}" if item.n >= k or item.n == 0 else HIDDEN,
                f"{item.median:.1f}日" if enough else HIDDEN if item.n else "—",
            )
        )
    by_key = {t.key: t for t in tables}
    report = Report(
        fiscal_year=fiscal_year,
        k=k,
        sections=sections,
        lead_times=lead,
        years=_year_rows(fiscal_year, k, by_key["c_referrer"]),
        national=_national(k),
    )
    if publish:
        _publish(fiscal_year, own)
    return report


@transaction.atomic
def _publish(fiscal_year: int, tables: list[Table]) -> None:
    # Usually nothing changed since the last view: write only what did, in bulk.
    stored = {
        p.table: p
        for p in PublishedPattern.objects.select_for_update().filter(fiscal_year=fiscal_year)
    }
    create, update = [], []
    for table in tables:
        hidden = table.hidden_codes()
        pattern = stored.get(table.key)
        if pattern is None:
            create.append(PublishedPattern(fiscal_year=fiscal_year, table=table.key, hidden=hidden))
        elif pattern.hidden != hidden:
            pattern.hidden = hidden
            pattern.updated_at = timezone.now()  # bulk_update skips auto_now
            update.append(pattern)
    PublishedPattern.objects.bulk_create(create, ignore_conflicts=True)
    PublishedPattern.objects.bulk_update(update, ["hidden", "updated_at"])


def report_rows(report: Report) -> list[list[str]]:
    """Return the report as plain rows, exactly the cells the screen shows (CSV and Excel)."""
    out: list[list[str]] = [
        [f"{report.fiscal_year}年度 権利擁護支援の統計"],
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


def report_view_record(
    *, actor: User, fiscal_year: int, preview: bool, request: HttpRequest | None = None
) -> None:
    """Record that actor looked at the year's report (a supervisor's preview is marked)."""
    audit_record(
        actor=actor,
        action=Action.REPORT_VIEWED,
        label=f"FY{fiscal_year}" + (" preview" if preview else ""),
        request=request,
    )


def report_export_record(
    *, actor: User, fiscal_year: int, fmt: str, request: HttpRequest | None = None
) -> None:
    """Record that actor downloaded the year's report as fmt (csv or xlsx)."""
    audit_record(
        actor=actor, action=Action.REPORT_EXPORTED, label=f"FY{fiscal_year} {fmt}", request=request
    )
