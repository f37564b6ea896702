"""Reads of cases and records for screens; every one starts from the user's visible cases."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Exists, ForeignKey, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from advocacy.access.selectors import (
    case_visibility,
    case_visibility_part_count,
    case_visibility_parts,
)
from advocacy.accounts.models import Organisation, User
from advocacy.accounts.roles import is_case_staff, roles_of
from advocacy.cases.models import Case, Decision, GeneralConsultation, Person, Referral
from advocacy.cases.models.records import CaseRecord
from advocacy.crypto.blind_index import blind_lookup, blind_matches, blind_search
from advocacy.crypto.normalise import is_one_word
from advocacy.crypto.prefetch import prefetch_data_keys
from advocacy.statements import Statement

# What the case list and search pages show of each person: decrypted for the page at once,
# and named so in the audit trail (services.case_list_record).
LISTED_PERSON_FIELDS = ("name", "kana")
# The columns a row of the case list or of search results shows (cases/list.html,
# cases/search.html): a person's other encrypted columns are not read for a list.
LISTED_COLUMNS = (
    "number",
    "urgency",
    "stage",
    "opened_on",
    "person__organisation_id",
    "person__name",
    "person__kana",
    "person__age_band",
    "person__area__name",
    "assigned_worker__username",
    "assigned_worker__first_name",
    "assigned_worker__last_name",
)


def _listed(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related("person", "person__area", "assigned_worker").only(*LISTED_COLUMNS)


def cases_visible_to(*, user: User) -> QuerySet[Case]:
    """Return the cases user may open as staff (the rule: ``access.selectors.case_visibility``)."""
    return Case.objects.filter(case_visibility(user=user))


# What the visibility rule reads of a user: its id and organisation as values, its roles as
# shape (advocacy.statements).
_BY_USER = {"user": ("pk", "organisation_id")}


def _roles_key(values: Mapping[str, Any]) -> frozenset:
    return roles_of(values["user"])


# Where case_get_for notes, on the case it returns, whom it checked the case for.
_CHECKED_FOR = "_advocacy_visible_to"


def case_get_for(*, user: User, case_id: object) -> Case:
    """Return the case if user may see it; the same 404 whether it is missing or not theirs."""
    try:
        case_uuid = uuid.UUID(str(case_id))
    except ValueError:
        raise Http404 from None
    found = _CASE_FOR(user=user, case_id=case_uuid)
    if not found:
        raise Http404
    case = found[0]
    setattr(case, _CHECKED_FOR, user.pk)
    return case


def _case_for_build(*, user: User, case_id: uuid.UUID) -> QuerySet[Case]:
    return (
        cases_visible_to(user=user)
        # The person's area is on every case page (one row of a short table).
        .select_related("person", "person__area", "organisation", "assigned_worker")
        .filter(pk=case_id)[:1]
    )


# Every case page and every record screen reads its case so (advocacy.statements).
_CASE_FOR = Statement(_case_for_build, objects=_BY_USER, key=_roles_key)


def is_visible_to(*, user: User, case: Case) -> bool:
    """Return whether user may see case: known when case_get_for read it for them, else asked.

    For the sections of a case page, which check again: the page has read the case through
    case_get_for in the same request, and the same condition need not be built and run twice.
    """
    if getattr(case, _CHECKED_FOR, None) == user.pk and user.pk is not None:
        return True
    return cases_visible_to(user=user).filter(pk=case.pk).exists()


def _overdue_referrals(today: datetime.date) -> Exists:
    return Exists(
        Referral.objects.filter(
            case_id=OuterRef("pk"), followed_up_on__isnull=True, follow_up_due__lt=today
        )
    )


# The case list's pages and count (decision 85): each part of the user's visibility is read
# as an index range in list order and cut at the page, and the count stops at COUNT_LIMIT.
PAGE_SIZE = 25
COUNT_LIMIT = 1000


def _case_list_lanes(
    *,
    user: User,
    stage: str = "",
    area_id: int | None = None,
    mine: bool = False,
    overdue: bool = False,
) -> list[QuerySet[Case]]:
    """Return the filtered lanes whose union is the user's case list; no case is in two."""
    today = timezone.localdate() if overdue else None
    return [
        _lane(user=user, part=part, mine=mine, stage=stage, area_id=area_id, today=today)
        for part in case_visibility_parts(user=user)
    ]


