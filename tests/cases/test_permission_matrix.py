"""Every case URL × every role × every case state: the exact status, and no leaked values.

The table below is the specification; each cell is one test.
"""

import pytest

from advocacy.access import services as access
from advocacy.accounts.roles import Role
from advocacy.cases import services as case_services
from tests import factories
from tests.portal.otp import force_login_verified

pytestmark = pytest.mark.django_db

OK, FOUND, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404

STATES = ["own_granted", "own_not_granted", "other_org", "shared", "closed"]
PAGES = ["detail", "person", "record_add"]
ROLES = [
    "anonymous",
    "city_caseworker",
    "city_supervisor",
    "council_caseworker",
    "council_supervisor",
    "professional",
    "committee_member",
    "system_admin",
]

# Cases belong to the city except other_org and shared (the Council's; shared is shared with
# the city). The city caseworker is granted own_granted and closed; the Council caseworker
# opened the Council's two.
SEE_EDIT = {p: OK for p in PAGES}
SEE_ONLY = {"detail": OK, "person": FORBIDDEN, "record_add": FORBIDDEN}
HIDDEN = {p: NOT_FOUND for p in PAGES}
REFUSED = {p: FORBIDDEN for p in PAGES}
LOGIN = {p: FOUND for p in PAGES}

EXPECTED = {
    "anonymous": dict.fromkeys(STATES, LOGIN),
    "city_caseworker": {
        "own_granted": SEE_EDIT,
        "own_not_granted": HIDDEN,
        "other_org": HIDDEN,
        "shared": SEE_ONLY,
        "closed": SEE_ONLY,
    },
    "city_supervisor": {
        "own_granted": SEE_EDIT,
        "own_not_granted": SEE_EDIT,
        "other_org": HIDDEN,
        "shared": SEE_ONLY,
        "closed": SEE_ONLY,
    },
    "council_caseworker": {
        "own_granted": HIDDEN,
        "own_not_granted": HIDDEN,
        "other_org": SEE_EDIT,
        "shared": SEE_EDIT,
        "closed": HIDDEN,
    },
    "council_supervisor": {
        "own_granted": HIDDEN,
        "own_not_granted": HIDDEN,
        "other_org": SEE_EDIT,
        "shared": SEE_EDIT,
        "closed": HIDDEN,
    },
    "professional": dict.fromkeys(STATES, REFUSED),
    "committee_member": dict.fromkeys(STATES, REFUSED),
    "system_admin": dict.fromkeys(STATES, REFUSED),
}

# Which sensitive canaries a 200 may show: names always; finances only with the permission.
SHOWS_FINANCES = {
    ("city_caseworker", "own_granted"),
    ("city_caseworker", "closed"),
    ("city_supervisor", "own_granted"),
    ("city_supervisor", "own_not_granted"),
    ("city_supervisor", "closed"),
    ("council_caseworker", "other_org"),
    ("council_caseworker", "shared"),
    ("council_supervisor", "other_org"),
    ("council_supervisor", "shared"),
}


@pytest.fixture
def world(users_by_role):
    users = users_by_role
    city_worker, council_worker = users["city_caseworker"], users["council_caseworker"]
    city_colleague = factories.user(Role.CITY_CASEWORKER, organisation=city_worker.organisation)

    def make(state, worker):
        return factories.case_for(
            worker,
            name=f"名前カナリア{state}",
            kana=f"かなりあ{state}",
            income=f"収入カナリア{state}",
        )

    cases = {
        "own_granted": make("own_granted", city_worker),
        "own_not_granted": make("own_not_granted", city_colleague),
        "other_org": make("other_org", council_worker),
        "shared": make("shared", council_worker),
        "closed": make("closed", city_worker),
    }
    access.share_with_organisation(
        actor=users["council_supervisor"],
        case=cases["shared"],
        organisation=city_worker.organisation,
        basis="consent",
        reason="本人の同意に基づく共有",
    )
    import datetime

    case_services.case_close(
        actor=users["city_supervisor"],
        case=cases["closed"],
        reason="moved_away",
        on=datetime.date(2026, 6, 1),
    )
    return users, cases


def _url(page, case):
    if page == "detail":
        return f"/app/cases/{case.pk}/"
    if page == "person":
        return f"/app/cases/{case.pk}/person/"
    return f"/app/cases/{case.pk}/records/consultation/new/"


CELLS = [(role, state, page) for role in ROLES for state in STATES for page in PAGES]


@pytest.mark.parametrize(("role", "state", "page"), CELLS)
def test_case_page_answers_exactly_as_the_table_says(client, world, role, state, page):
    users, cases = world
    if role != "anonymous":
        force_login_verified(client, users[role])

    response = client.get(_url(page, cases[state]))

    assert response.status_code == EXPECTED[role][state][page]
    html = response.content.decode()
    if response.status_code != OK:
        for other_state in STATES:
            assert f"名前カナリア{other_state}" not in html
            assert f"収入カナリア{other_state}" not in html
        return
    for other_state in STATES:
        if other_state != state:
            assert f"名前カナリア{other_state}" not in html
    if page == "detail":
        assert f"名前カナリア{state}" in html
        assert (f"収入カナリア{state}" in html) == ((role, state) in SHOWS_FINANCES)


@pytest.mark.parametrize("role", ROLES)
def test_unknown_and_malformed_case_ids_give_the_same_404_as_hidden_ones(client, world, role):
    users, _cases = world
    if role != "anonymous":
        force_login_verified(client, users[role])

    unknown = client.get("/app/cases/00000000-0000-4000-8000-000000000000/")
    malformed = client.get("/app/cases/not-a-uuid/")

    expected = EXPECTED[role]["other_org"]["detail"]
    if role in ("council_caseworker", "council_supervisor"):
        expected = NOT_FOUND  # they may see other_org, but an unknown id is still missing
    assert unknown.status_code == expected
    assert malformed.status_code == expected


def test_a_refused_case_id_leaves_an_audit_event(client, world):
    from advocacy.audit.actions import Action
    from advocacy.audit.models import AuditEvent

    users, cases = world
    client.force_login(users["city_caseworker"])

    client.get(f"/app/cases/{cases['other_org'].pk}/")

    event = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).latest("sequence")
    assert event.actor == users["city_caseworker"]
    assert str(cases["other_org"].pk) in event.label


@pytest.mark.parametrize("role", ROLES)
def test_case_list_shows_only_visible_cases(client, world, role):
    users, cases = world
    if role != "anonymous":
        force_login_verified(client, users[role])

    response = client.get("/app/cases/")

    if role == "anonymous":
        assert response.status_code == FOUND
        return
    if role in ("professional", "committee_member", "system_admin"):
        assert response.status_code == FORBIDDEN
        return
    assert response.status_code == OK
    html = response.content.decode()
    for state, case in cases.items():
        visible = EXPECTED[role][state]["detail"] == OK
        assert (case.number in html) == visible, state
