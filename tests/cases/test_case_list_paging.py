"""The case list's keyset pages and bounded count (decision 85).

Paging forward and back through a list gives every visible case exactly once, in order,
and never another organisation's case; the count stops at its limit.
"""

import datetime
import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advocacy.access import services as access
from advocacy.accounts.roles import Role
from advocacy.cases import selectors
from advocacy.cases.models import Case
from tests import factories

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 4, 1)


@pytest.fixture
def lists(city, council):
    """City cases on few days (ties broken by number), Council cases, one shared with the city."""
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    colleague = factories.user(Role.CITY_CASEWORKER, organisation=city)
    supervisor = factories.user(Role.CITY_CASEWORKER, Role.SUPERVISOR, organisation=city)
    council_worker = factories.user(Role.COUNCIL_CASEWORKER, organisation=council)
    council_supervisor = factories.user(
        Role.COUNCIL_CASEWORKER, Role.SUPERVISOR, organisation=council
    )
    mine = [factories.case_for(worker) for _i in range(7)]
    theirs = [factories.case_for(colleague) for _i in range(4)]
    council_cases = [factories.case_for(council_worker) for _i in range(4)]
    shared = council_cases[0]
    access.share_with_organisation(
        actor=council_supervisor,
        case=shared,
        organisation=city,
        basis="consent",
        reason="本人の同意に基づく共有",
    )
    # Three intake days for eleven city cases: most pages end in the middle of a day.
    for n, case in enumerate(mine + theirs + council_cases):
        Case.objects.filter(pk=case.pk).update(opened_on=DAY + datetime.timedelta(days=n % 3))
    return {
        "worker": worker,
        "supervisor": supervisor,
        "worker_sees": {c.number for c in mine} | {shared.number},
        "supervisor_sees": {c.number for c in mine + theirs} | {shared.number},
        "never": {c.number for c in council_cases[1:]},
    }


def _walk(user, size, *, backward_from=""):
    """Return the pages of user's list, following next cursors (or previous ones)."""
    pages = []
    cursor = backward_from
    while True:
        if backward_from:
            page = selectors.case_list_page(user=user, before=cursor, size=size)
            cursor = page.previous_cursor
        else:
            page = selectors.case_list_page(user=user, after=cursor, size=size)
            cursor = page.next_cursor
        pages.append([case.number for case in page.rows])
        if not cursor:
            return pages
        assert len(pages) < 50, "paging does not end"


def _expected_order(numbers):
    cases = Case.objects.filter(number__in=numbers).order_by("-opened_on", "-number")
    return list(cases.values_list("number", flat=True))


@pytest.mark.parametrize("who", ["worker", "supervisor"])
@pytest.mark.parametrize("size", [1, 3, 4, 25])
def test_paging_forward_and_back_gives_every_visible_case_once_in_order(lists, who, size):
    user = lists[who]
    expected = _expected_order(lists[f"{who}_sees"])

    forward = _walk(user, size)
    seen = [number for page in forward for number in page]
    assert seen == expected
    assert not set(seen) & lists["never"]
    assert all(len(page) == size for page in forward[:-1])

    # Back from just past the last case: the same pages, in reverse.
    last = Case.objects.get(number=expected[-1])
    beyond = f"{(last.opened_on - datetime.timedelta(days=1)).isoformat()}~"
    backward = _walk(user, size, backward_from=beyond)
    seen_back = [number for page in reversed(backward) for number in page]
    assert seen_back == expected


def test_a_page_of_the_list_costs_the_same_queries_first_or_later(client, lists):
    client.force_login(lists["supervisor"])
    first = selectors.case_list_page(user=lists["supervisor"], size=3)

    def queries(path):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == HTTPStatus.OK
        return len(captured)

    assert queries("/app/cases/") == queries(f"/app/cases/?after={first.next_cursor}")


def test_the_list_pages_through_links_and_a_bad_cursor_is_the_first_page(client, city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    numbers = {factories.case_for(worker).number for _i in range(27)}
    client.force_login(worker)

    first = client.get("/app/cases/")
    html = first.content.decode()
    (after,) = re.findall(r'href="\?after=([^"]+)"', html)
    second = client.get(f"/app/cases/?after={after}")
    shown = [c.number for c in first.context["rows"]] + [c.number for c in second.context["rows"]]

    assert sorted(shown) == sorted(numbers)
    assert "before=" in second.content.decode()
    assert "27 件" in html
    stale = client.get("/app/cases/?after=not-a-day~X&before=%3Cscript%3E")
    assert stale.status_code == HTTPStatus.OK
    assert [c.number for c in stale.context["rows"]] == [c.number for c in first.context["rows"]]


def test_the_count_stops_at_its_limit(client, lists, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 5)
    client.force_login(lists["supervisor"])

    html = client.get("/app/cases/").content.decode()

    assert "5 件以上" in html
    assert selectors.case_list_count(user=lists["supervisor"]) == (5, True)
    assert selectors.case_list_count(user=lists["supervisor"], limit=100) == (12, False)
