"""The raw counts of a fiscal year, computed in SQL over clear categories and dates only.

Nothing here reads an encrypted column: every query names its columns (values/annotate), so no
model instance with encrypted fields is ever loaded, and nothing is decrypted.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connections, models
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.aggregates import Aggregate
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone

from advocacy.cases.models import (
    GUARDIANSHIP_END_REASONS,
    SUPPORT_END_REASONS,
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
from advocacy.meetings.models import AgendaItem, Meeting, Member
from advocacy.outreach.models import Feedback, OutreachEvent, Trainee
from advocacy.reference.models import Area, GuardianshipType, MainConcern, PersonCategory
from advocacy.stats.models import NationalFigure, Release

# Counts are COUNT(*), never COUNT(id): PostgreSQL can then answer a year's rows from a
# covering index (an index-only scan) without reading the key.

# Row/column codes are stable strings: published patterns are stored by code.
Counts = dict[tuple[str, str], int]

# Ages are grouped more coarsely than the stored five-year bands: the young bands are rare.
AGE_GROUPS = [
    ("under_65", "65歳未満", 0, 64),
    ("65_74", "65〜74歳", 65, 74),
    ("75_84", "75〜84歳", 75, 84),
    ("85_over", "85歳以上", 85, 999),
    ("unknown", "不明", None, None),
]


def stats_alias() -> str:
    """Return the database alias statistics read from: the replica when one is configured."""
    return "stats" if "stats" in settings.DATABASES else "default"


def fiscal_bounds(fiscal_year: int) -> tuple[datetime.date, datetime.date]:
    """Return the first and last day of a fiscal year (April to March)."""
    return datetime.date(fiscal_year, 4, 1), datetime.date(fiscal_year + 1, 3, 31)


def _in_year(field: str, fiscal_year: int) -> Q:
    start, end = fiscal_bounds(fiscal_year)
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


def _pairs(rows: Iterable[dict], row: str, col: str, measure: str = "n") -> Counts:
    out: Counts = Counter()
    for item in rows:
        out[(str(item[row]), str(item[col]))] += item[measure] or 0
    return dict(out)


def _singles(rows: Iterable[dict], row: str, measure: str = "n") -> Counts:
    return _pairs(({**r, "_": "n"} for r in rows), row, "_", measure)


def age_group_of(band: str) -> str:
    """Map a stored five-year band ("80-84") to a published age group."""
    try:
        low = int(band.split("-")[0])
    except (ValueError, AttributeError):
        return "unknown"
    for code, _label, lo, hi in AGE_GROUPS:
        if lo is not None and hi is not None and lo <= low <= hi:
            return code
    return "unknown"


def consultation_counts(fiscal_year: int) -> dict[str, Counts]:
    """Return consultations (new/continuing) by each attribute of the person and the call.

    Age, sex, household and area are those each consultation kept (decisions 26 and 29);
    the person's categories are their present ones. The single-valued attributes come from one
    grouped query (one scan of the year instead of
    six); its groups are bounded by the product of the category lists, not by the data. The
    multi-valued ones (categories, concerns) need their own joins.
    """
    db = stats_alias()
    base = Consultation.objects.using(db).filter(_in_year("consulted_on", fiscal_year))
    fields = {
        "referrer": "referrer_type",
        "sex": "sex",
        "household": "household_type",
        "area": "area__code",
        "age": "age_band",
    }
    out: dict[str, Counter] = {key: Counter() for key in fields}
    cube = base.values("is_new", *fields.values()).annotate(n=Count("*")).order_by()
    for row in cube:
        col = "new" if row["is_new"] else "continuing"
        for key, field in fields.items():
            value = row[field]
            code = age_group_of(value) if key == "age" else str(value)
            out[key][(code, col)] += row["n"]
    rows = base.values(key_=F("person__categories__code"), new_=F("is_new"))
    out["category"] = _new_continuing(rows.annotate(n=Count("*")).order_by())
    # Concerns are counted from the link table (inner joins): PostgreSQL then hashes the
    # year's consultations and streams the links past them, instead of hashing every link
    # of every year. A consultation without a concern had no row to publish anyway.
    Link = Consultation.main_concerns.through
    links = (
        Link.objects.using(db)
        .filter(_in_year("consultation__consulted_on", fiscal_year))
        .values(key_=F("mainconcern__code"), new_=F("consultation__is_new"))
    )
    out["concern"] = _new_continuing(links.annotate(n=Count("*")).order_by())
    return {key: dict(counts) for key, counts in out.items()}


def _new_continuing(rows: Iterable[dict]) -> Counter:
    return Counter({(str(r["key_"]), "new" if r["new_"] else "continuing"): r["n"] for r in rows})


def decision_outcomes(fiscal_year: int) -> Counts:
    rows = (
        Decision.objects.using(stats_alias())
        .filter(_in_year("held_on", fiscal_year))
        .values("outcome")
        .annotate(n=Count("*"))
        .order_by()
    )
    return _singles(rows, "outcome")


def petition_counts(fiscal_year: int) -> Counts:
    """Return petitions filed in the year (filing day) by petitioner and the type sought.

    A closed year's figures do not move when rulings arrive later: the type is the one
    petitioned for, as filed ("unknown" where the record does not say).
    """
    rows = (
        Petition.objects.using(stats_alias())
        .filter(_in_year("filed_on", fiscal_year), purpose=Petition.Purpose.START)
        .values("petitioner_type", "type_sought_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    return {(r["petitioner_type"], str(r["type_sought_id"] or "unknown")): r["n"] for r in rows}


def ruling_counts(fiscal_year: int) -> Counts:
    """Return rulings given in the year (ruling day) by petitioner and the type granted."""
    rows = (
        Petition.objects.using(stats_alias())
        .filter(
            _in_year("ruling_on", fiscal_year),
            type_granted__isnull=False,
            purpose=Petition.Purpose.START,
        )
        .values("petitioner_type", "type_granted_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    return {(r["petitioner_type"], str(r["type_granted_id"])): r["n"] for r in rows}


# The columns of the subsidy table (decision 95): the decision, and an approved application
# by the budget line of its computation ("unassessed" when it has none).
SUBSIDY_COLUMNS = [
    ("pending", "審査中"),
    ("rejected", "却下"),
    ("approved_elderly", "支給決定・高齢"),
    ("approved_disability", "支給決定・障害"),
    ("approved_other", "支給決定・その他"),
    ("approved_unassessed", "支給決定・算定なし"),
]


def subsidy_counts(fiscal_year: int) -> tuple[Counts, Counts]:
    """Return the year's subsidy applications (basis: applied_on) by kind and decision, an
    approved one by its budget line: counts, and yen.

    The yen of an approved application is what was granted: the computation's override
    where there is one, else its computed amount, else (not computed) the application's own
    amount; of the others, the amount applied for. One query, the computation left-joined.
    """
    approved = Q(decision=Subsidy.Decision.APPROVED)
    rows = list(
        Subsidy.objects.using(stats_alias())
        .filter(_in_year("applied_on", fiscal_year))
        .values("kind", "decision", "assessment__budget_line")
        .annotate(
            n=Count("*"),
            yen=Sum(
                models.Case(
                    models.When(
                        approved,
                        then=Coalesce(
                            "assessment__override_yen", "assessment__computed_yen", "amount_yen"
                        ),
                    ),
                    default=F("amount_yen"),
                )
            ),
        )
        .order_by()
    )
    for row in rows:
        if row["decision"] == Subsidy.Decision.APPROVED:
            row["column"] = f"approved_{row['assessment__budget_line'] or 'unassessed'}"
        else:
            row["column"] = row["decision"]
    return _pairs(rows, "kind", "column"), _pairs(rows, "kind", "column", "yen")


def appointments_of_year(fiscal_year: int) -> list[dict]:
    """Return the year's appointments (選任日) grouped by all that their tables tell apart.

    One grouped query for the three tables that count appointments (at a start, at a change,
    citizen and corporate guardians): a handful of groups, each table's filter then applied to
    them here instead of in a query of its own.
    """
    return list(
        GuardianAppointment.objects.using(stats_alias())
        .filter(_in_year("appointed_on", fiscal_year))
        .values(
            "profession",
            "role",
            purpose=F("petition__purpose"),
            change_kind=F("petition__change_kind"),
        )
        .annotate(n=Count("*"))
        .order_by()
    )


def appointment_counts(fiscal_year: int, appointed: list[dict] | None = None) -> Counts:
    """Return guardians appointed in the year at the start of a guardianship, by profession.

    Appointments of a guardian change (successors, added guardians, supervisors) are
    counted by ``change_counts``, not here. appointed: ``appointments_of_year``, if read.
    """
    if appointed is None:
        appointed = appointments_of_year(fiscal_year)
    rows = [
        row
        for row in appointed
        # An appointment without a petition is not one of a change (the ORM's exclude()).
        if row["role"] == GuardianAppointment.Role.GUARDIAN
        and row["purpose"] != Petition.Purpose.APPOINTMENT
    ]
    return _singles(rows, "profession")


def change_counts(fiscal_year: int, appointed: list[dict] | None = None) -> Counts:
    """Return appointments of guardian changes in the year (選任日), by kind and profession."""
    if appointed is None:
        appointed = appointments_of_year(fiscal_year)
    rows = [row for row in appointed if row["purpose"] == Petition.Purpose.APPOINTMENT]
    return _pairs(rows, "change_kind", "profession")


def team_meeting_counts(fiscal_year: int) -> Counts:
    rows = (
        TeamMeeting.objects.using(stats_alias())
        .filter(_in_year("held_on", fiscal_year))
        .values("kind")
        .annotate(n=Count("*"))
        .order_by()
    )
    return _singles(rows, "kind")


def contact_counts(fiscal_year: int) -> Counts:
    rows = (
        Contact.objects.using(stats_alias())
        .filter(_in_year("contacted_on", fiscal_year))
        .values("contact_from", "is_help_request")
        .annotate(n=Count("*"))
        .order_by()
    )
    return {(r["contact_from"], "help" if r["is_help_request"] else "other"): r["n"] for r in rows}


def closing_group(reason: str) -> str:
    """Return what a closing reason says of the guardianship (the closings table's column)."""
    if reason in SUPPORT_END_REASONS:
        return "support_end"
    if reason in GUARDIANSHIP_END_REASONS:
        return "guardianship_end"
    return "other"


def closing_counts(fiscal_year: int) -> Counts:
    """Return cases closed in the year by reason, and whether the guardianship went on."""
    rows = (
        Case.objects.using(stats_alias())
        .filter(_in_year("closed_on", fiscal_year))
        .values("closing_reason")
        .annotate(n=Count("*"))
        .order_by()
    )
    return {(str(r["closing_reason"]), closing_group(r["closing_reason"])): r["n"] for r in rows}


def daily_life_transitions(fiscal_year: int) -> int:
    """Return the persons moved from 日常生活自立支援事業 to guardianship in the fiscal year.

    Counted: distinct persons for whom a case conference held in the year decided on
    guardianship while they had, at any organisation, a 日常生活自立支援事業 case opened
    before that conference (strictly before: on the conference day itself the order cannot be
    told, and a 日自 case opened that day more likely followed the decision).
    One person counts once however many such decisions the year holds.
    """
    db = stats_alias()
    earlier_daily_life = Case.objects.using(db).filter(
        person=OuterRef("person"),
        purpose=Case.Purpose.DAILY_LIFE_SUPPORT,
        opened_on__lt=OuterRef("held_on"),
    )
    return (
        Decision.objects.using(db)
        .filter(
            _in_year("held_on", fiscal_year),
            Exists(earlier_daily_life),
            outcome=Decision.Outcome.GUARDIANSHIP,
        )
        .values("person")
        .distinct()
        .count()
    )


def coordination_counts(fiscal_year: int) -> Counts:
    """Appointment-coordination requests by candidate profession and outcome."""
    from advocacy.portal.models import CoordinationRequest

    rows = (
        CoordinationRequest.objects.using(stats_alias())
        .filter(_in_year("sent_at__date", fiscal_year))
        .values("profession", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _pairs(rows, "profession", "status")


class DaysBetween(Func):
    """Whole days from start to end (both dates)."""

    output_field = IntegerField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra):
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return f"({end} - {start})", (*end_params, *start_params)

    def as_sqlite(self, compiler, connection, **extra):
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return (
            f"CAST(julianday({end}) - julianday({start}) AS INTEGER)",
            (*end_params, *start_params),
        )


class Median(Aggregate):
    """The median, as PostgreSQL computes it (percentile_cont)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass(frozen=True)
class LeadTime:
    code: str
    n: int
    median: float | None


def _median(queryset, expression, *, in_python: bool = False) -> tuple[int, float | None]:
    db = queryset.db
    queryset = queryset.annotate(days=expression)
    if connections[db].vendor == "postgresql" and not in_python:
        # COUNT(days) and the percentile skip NULLs by themselves: no IS NOT NULL filter,
        # which would compute the expression once more a row.
        row = queryset.aggregate(n=Count("days"), median=Median("days"))
        return row["n"], row["median"]
    # SQLite has no percentile: its test databases are small, so take the days and sort here.
    # PostgreSQL too when the days come from a subquery: it inlines the expression into both
    # aggregates and runs the subquery twice per row; one column of integers is cheaper.
    return _count_and_median([d for d in queryset.values_list("days", flat=True) if d is not None])


def _medians(queryset, expressions: list) -> list[tuple[int, float | None]]:
    """Return _median of each expression over the same rows, in one query on PostgreSQL."""
    if connections[queryset.db].vendor != "postgresql":
        return [_median(queryset, expression) for expression in expressions]
    days = {f"days_{i}": expression for i, expression in enumerate(expressions)}
    aggregates: dict[str, Aggregate] = {}
    for name in days:
        aggregates[f"n_{name}"] = Count(name)
        aggregates[f"median_{name}"] = Median(name)
    row = queryset.annotate(**days).aggregate(**aggregates)
    return [(row[f"n_{name}"], row[f"median_{name}"]) for name in days]


def _count_and_median(values: list[float]) -> tuple[int, float | None]:
    return len(values), (float(statistics.median(values)) if values else None)


def lead_times(fiscal_year: int) -> list[LeadTime]:
    """Return median days intake → conference → petition → ruling, by when the step ended."""
    db = stats_alias()
    first_conference = Subquery(
        Decision.objects.using(db)
        .filter(case=OuterRef("case"))
        .order_by("held_on")
        .values("held_on")[:1]
    )
    decisions = Decision.objects.using(db).filter(_in_year("held_on", fiscal_year))
    filed = Petition.objects.using(db).filter(_in_year("filed_on", fiscal_year))
    ruled = Petition.objects.using(db).filter(_in_year("ruling_on", fiscal_year))
    # The two spans that end at a ruling are read over the same petitions in one query (the
    # join to the case adds no row: every petition has its case).
    petition_ruling, intake_ruling = _medians(
        ruled,
        [
            DaysBetween(F("ruling_on"), F("filed_on")),
            DaysBetween(F("ruling_on"), F("case__opened_on")),
        ],
    )
    return [
        LeadTime(
            "intake_conference",
            *_median(decisions, DaysBetween(F("held_on"), F("case__opened_on"))),
        ),
        LeadTime(
            "conference_petition",
            *_median(filed, DaysBetween(F("filed_on"), first_conference), in_python=True),
        ),
        LeadTime("petition_ruling", *petition_ruling),
        LeadTime("intake_ruling", *intake_ruling),
        LeadTime("request_answer", *_answer_days(fiscal_year)),
    ]


def _answer_days(fiscal_year: int) -> tuple[int, float | None]:
    """Return how many coordination requests were answered in the year, and the median days.

    Days with a fraction: professionals often answer within a day or two, where whole days
    would hide the difference. A year holds hundreds of answers, so the median is taken here.
    """
    from advocacy.portal.models import CoordinationRequest

    answered = (
        CoordinationRequest.objects.using(stats_alias())
        .filter(_in_year("answered_at__date", fiscal_year))
        .values_list("sent_at", "answered_at")
    )
    return _count_and_median(
        [
            (answered_at - sent_at).total_seconds() / 86400
            for sent_at, answered_at in answered
            if answered_at is not None  # the filter on its date already requires one
        ]
    )


def reference_rows(fiscal_year: int | None = None) -> dict[str, list[tuple[str, str]]]:
    """Return the (code, label) rows of the configurable lists, in display order.

    Guardianship types: those of the schemes in force on some day of the fiscal year (every
    scheme without one), each named with its scheme when a year has two (a transition
    year shows the old types and the new side by side).
    """
    db = stats_alias()
    types_qs = GuardianshipType.objects.using(db).select_related("scheme")
    if fiscal_year is not None:
        first, last = fiscal_bounds(fiscal_year)
        types_qs = types_qs.filter(
            Q(scheme__valid_from__lte=last),
            Q(scheme__valid_until__isnull=True) | Q(scheme__valid_until__gte=first),
        )
    found = list(types_qs.order_by("scheme__valid_from", "sort_order"))
    several = len({t.scheme_id for t in found}) > 1
    types = [(str(t.pk), f"{t.scheme.name}：{t.name}" if several else t.name) for t in found]
    return {
        "area": list(Area.objects.using(db).values_list("code", "name")),
        "category": list(PersonCategory.objects.using(db).values_list("code", "name")),
        "concern": list(MainConcern.objects.using(db).values_list("code", "name")),
        "guardianship_type": types,
    }


def choice_rows(choices) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in choices]


PERSON_SEX_ROWS = Person.Sex.choices
PETITIONER_ROWS = PetitionerType.choices


def general_consultation_counts(fiscal_year: int) -> Counts:
    """Return the year's 一般相談 (by consultation day) by channel and outcome."""
    rows = (
        GeneralConsultation.objects.using(stats_alias())
        .filter(_in_year("consulted_on", fiscal_year))
        .values("channel", "outcome")
        .annotate(n=Count("*"))
        .order_by()
    )
    return _pairs(rows, "channel", "outcome")


NEW_OR_CONT = ("new", "continuing")


def consultation_totals(fiscal_year: int) -> Counts:
    """Return the year's consultations as contacts (延べ件数) and persons (実人数), new and
    continuing. A person counted as new is one with a new consultation in the year; as
    continuing, one with a continuing consultation (a person may be both)."""
    rows = (
        Consultation.objects.using(stats_alias())
        .filter(_in_year("consulted_on", fiscal_year))
        .values("is_new")
        .annotate(contacts=Count("*"), persons=Count("person_id", distinct=True))
        .order_by()
    )
    out: Counts = {(kind, col): 0 for kind in ("contacts", "persons") for col in NEW_OR_CONT}
    for row in rows:
        col = "new" if row["is_new"] else "continuing"
        out[("contacts", col)] = row["contacts"]
        out[("persons", col)] = row["persons"]
    return out


def releases_listed() -> QuerySet[Release]:
    """Return every release, newest first, without its tables (for the paginated list).

    Releases are written by the application: they are read from the default database, never
    the statistics replica, so a release is visible the moment it is made.
    """
    return (
        Release.objects.using("default")
        .only("fiscal_year", "number", "kind", "released_at")
        .order_by("-released_at", "-pk")
    )


def releases_page(releases: QuerySet[Release], number: str | None, per_page: int) -> Page:
    """Return one page of releases, counted in the same query (a window count beside each row).

    The same page as ``Paginator(releases, per_page).get_page(number)``, in one query instead
    of a COUNT and a SELECT; a page past the last (nothing read) falls back to the paginator,
    which shows the last page.
    """
    try:
        page_number = max(1, int(number or 1))
    except (TypeError, ValueError):
        page_number = 1
    start = (page_number - 1) * per_page
    rows = list(releases.annotate(listed=Window(Count("pk")))[start : start + per_page])
    paginator = Paginator(releases, per_page)
    if not rows and page_number > 1:
        return paginator.get_page(number)
    paginator.count = rows[0].listed if rows else 0  # the cached_property, known already
    return Page(rows, page_number, paginator)


def release_get(
    *, release_id: int | None, fiscal_year: int | None, language: str | None = None
) -> Release | None:
    """Return the release asked for, else the latest of fiscal_year, else the latest of all.

    With language, the release is read for its page: without what was released (``shown``,
    decoded only to rebuild tables that were not stored) and with only that language's stored
    tables, as ``fragment`` (None when the release has none stored in it: decision 100).
    """
    releases = Release.objects.using("default").defer("counts")
    if language is not None:
        releases = releases.defer("counts", "shown", "html").annotate(
            fragment=KT(f"html__{language}")
        )
    if release_id is not None:
        return releases.filter(pk=release_id).first()
    if fiscal_year is not None:
        releases = releases.filter(fiscal_year=fiscal_year)
    return releases.order_by("-released_at", "-pk").first()


# The national comparison: the city's figure counted as the national one is


@dataclass(frozen=True)
class CityFigure:
    """The city's figure on a national figure's definition and basis (the denominator of a
    share, None for a count), with the definition printed beside it."""

    numerator: int
    denominator: int | None
    definition: str


def _petitions_filed_in_calendar_year(year: int) -> CityFigure:
    n = (
        Petition.objects.using(stats_alias())
        .filter(
            filed_on__gte=datetime.date(year, 1, 1),
            filed_on__lte=datetime.date(year, 12, 31),
            purpose=Petition.Purpose.START,
        )
        .count()
    )
    return CityFigure(
        numerator=n,
        denominator=None,
        definition=(
            f"中核機関が支援した開始の申立て（この記録にあるもの）で、申立日が{year}年1月〜12月"
            "のもの。市内の全申立てではない。後見人等の交代・追加の選任申立ては含まない。"
        ),
    )


# (code, period, basis) of a national figure → how the city counts the same thing. A figure
# missing here cannot be counted on its basis from our records (e.g. the court's 終局事件,
# which include withdrawals we do not record; persons in use of the system, most of whom
# the agency never supported) and is printed without a city figure (decision 56).
CITY_MEASURES: dict[tuple[str, str, str], Callable[[int], CityFigure]] = {
    ("petitions", NationalFigure.Period.CALENDAR.value, NationalFigure.Basis.FILED.value): (
        _petitions_filed_in_calendar_year
    ),
}


def city_figure(figure: NationalFigure) -> CityFigure | None:
    """Return the city's figure counted on figure's definition, period and basis, or None."""
    measure = CITY_MEASURES.get((figure.code, figure.period, figure.basis))
    return measure(figure.year) if measure else None


# The court's side (advocacy.court, issue 18): signs of trouble (subsidies: subsidy_counts)


def court_flag_counts(fiscal_year: int) -> Counts:
    """Return the fraud-prevention flags raised in the year, by reason (basis: raised_on)."""
    rows = (
        Flag.objects.using(stats_alias())
        .filter(_in_year("raised_on", fiscal_year))
        .values("reason")
        .annotate(n=Count("*"))
        .order_by()
    )
    return {(r["reason"], "flags"): r["n"] for r in rows}


# The agency's other duties (advocacy.outreach, issue 19): publicity and training events,
# feedback to referrers


def outreach_event_counts(fiscal_year: int) -> Counts:
    """Count the year's events by kind: held, attendance, consultations taken there.

    Basis: the event's day (held_on). Consultations are those linked to the event, 一般相談
    and a case's consultations alike.
    """
    events = OutreachEvent.objects.using(stats_alias()).filter(_in_year("held_on", fiscal_year))
    attendance = sum(
        (F(name) for name in OutreachEvent.ATTENDANCE_FIELDS[1:]),
        F(OutreachEvent.ATTENDANCE_FIELDS[0]),
    )
    counts: Counts = {}
    for row in events.values("kind").annotate(n=Count("*"), people=Sum(attendance)):
        counts[(row["kind"], "events")] = row["n"]
        counts[(row["kind"], "attendance")] = row["people"] or 0
    for through in (
        OutreachEvent.general_consultations.through,
        OutreachEvent.consultations.through,
    ):
        linked = (
            through.objects.using(stats_alias())
            .filter(_in_year("outreachevent__held_on", fiscal_year))
            .values("outreachevent__kind")
            .annotate(n=Count("*"))
        )
        for row in linked:
            key = (row["outreachevent__kind"], "consultations")
            counts[key] = counts.get(key, 0) + row["n"]
    return counts


def feedback_counts(fiscal_year: int) -> Counts:
    """Count the feedback due in the year by milestone: given, and not (yet) given.

    Basis: the due date (due_on). Feedback cancelled by a withdrawn consent is not due.
    """
    rows = (
        Feedback.objects.using(stats_alias())
        .filter(_in_year("due_on", fiscal_year))
        .exclude(status=Feedback.Status.CANCELLED)
        .values("milestone", "status")
        .annotate(n=Count("*"))
    )
    return {
        (row["milestone"], "given" if row["status"] == Feedback.Status.GIVEN else "open"): row["n"]
        for row in rows
    }


# The national survey (成年後見制度利用促進施策に係る取組状況調査): counts by 高齢/障害


# Each person falls in one group: 障害 when any disability category applies, else 高齢 when
# the elderly one does, else neither (decision 77).
DISABILITY_CATEGORIES = ("intellectual", "mental", "other_disability")
SURVEY_GROUPS = [("elderly", "高齢者"), ("disabled", "障害者"), ("other", "その他・不明")]


def _survey_grouped(queryset: QuerySet, person_field: str) -> dict[str, int]:
    """Count queryset's rows by the survey group of the person at person_field."""
    through = Person.categories.through

    def in_categories(codes):
        return Exists(
            through.objects.filter(person_id=OuterRef(person_field), personcategory__code__in=codes)
        )

    rows = (
        queryset.annotate(
            disabled=in_categories(DISABILITY_CATEGORIES), elderly=in_categories(["elderly"])
        )
        .values("disabled", "elderly")
        .annotate(n=Count("*"))
        .order_by()
    )
    out = {code: 0 for code, _label in SURVEY_GROUPS}
    for row in rows:
        group = "disabled" if row["disabled"] else "elderly" if row["elderly"] else "other"
        out[group] += row["n"]
    return out


def survey_consultations(fiscal_year: int) -> dict[str, dict[str, int]]:
    """The year's case consultations (consultation day): contacts, new ones, persons."""
    year = Consultation.objects.using(stats_alias()).filter(_in_year("consulted_on", fiscal_year))
    persons = Person.objects.using(stats_alias()).filter(pk__in=year.values("person_id"))
    return {
        "contacts": _survey_grouped(year, "person_id"),
        "new": _survey_grouped(year.filter(is_new=True), "person_id"),
        "persons": _survey_grouped(persons, "pk"),
    }


def survey_general_consultations(fiscal_year: int) -> int:
    """The year's 一般相談 (consultation day); they name no one, so have no group."""
    return (
        GeneralConsultation.objects.using(stats_alias())
        .filter(_in_year("consulted_on", fiscal_year))
        .count()
    )


def survey_decisions(fiscal_year: int) -> dict[str, int]:
    """Case conferences (支援調整会議) held in the year (held_on), by the person's group."""
    year = Decision.objects.using(stats_alias()).filter(_in_year("held_on", fiscal_year))
    return _survey_grouped(year, "person_id")


def survey_coordination_cases(fiscal_year: int) -> dict[str, int]:
    """Cases with an appointment-coordination request sent in the year, by group."""
    from advocacy.portal.models import CoordinationRequest

    cases = Case.objects.using(stats_alias()).filter(
        pk__in=CoordinationRequest.objects.filter(_in_year("sent_at__date", fiscal_year)).values(
            "case_id"
        )
    )
    return _survey_grouped(cases, "person_id")


def survey_mayor_petitions(fiscal_year: int) -> dict[str, int]:
    """Mayor's petitions to start a guardianship filed in the year (filed_on), by group."""
    year = Petition.objects.using(stats_alias()).filter(
        _in_year("filed_on", fiscal_year),
        purpose=Petition.Purpose.START,
        petitioner_type=PetitionerType.MAYOR,
    )
    return _survey_grouped(year, "person_id")


# The survey group of an assessed application's budget line (decision 95).
SURVEY_GROUP_OF_LINE = {"elderly": "elderly", "disability": "disabled", "other": "other"}


def survey_subsidies(fiscal_year: int) -> dict[str, dict[str, int]]:
    """Subsidies granted in the year (decision day, 支給決定), by kind and group.

    The group of an application the rule computed is its budget line's (the city's own
    split, decision 95); of one not computed, its person's (decision 77).
    """
    granted = Subsidy.objects.using(stats_alias()).filter(
        _in_year("decided_on", fiscal_year), decision=Subsidy.Decision.APPROVED
    )
    out = {}
    for kind in Subsidy.Kind.values:
        of_kind = granted.filter(kind=kind)
        counts = _survey_grouped(of_kind.filter(assessment__isnull=True), "person_id")
        lines = (
            of_kind.filter(assessment__isnull=False)
            .values("assessment__budget_line")
            .annotate(n=Count("*"))
            .order_by()
        )
        for row in lines:
            counts[SURVEY_GROUP_OF_LINE[row["assessment__budget_line"]]] += row["n"]
        out[kind] = counts
    return out


def survey_appointments(fiscal_year: int, appointed: list[dict] | None = None) -> dict[str, int]:
    """Citizen and corporate guardians appointed in the year (appointed_on), any petition."""
    if appointed is None:
        appointed = appointments_of_year(fiscal_year)
    wanted = (
        GuardianAppointment.Profession.CITIZEN_GUARDIAN,
        GuardianAppointment.Profession.CORPORATE,
    )
    out: Counter = Counter()
    for row in appointed:
        if row["profession"] in wanted:
            out[row["profession"]] += row["n"]
    return dict(out)


# Developing guardians (担い手育成): citizen guardian training and the register


def guardian_development_counts(fiscal_year: int, appointed: list[dict] | None = None) -> Counts:
    """Count citizen guardians trained and appointed, and corporate guardianship appointments.

    Bases: trainees by their course's start day; completions by completed_on; registrations
    by registered_on; appointments (citizen, corporate) by appointed_on, any petition.
    """
    # One pass over the trainees for the three counts (conditional aggregation), not three
    # COUNTs: a course's start day through its FK, which every trainee has.
    trainees = Trainee.objects.using(stats_alias()).aggregate(
        trainees=Count("pk", filter=_in_year("course__starts_on", fiscal_year)),
        completed=Count("pk", filter=_in_year("completed_on", fiscal_year)),
        registered=Count("pk", filter=_in_year("registered_on", fiscal_year)),
    )
    appointed_now = survey_appointments(fiscal_year, appointed)
    return {
        ("trainees", "n"): trainees["trainees"],
        ("completed", "n"): trainees["completed"],
        ("registered", "n"): trainees["registered"],
        ("citizen_appointed", "n"): appointed_now.get("citizen_guardian", 0),
        ("corporate_appointed", "n"): appointed_now.get("corporate", 0),
    }


# Meetings (issue 17): held by kind, cases discussed, outside members by organisation type.
# Basis date: the meeting's held_on, in the fiscal year and not after today (a meeting not
# yet held is not counted).


def _meetings_held(fiscal_year: int, meeting: str = "") -> Q:
    start, end = fiscal_bounds(fiscal_year)
    end = min(end, timezone.localdate())
    return Q(**{f"{meeting}held_on__gte": start, f"{meeting}held_on__lte": end})


def meeting_counts(fiscal_year: int) -> Counts:
    """Meetings held in the year, by kind."""
    rows = (
        Meeting.objects.using(stats_alias())
        .filter(_meetings_held(fiscal_year))
        .values("kind")
        .annotate(n=Count("*"))
        .order_by()
    )
    return _singles(rows, "kind")


def meeting_case_counts(fiscal_year: int) -> Counts:
    """Cases discussed at meetings held in the year, by kind (延べ: a case at two counts twice)."""
    rows = (
        AgendaItem.objects.using(stats_alias())
        .filter(_meetings_held(fiscal_year, "meeting__"))
        .values("meeting__kind")
        .annotate(n=Count("*"))
        .order_by()
    )
    return _singles(rows, "meeting__kind")


def meeting_outside_member_counts(fiscal_year: int) -> Counts:
    """Outside members at meetings held in the year, by organisation type (延べ人数)."""
    rows = (
        Member.objects.using(stats_alias())
        .filter(_meetings_held(fiscal_year, "meeting__"), is_outside=True)
        .values("organisation_type")
        .annotate(n=Count("*"))
        .order_by()
    )
    return _singles(rows, "organisation_type")


def release_for_meeting(meeting: Meeting) -> Release | None:
    """Return the release the committee had for meeting: the latest made by its day."""
    end_of_day = timezone.make_aware(datetime.datetime.combine(meeting.held_on, datetime.time.max))
    return (
        Release.objects.filter(released_at__lte=end_of_day)
        .only("fiscal_year", "number", "kind", "released_at")  # named, not shown: no tables
        .order_by("-released_at")
        .first()
    )
