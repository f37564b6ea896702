"""Statements compiled once with stand-ins (advocacy.statements, decision 117).

A cached statement must give each call its own rows: another user's shape must never be run
with this user's ids, a value must never be left as its stand-in, and a build that lets a
value decide its SQL must fail the tests (the suite runs with ADVOCACY_STATEMENTS_CHECKED).
Most tests here turn the check off, to attack the path production runs.
"""

import datetime

import pytest
from django.db import connections
from django.http import Http404

from advocacy.access import services as access
from advocacy.accounts.roles import Role
from advocacy.accounts.services import user_deactivate
from advocacy.cases import selectors
from advocacy.cases.models import Case
from advocacy.statements import Statement, StatementShapeError
from tests import factories

pytestmark = pytest.mark.django_db


def _cache(statement: Statement) -> dict:
    return connections["default"].__dict__.get(statement._cache_name, {})


@pytest.fixture
def production(settings):
    settings.ADVOCACY_STATEMENTS_CHECKED = False


@pytest.fixture
def office(city, council):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    colleague = factories.user(Role.CITY_CASEWORKER, organisation=city)
    supervisor = factories.user(Role.CITY_CASEWORKER, Role.SUPERVISOR, organisation=city)
    council_worker = factories.user(Role.COUNCIL_CASEWORKER, organisation=council)
    return {
        "worker": worker,
        "supervisor": supervisor,
        "council_worker": council_worker,
        "mine": [factories.case_for(worker) for _i in range(2)],
        "theirs": [factories.case_for(colleague) for _i in range(2)],
        "council": [factories.case_for(council_worker) for _i in range(2)],
    }


def test_each_call_reads_its_own_values_and_compiles_once(production, office):
    built = []

    def build(*, number):
        built.append(number)
        return Case.objects.filter(number=number)

    by_number = Statement(build)
    first, second = office["mine"][0], office["theirs"][1]
    assert [c.pk for c in by_number(number=first.number)] == [first.pk]
    assert [c.pk for c in by_number(number=second.number)] == [second.pk]
    assert by_number(number="R0-9999") == []
    # Built once, with its stand-in; never with a real value.
    assert len(built) == 1
    assert built[0] not in {first.number, second.number}


def test_a_build_whose_sql_depends_on_a_value_fails_when_checked(settings, office):
    settings.ADVOCACY_STATEMENTS_CHECKED = True

    def build(*, number):
        # Wrong on purpose: the value chooses the filter (a stand-in is long).
        if len(number) > 12:
            return Case.objects.filter(number=number)
        return Case.objects.filter(number=number, stage=Case.Stage.CONSULTATION)

    statement = Statement(build)
    with pytest.raises(StatementShapeError):
        statement(number=office["mine"][0].number)


def test_a_value_changed_on_its_way_is_compiled_per_call(production, office):
    case = office["mine"][0]
    contains = Statement(lambda *, part: Case.objects.filter(number__contains=part))
    found = contains(part=case.number[-4:])
    assert case.pk in {c.pk for c in found}
    assert contains(part="no-such-number") == []
    # '%…%' holds the stand-in but is not it: nothing is cached for this shape.
    assert list(_cache(contains).values()) == [None]


def test_none_is_never_a_value(production, office):
    statement = Statement(lambda *, worker_id: Case.objects.filter(assigned_worker_id=worker_id))
    assert len(statement(worker_id=office["worker"].pk)) == 2
    # IS NULL, not = NULL: run as built, never through the cached '= %s'.
    assert statement(worker_id=None) == []
    assert list(_cache(statement).values()) != [None]