def _lane(
    *,
    user: User,
    part: Q,
    mine: bool,
    stage: str = "",
    area_id: int | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Case]:
    """One part of the user's visible cases with the list's filters (today: overdue only)."""
    cases = Case.objects.filter(part)
    if stage:
        cases = cases.filter(stage=stage)
    if area_id:
        cases = cases.filter(person__area_id=area_id)
    if mine:
        cases = cases.filter(assigned_worker_id=user.pk)
    if today is not None:
        cases = cases.filter(_overdue_referrals(today))
    return cases


def _lane_page_build(
    *,
    user: User,
    lane: int,
    mine: bool,
    direction: str,
    size: int,
    day: datetime.date | None = None,
    number: str = "",
    **filters: Any,
) -> QuerySet[Case]:
    """One lane of the case list read from a position: what ``_LANE_PAGE`` compiles once."""
    part = case_visibility_parts(user=user)[lane]
    cases = _lane(user=user, part=part, mine=mine, **filters)
    if direction == "back":
        cases = cases.filter(Q(opened_on__gt=day) | Q(opened_on=day, number__gt=number))
        return _listed(cases.order_by("opened_on", "number"))[:size]
    if direction == "on":
        cases = cases.filter(Q(opened_on__lt=day) | Q(opened_on=day, number__lt=number))
    return _listed(cases.order_by("-opened_on", "-number"))[:size]


def _lane_count_build(
    *, user: User, lane: int, mine: bool, limit: int, **filters: Any
) -> QuerySet[Case, Any]:
    """One lane of the case list cut at limit, to be counted: what ``_LANE_COUNT`` compiles."""
    part = case_visibility_parts(user=user)[lane]
    return _lane(user=user, part=part, mine=mine, **filters).order_by().values_list("pk")[:limit]


