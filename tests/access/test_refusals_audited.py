"""Every refused request writes exactly one access-denied event, whatever refused it.

The URLs are not listed by hand: they are walked from the URL patterns (get_resolver), each
converter filled with an id of a real object of the city (a case with a running process, its
task, a record, a document, a coordination request, a 一般相談, a worker), and requested by
each role that must not have it. A refusal is a 403, or a 404 on a URL that names an existing
object (the "missing or not yours" answer). A new URL is covered the day it is added; a new
converter name fails here until it is given an id.
"""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Contact, GeneralConsultation
from advocacy.cases.services import general_consultation_record
from advocacy.court import services as court_services
from advocacy.court.models import Obligation
from advocacy.ledger.mapping import mapping_from_json
from advocacy.ledger.services import ledger_upload
from advocacy.meetings import services as meetings
from advocacy.portal.models import CoordinationRequest
from tests import factories
from tests.ledger import books
from tests.portal.conftest import send
from tests.portal.otp import confirmed_device, force_login_verified
from tests.workflows.conftest import Walker, open_task

pytestmark = pytest.mark.django_db

CANARY = "kana-canary-せとうち"
# Logging out is no refusal and would end the walk.
SKIPPED = {"logout", "admin:logout"}
ROLES = [
    "council_caseworker",  # another organisation's caseworker
    "council_supervisor",  # another organisation's supervisor
    "committee_member",
    "system_admin",
    "professional",  # sent a request about the case, not (yet) accepted
]