@pytest.mark.parametrize("first", ["supervisor", "worker", "council_worker"])
def test_a_list_compiled_for_one_user_never_shows_another_users_cases(production, office, first):
    """Attack: whoever's list is compiled first, each user sees exactly their own cases."""
    sees = {
        "supervisor": {c.number for c in office["mine"] + office["theirs"]},
        "worker": {c.number for c in office["mine"]},
        "council_worker": {c.number for c in office["council"]},
    }
    order = [first] + [name for name in sees if name != first]
    for _round in range(2):
        for name in order:
            page = selectors.case_list_page(user=office[name])
            assert {c.number for c in page.rows} == sees[name], name
    assert all(_cache(selectors._LANE_PAGE).values()), "the list ran uncached"


def test_a_case_read_for_a_supervisor_is_not_read_so_for_a_caseworker(production, office):
    colleagues_case = office["theirs"][0]
    assert selectors.case_get_for(user=office["supervisor"], case_id=colleagues_case.pk)
    with pytest.raises(Http404):
        selectors.case_get_for(user=office["worker"], case_id=colleagues_case.pk)
    with pytest.raises(Http404):
        selectors.case_get_for(user=office["council_worker"], case_id=colleagues_case.pk)
    own = office["mine"][0]
    assert selectors.case_get_for(user=office["worker"], case_id=own.pk).pk == own.pk
    assert all(_cache(selectors._CASE_FOR).values()), "the case ran uncached"


def test_a_new_share_shows_at_once_in_a_cached_list(production, office, city, council):
    worker, council_case = office["worker"], office["council"][0]
    before = {c.number for c in selectors.case_list_page(user=worker).rows}
    assert council_case.number not in before
    access.share_with_organisation(
        actor=factories.user(Role.COUNCIL_CASEWORKER, Role.SUPERVISOR, organisation=council),
        case=council_case,
        organisation=city,
        basis="consent",
        reason="本人の同意に基づく共有",
    )
    after = {c.number for c in selectors.case_list_page(user=worker).rows}
    assert after == before | {council_case.number}