def _list_arguments(filters: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split the list's filters into the values and the shape of its statements."""
    values: dict[str, Any] = {}
    if filters.get("stage"):
        values["stage"] = filters["stage"]
    if filters.get("area_id"):
        values["area_id"] = filters["area_id"]
    if filters.get("overdue"):
        values["today"] = timezone.localdate()
    return values, {"mine": bool(filters.get("mine"))}


# The case list is opened all day: its lanes are compiled once per shape (advocacy.statements).
_LANE_PAGE = Statement(_lane_page_build, objects=_BY_USER, key=_roles_key)
_LANE_COUNT = Statement(_lane_count_build, objects=_BY_USER, key=_roles_key, counts=True)


def case_list(**filters: Any) -> QuerySet[Case]:
    """Return every case of the case list (keyword filters as case_list_page), newest first.

    For tests and exports; the page reads case_list_page, which never sorts the whole set.
    """
    lanes = _case_list_lanes(**filters)
    if not lanes:
        return Case.objects.none()
    return Case.objects.filter(pk__in=lanes[0].union(*lanes[1:]).values("pk")).order_by(
        "-opened_on", "-number"
    )


@dataclass(frozen=True)
class CaseListPage:
    rows: list[Case]
    # Cursors for the links: the last row's key to read on, the first row's to read back;
    # "" when there is nothing that way.
    next_cursor: str
    previous_cursor: str


def case_cursor(case: Case) -> str:
    """Return the list position of case: its intake date and number (no personal data)."""
    return f"{case.opened_on.isoformat()}~{case.number}"


def _parse_cursor(cursor: str) -> tuple[datetime.date, str] | None:
    day, _sep, number = cursor.partition("~")
    try:
        return datetime.date.fromisoformat(day), number
    except ValueError:
        return None  # a hand-made or stale link: the first page


def case_list_page(
    *, user: User, after: str = "", before: str = "", size: int = PAGE_SIZE, **filters: Any
) -> CaseListPage:
    """Return the page of the case list after (or before) a cursor, newest first.

    Keyset paging on (opened_on, number), a unique key: each lane is read from the cursor
    in that order with LIMIT size + 1 and the lanes are merged here, so a page costs the
    same on the first page and the four-thousandth, and never counts or sorts all rows.
    """
    position = _parse_cursor(before or after) if (before or after) else None
    backward = bool(before) and position is not None
    values, shape = _list_arguments(filters)
    if position is not None:
        values["day"], values["number"] = position
    shape["direction"] = "back" if backward else ("on" if position is not None else "first")
    shape["size"] = size + 1
    rows: list[Case] = []
    for lane in range(case_visibility_part_count(user=user)):
        rows += _LANE_PAGE({**shape, "lane": lane}, user=user, **values)
    # Python compares case numbers by code point, the database by its collation; for numbers
    # of one format (R8-0012) both orders agree, which the merge and the cursors rely on.
    rows.sort(key=lambda case: (case.opened_on, case.number), reverse=not backward)
    more = len(rows) > size
    rows = rows[:size]
    if backward:
        rows.reverse()
    has_next = more if not backward else True
    has_previous = more if backward else position is not None
    return CaseListPage(
        rows=persons_prefetched(rows),
        next_cursor=case_cursor(rows[-1]) if rows and has_next else "",
        previous_cursor=case_cursor(rows[0]) if rows and has_previous else "",
    )


def case_list_count(*, user: User, limit: int | None = None, **filters: Any) -> tuple[int, bool]:
    """Return (count, more) of the case list, counting at most limit + 1 rows a lane."""
    limit = COUNT_LIMIT if limit is None else limit
    values, shape = _list_arguments(filters)
    count = 0
    for lane in range(case_visibility_part_count(user=user)):
        count += _LANE_COUNT({**shape, "lane": lane, "limit": limit + 1}, user=user, **values)
    return min(count, limit), count > limit


def persons_prefetched(cases) -> list[Case]:
    """Load the data keys of the persons on a page of cases in one query; return the cases.

    The persons' listed fields are decrypted then too, in one pass over the page.
    """
    cases = list(cases)
    prefetch_data_keys([case.person for case in cases], decrypt=LISTED_PERSON_FIELDS)
    return cases


def case_search(
    *,
    user: User,
    number: str = "",
    name: str = "",
    kana: str = "",
    birth_date: datetime.date | None = None,
) -> list[Case]:
    """Find visible cases by case number, or by name or kana (with birth date) exactly."""
    if number:
        found = cases_visible_to(user=user).filter(number=number.strip().upper())
        return persons_prefetched(_listed(found))
    criteria: dict[str, object] = {}
    if kana:
        criteria["kana"] = kana
    if name:
        criteria["name"] = name
    if birth_date and "kana" in criteria:
        criteria["birth_date"] = birth_date
    cases, matches = _searched(user, criteria) if criteria else ([], [])
    if not matches and kana and not name and is_one_word(kana):
        # One word of kana: it may be the family name alone (やまかわ for やまかわ ゆき).
        cases, matches = _searched(user, {"kana": kana}, part="family")
        criteria.pop("birth_date", None)
    if birth_date and "birth_date" not in criteria:
        matches = [p for p in matches if p.birth_date == birth_date]
    person_ids = {p.pk for p in matches}
    return persons_prefetched([case for case in cases if case.person_id in person_ids])


def _searched(
    user: User, criteria: Mapping[str, object], part: str | None = None
) -> tuple[list[Case], list[Person]]:
    """Return the visible cases of the persons whose values equal the criteria, and those
    persons: the candidates read by their blind index, compared, and their cases read."""
    lookup = blind_lookup(Person, criteria, part)
    if lookup is None:
        return [], []
    column, value = lookup
    candidates = _SEARCH_PERSONS({"column": column}, user=user, value=value)
    matches = blind_matches(candidates, criteria, part)
    person_ids = sorted({person.pk for person in matches})
    return _SEARCH_CASES(user=user, person_ids=person_ids) if matches else [], matches


def _search_persons_build(*, user: User, column: str, value: int) -> QuerySet[Person]:
    visible = cases_visible_to(user=user).values("person_id")
    return (
        Person.objects.filter(pk__in=visible, **{column: value})
        # What a search compares (the blind index narrows; the values decide).
        .only("pk", "name", "kana", "birth_date")
    )


def _search_cases_build(*, user: User, person_ids: list[uuid.UUID]) -> QuerySet[Case]:
    found = cases_visible_to(user=user).filter(person_id__in=person_ids)
    return _listed(found).order_by("-opened_on", "-number")


# Each search asks two statements: compiled once (advocacy.statements).
_SEARCH_PERSONS = Statement(_search_persons_build, objects=_BY_USER, key=_roles_key)
_SEARCH_CASES = Statement(_search_cases_build, objects=_BY_USER, key=_roles_key)


@dataclass(frozen=True)
class PossibleDuplicate:
    organisation: Organisation
    case: Case | None  # set only when the user may open it
    person: Person | None = None  # for the audit of a match named; never shown


def possible_duplicates(
    *, user: User, kana: str, birth_date: datetime.date
) -> list[PossibleDuplicate]:
    """Return persons anywhere with the same kana and birth date.

    Other organisations' matches are told only by organisation name, never with details.
    """
    matches = blind_search(
        Person.objects.filter(erased_at__isnull=True).select_related("organisation"),
        {"kana": kana, "birth_date": birth_date},
    )
    if not matches:
        return []
    visible = {
        case.person_id: case
        for case in cases_visible_to(user=user).filter(person_id__in=[p.pk for p in matches])
    }
    return [
        PossibleDuplicate(organisation=p.organisation, case=visible.get(p.pk), person=p)
        for p in matches
    ]


@dataclass
class TimelineEntry:
    date: datetime.date | None  # None: not known yet (a petition before its filing day)
    kind: str
    record: CaseRecord
    rows: list[tuple[str, str]] = field(default_factory=list)  # filled in for display


def case_holds(*, case: Case, models: Iterable[type[Model]]) -> set[type[Model]]:
    """Return which of models hold a row of case (each has a ``case`` key): one statement.

    Written from the models' tables, not built by the ORM: the case page asks it of a dozen
    models on every view, and building a dozen EXISTS subqueries cost more than running them.
    """
    asked = list(dict.fromkeys(models))
    if not asked:
        return set()
    quote = connection.ops.quote_name
    # Only table and column names from the models, quoted; the case's id is a parameter.
    probes = [
        f"EXISTS (SELECT 1 FROM {quote(model._meta.db_table)} "  # noqa: S608
        f"WHERE {quote(_case_column(model))} = %s)"
        for model in asked
    ]
    value = Case._meta.pk.get_db_prep_value(case.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(probes), [value] * len(asked))  # noqa: S608
        row = cursor.fetchone()
    return {model for model, held in zip(asked, row, strict=True) if held}


def _case_column(model: type[Model]) -> str:
    field = model._meta.get_field("case")
    if not isinstance(field, ForeignKey):
        raise TypeError(f"{model.__name__}.case is not a key to a case")
    return field.column


def case_timeline(
    *, case: Case, kinds: dict[str, type[CaseRecord]], held: set[type[Model]]
) -> list[TimelineEntry]:
    """Return everything recorded about case, newest first.

    Only the kinds the case holds any record of are read (held: what ``case_holds`` returned
    for at least kinds' models): a case holds a few of the eleven kinds, and a query of a
    kind it has none of cost more to build than to run.
    """
    entries = []
    for kind, model in kinds.items():
        if model not in held:
            continue
        for record in model._default_manager.filter(case_id=case.pk).select_related("created_by"):
            day = record.timeline_date
            if isinstance(day, datetime.datetime):
                day = timezone.localtime(day).date()
            entries.append(TimelineEntry(date=day, kind=kind, record=record))
    prefetch_data_keys([entry.record for entry in entries])
    entries.sort(key=_timeline_order, reverse=True)
    return entries


def _timeline_order(entry: TimelineEntry) -> tuple[bool, datetime.date, datetime.datetime]:
    # Newest first; a record whose date is not known yet is still to happen, so it comes
    # before every dated one, the undated among themselves by when they were recorded.
    return (entry.date is None, entry.date or datetime.date.min, entry.record.created_at)


def record_get(*, case: Case, model: type[CaseRecord], record_id: object) -> CaseRecord | None:
    """Return one record of case, or None when the id is malformed or belongs elsewhere."""
    try:
        record_uuid = uuid.UUID(str(record_id))
    except ValueError:
        return None
    return model._default_manager.filter(case_id=case.pk, pk=record_uuid).first()


def general_consultations_for(*, user: User) -> QuerySet[GeneralConsultation]:
    """Return the 一般相談 of user's organisation, newest first (staff only)."""
    organisation_id = user.organisation_id
    if not is_case_staff(user) or organisation_id is None:
        return GeneralConsultation.objects.none()
    return (
        GeneralConsultation.objects.filter(organisation_id=organisation_id)
        .select_related("area", "case", "created_by")
        .prefetch_related("main_concerns")
        .order_by("-consulted_on", "-created_at")
    )


def general_consultation_get_for(
    *, user: User, consultation_id: object
) -> GeneralConsultation | None:
    """Return one 一般相談 of user's organisation, or None (missing, malformed or not theirs)."""
    try:
        pk = uuid.UUID(str(consultation_id))
    except ValueError:
        return None
    return general_consultations_for(user=user).filter(pk=pk).first()


def last_decision(*, case_id: uuid.UUID, naming_a_type: bool = False) -> Decision | None:
    """Return the latest case-conference decision of a case (optionally one naming a type)."""
    decisions = Decision.objects.filter(case_id=case_id).select_related("guardianship_type")
    if naming_a_type:
        decisions = decisions.filter(guardianship_type__isnull=False)
    return decisions.order_by("-held_on", "-created_at").first()