def _patterns(resolver=None, namespace=""):
    """Yield (name, kwarg names) for every named URL pattern, namespaces included."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            outer = set(entry.pattern.regex.groupindex)
            for name, kwargs in _patterns(entry, inner):
                yield name, kwargs | outer
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", set(entry.pattern.regex.groupindex)


@pytest.fixture
def world(users_by_role, settings):
    """A city case far enough along that every kind of id in a URL has a real value."""
    settings.WORKFLOWS = {}
    settings.PORTAL_REQUEST_EXPIRY_DAYS = 14
    worker = users_by_role["city_caseworker"]
    case = factories.case_for(worker)
    Walker().start(worker, case)
    task = open_task(case, "consultation", "intake")
    contact = factories.case_record(
        worker,
        case,
        Contact(contacted_on=datetime.date(2026, 4, 12), contact_from="guardian", summary="架空"),
    )
    client = Client()
    client.force_login(worker)
    send(client, case, users_by_role["professional"].professional)
    general = general_consultation_record(
        actor=worker,
        consultation=GeneralConsultation(
            consulted_on=datetime.date(2026, 6, 1),
            channel="visit",
            referrer_type="self",
            minutes=15,
            outcome="referred",
        ),
    )
    # Outreach: an event of the city, a feedback of a consenting case, a Council course.
    from advocacy.outreach import services as outreach
    from advocacy.outreach.models import Feedback, OutreachEvent, Trainee, TrainingCourse

    event = outreach.event_save(
        actor=worker,
        event=OutreachEvent(
            held_on=datetime.date(2026, 6, 1),
            title="架空の講座",
            kind="resident_seminar",
            audience="residents",
            organiser="city",
        ),
    )
    consenting = factories.case_for(worker, intake=True, feedback_consent="given", name="同意 架空")
    course = outreach.course_create(
        actor=users_by_role["council_caseworker"],
        course=TrainingCourse(
            title="架空の研修",
            cohort=1,
            starts_on=datetime.date(2026, 5, 1),
            sessions=2,
            required_sessions=2,
        ),
    )
    trainee = outreach.trainee_enrol(
        actor=users_by_role["council_caseworker"],
        course=course,
        trainee=Trainee(name="架空 受講者", kana="かくう じゅこうしゃ"),
    )
    meeting = meetings.meeting_create(
        actor=worker, values={"kind": "support", "held_on": datetime.date(2026, 6, 2)}
    )
    meetings.item_add(actor=worker, meeting=meeting, case=case)
    ledger_import, _check = ledger_upload(
        actor=users_by_role["city_supervisor"],
        data=books.book([books.row("R5-001")]),
        mapping=mapping_from_json(books.mapping_json()),
    )
    # The court's side: a flag on the case (a supervisor clears it).
    flag = court_services.asset_change_record(
        actor=worker, case=case, noted_on=datetime.date(2026, 6, 3), note="架空の資産の変動"
    )
    # An obligation written as the reporting plan would (the plan needs a ruling first).
    obligation = Obligation.objects.create(
        case=case, kind=Obligation.Kind.FIRST_REPORT, due_on=datetime.date(2026, 8, 1)
    )
    return {
        "obligation_id": obligation.pk,
        # A paper of the petition set, as Word.
        "code": "petition",
        "fmt": "docx",
        "flag_id": flag.pk,
        "import_id": ledger_import.pk,
        "event_id": event.pk,
        "feedback_id": Feedback.objects.get(case=consenting).pk,
        "course_id": course.pk,
        "trainee_id": trainee.pk,
        "case_id": case.pk,
        "meeting_id": meeting.pk,
        "process_pk": task.process_id,
        "task_pk": task.pk,
        "kind": "contact",
        "record_id": contact.pk,
        "event": "contact",
        "request_id": CoordinationRequest.objects.get(case=case).pk,
        "consultation_id": general.pk,
        "worker_id": worker.pk,
        # The admin's own converters: the worker's account, in the accounts app.
        "object_id": worker.pk,
        "app_label": "accounts",
        "id": worker.pk,
        # django-otp's admin page of a device (it answers 500, not 404, for a missing one).
        "pk": confirmed_device(worker).pk,
        "content_type_id": 1,
    }


def _url(name: str, kwarg_names: set[str], world: dict) -> str:
    unknown = kwarg_names - set(world)
    assert not unknown, f"{name}: give the converter(s) {sorted(unknown)} an id in world"
    kwargs = {key: world[key] for key in kwarg_names}
    return reverse(name, kwargs=kwargs)


def _denied() -> int:
    return AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count()


@pytest.mark.parametrize("role", ROLES)
def test_every_refusal_of_every_url_writes_one_event(users_by_role, world, role):
    user = users_by_role[role]
    client = force_login_verified(Client(), user)
    refused, wrong = 0, []
    for name, kwarg_names in sorted(_patterns()):
        if name in SKIPPED:
            continue
        url = _url(name, kwarg_names, world)
        before = _denied()
        # A query string that must never reach the audit trail.
        response = client.get(url, {"q": CANARY})
        if response.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
            before = _denied()
            response = client.post(url)
        status = response.status_code
        is_refusal = status == HTTPStatus.FORBIDDEN or (
            status == HTTPStatus.NOT_FOUND and kwarg_names and not name.startswith("admin:")
        )
        written = _denied() - before
        if written != (1 if is_refusal else 0):
            wrong.append(f"{name} {url} → {status}, {written} event(s)")
            continue
        if is_refusal:
            refused += 1
            event = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).latest("sequence")
            assert event.actor == user
            assert event.organisation_id == user.organisation_id
            assert name in event.reason, (name, event.reason)
            for text in (event.label, event.reason):
                assert CANARY not in text and "?" not in text
    assert wrong == [], "\n".join(wrong)
    # Each of these roles is refused most of the site: the walk did reach the views.
    assert refused > 50


def test_a_refused_page_of_a_visible_case_is_no_case_refusal(users_by_role, world):
    """A plain 404 (a record kind that does not exist) on the worker's own case is no event."""
    client = force_login_verified(Client(), users_by_role["city_caseworker"])
    before = _denied()

    response = client.get(f"/app/cases/{world['case_id']}/records/nonsense/new/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert _denied() == before


def test_a_refusal_a_view_renders_itself_is_recorded_once(users_by_role):
    """The handover screen answers a caseworker with its own 403 page: still one event."""
    worker = users_by_role["city_caseworker"]
    client = force_login_verified(Client(), worker)
    before = _denied()

    response = client.get("/app/inbox/handover/", {"q": CANARY})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert _denied() == before + 1
    event = AuditEvent.objects.filter(action=Action.ACCESS_DENIED).latest("sequence")
    assert event.label == "inbox:handover" and event.reason == "403 inbox:handover"


def test_a_lost_race_is_no_access_refusal(users_by_role, world):
    """Taking a task someone already holds is a 409 and a TASK_REFUSED, not ACCESS_DENIED."""
    supervisor = users_by_role["city_supervisor"]
    client = force_login_verified(Client(), supervisor)
    task_url = f"/app/inbox/consultation/{world['process_pk']}/intake/{world['task_pk']}/assign/"
    before = _denied()
    refused = AuditEvent.objects.filter(action=Action.TASK_REFUSED).count()

    response = client.post(task_url)

    assert response.status_code == HTTPStatus.CONFLICT
    assert _denied() == before
    assert AuditEvent.objects.filter(action=Action.TASK_REFUSED).count() == refused + 1