def test_the_keyset_pages_carry_their_cursor_values(production, office):
    supervisor = office["supervisor"]
    for n, case in enumerate(office["mine"] + office["theirs"]):
        Case.objects.filter(pk=case.pk).update(
            opened_on=datetime.date(2026, 4, 1) + datetime.timedelta(days=n)
        )
    seen, cursor = [], ""
    while True:
        page = selectors.case_list_page(user=supervisor, after=cursor, size=1)
        seen += [c.number for c in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    expected = [c.number for c in selectors.case_list(user=supervisor)]
    assert seen == expected and len(seen) == 4


@pytest.mark.parametrize("first", ["supervisor", "worker", "council_worker"])
def test_a_count_compiled_for_one_user_counts_only_anothers_own(production, office, first):
    counts = {"supervisor": 4, "worker": 2, "council_worker": 2}
    order = [first] + [name for name in counts if name != first]
    for name in order:
        assert selectors.case_list_count(user=office[name]) == (counts[name], False), name
        assert selectors.case_list_count(user=office[name], limit=1) == (1, True), name
    assert all(_cache(selectors._LANE_COUNT).values()), "the count ran uncached"


def test_the_part_count_is_the_number_of_parts(office, users_by_role):
    from advocacy.access.selectors import case_visibility_part_count, case_visibility_parts

    for user in [*office.values(), *users_by_role.values()]:
        if not hasattr(user, "organisation_id"):
            continue
        assert case_visibility_part_count(user=user) == len(case_visibility_parts(user=user))


def test_a_value_the_build_changes_is_compiled_per_call(production, office):
    """A value hashed or upper-cased on its way is not among the parameters as it came."""
    case = office["mine"][0]
    upper = Statement(lambda *, number: Case.objects.filter(number=number.upper()))
    assert [c.pk for c in upper(number=case.number.lower())] == [case.pk]
    assert upper(number="r0-9999") == []
    assert list(_cache(upper).values()) == [None]


@pytest.mark.parametrize("first", ["supervisor", "worker", "council_worker"])
def test_a_search_compiled_for_one_user_finds_only_anothers_own(production, city, first):
    """Attack: the same kana in three lists; each user finds only the cases they may see."""
    from advocacy.crypto.keycache import key_cache

    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    colleague = factories.user(Role.CITY_CASEWORKER, organisation=city)
    supervisor = factories.user(Role.CITY_CASEWORKER, Role.SUPERVISOR, organisation=city)
    council = factories.organisation(kind="council_centre")
    council_worker = factories.user(Role.COUNCIL_CASEWORKER, organisation=council)
    kana = "かくう たろう"
    cases = {
        "worker": factories.case_for(worker, kana=kana),
        "colleague": factories.case_for(colleague, kana=kana),
        "council": factories.case_for(council_worker, kana=kana),
    }
    users = {"supervisor": supervisor, "worker": worker, "council_worker": council_worker}
    finds = {
        "supervisor": {cases["worker"].pk, cases["colleague"].pk},
        "worker": {cases["worker"].pk},
        "council_worker": {cases["council"].pk},
    }
    with key_cache():
        for name in [first] + [n for n in users if n != first]:
            found = selectors.case_search(user=users[name], kana=kana)
            assert {c.pk for c in found} == finds[name], name
            family = selectors.case_search(user=users[name], kana="かくう")
            assert {c.pk for c in family} == finds[name], name
    for statement in (selectors._SEARCH_PERSONS, selectors._SEARCH_CASES):
        assert all(_cache(statement).values()), "the search ran uncached"


def test_a_list_value_is_compiled_once_for_each_length(production, office):
    built = []

    def build(*, numbers):
        built.append(len(numbers))
        return Case.objects.filter(number__in=numbers).order_by("number")

    by_numbers = Statement(build)
    mine, theirs = office["mine"], office["theirs"]
    assert [c.pk for c in by_numbers(numbers=[mine[0].number])] == [mine[0].pk]
    pair = sorted([mine[1], theirs[0]], key=lambda c: c.number)
    assert [c.pk for c in by_numbers(numbers=[c.number for c in pair])] == [c.pk for c in pair]
    assert [c.pk for c in by_numbers(numbers=[theirs[1].number])] == [theirs[1].pk]
    assert by_numbers(numbers=[]) == []
    assert built == [1, 2, 0]  # once a length; the empty list as built
    with pytest.raises(ValueError):
        by_numbers(numbers=[mine[0].number, mine[0].number])


@pytest.mark.parametrize("checked", [False, True])
def test_someone_who_may_see_no_case_is_answered_none_not_an_error(
    settings, office, users_by_role, checked
):
    """Non-staff and deactivated staff: the visibility rule is an empty IN, which the ORM
    answers without a query; a compiled statement must answer the same."""
    settings.ADVOCACY_STATEMENTS_CHECKED = checked
    case = office["mine"][0]
    gone = factories.user(Role.CITY_CASEWORKER, organisation=case.organisation)
    user_deactivate(actor=None, user=gone)
    gone.refresh_from_db()
    nobody = [
        *(users_by_role[role] for role in ("professional", "committee_member", "no_role")),
        users_by_role["system_admin"],
        gone,
    ]
    for user in nobody:
        with pytest.raises(Http404):
            selectors.case_get_for(user=user, case_id=case.pk)
        assert selectors.case_search(user=user, kana="しけん はなこ") == []
        assert selectors.case_list_page(user=user).rows == []
        assert selectors.case_list_count(user=user) == (0, False)


def test_a_value_of_another_kind_is_run_as_built(production, office):
    """A datetime, a str enum: no stand-in is made for them; the call still answers."""
    import datetime as dt

    from django.utils import timezone

    since = Statement(lambda *, moment: Case.objects.filter(created_at__gte=moment))
    assert len(since(moment=timezone.now() - dt.timedelta(days=1))) == 6
    assert since(moment=timezone.now() + dt.timedelta(days=1)) == []
    staged = Statement(lambda *, stage: Case.objects.filter(stage=stage))
    assert len(staged(stage=Case.Stage.CONSULTATION)) == 6
    assert _cache(since) == {} and _cache(staged) == {}
