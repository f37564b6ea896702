"""One case from the intake form to a guardian's call for help, clicked through in a browser.

The caseworker logs in through the login form; the supervisor's browser gets a session
cookie. Every task is taken and completed by clicking its form's buttons; appointment
coordination by sending a request from its step, which the candidate (a lawyer logging in
with a password and a TOTP code) accepts in the portal.

With SQLite the live server shares the test's in-memory database connection, so this test
reads the database only while the browser is idle: the inbox keeps loading its tab counts
(lazy Turbo frames) after the page itself has arrived, and a query from this thread at the
same time corrupts the other's state (the cause of this test's earlier flakiness).
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from advocacy.accounts.roles import Role
from advocacy.cases.models import Case, Contact
from advocacy.reference.models import (
    Area,
    FamilyCourt,
    GuardianshipType,
    MainConcern,
    PersonCategory,
)
from tests import factories
from tests.portal.otp import token_for
from workflows.coordination.flows import CoordinationFlow
from workflows.models import CaseProcess

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _today() -> str:
    return timezone.localdate().isoformat()


def _fill(page, data: dict) -> None:
    """Fill a Django form by field name: text, date, select, radio and checkbox inputs.

    page is the page, or a form of it (a locator) when several forms share field names.
    """
    for name, value in data.items():
        values = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        fields = page.locator(f"[name='{name}']")
        first = fields.first
        tag = first.evaluate("element => element.tagName.toLowerCase()")
        kind = (first.get_attribute("type") or "").lower()
        if tag == "select":
            first.select_option(values)
        elif kind == "radio" or (kind == "checkbox" and fields.count() > 1):
            for item in values:
                page.locator(f"[name='{name}'][value='{item}']").check()
        elif kind == "checkbox":
            first.check()
        else:
            first.fill(values[0])


def _open_task(case: Case, flow: str, node: str) -> Task:
    tasks = [
        task
        for task in Task.objects.filter(
            process__caseprocess__case=case,
            status__in=[STATUS.NEW, STATUS.ASSIGNED],
            flow_task_type="HUMAN",
        ).order_by("pk")
        if task.flow_task.flow_class.slug == flow and task.flow_task.name == node
    ]
    assert len(tasks) == 1, f"{flow}.{node}"
    return tasks[0]


MEETING_PAGE = re.compile(r".*/app/meetings/[0-9a-f-]{36}/$")


class Journey:
    def __init__(self, live_server, pages: dict):
        self.base = live_server.url
        self.pages = pages

    def settle(self) -> None:
        """Wait until no browser has a request in flight (see the module's docstring)."""
        for page in self.pages.values():
            page.wait_for_load_state("networkidle")

    def send_request(self, case: Case, professional, summary: dict) -> None:
        """Open the coordination step, choose the candidate, send the request; come back."""
        page = self.pages["worker"]
        self.settle()
        task = _open_task(case, "coordination", "matching")
        execute = self.base + task.flow_task.reverse("execute", args=[task.process_id, task.pk])
        page.goto(execute)
        page.get_by_test_id("send-form").wait_for()
        assert page.get_by_test_id("complete").count() == 0  # nothing to tick
        _fill(page, {"professional": professional.professional.pk, **summary})
        page.get_by_test_id("send").click()
        page.wait_for_url(execute)
        page.locator("[data-testid=request-row][data-status=sent]").wait_for()
        self.settle()

    def accept_as(self, professional, device) -> None:
        """Log in as the candidate (password and TOTP code) and accept the waiting request."""
        page = self.pages["professional"]
        page.goto(f"{self.base}/accounts/login/")
        page.fill("input[name=username]", professional.username)
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("button[type=submit]")
        page.get_by_test_id("otp-title").wait_for()
        page.fill("input[name=token]", token_for(device))
        page.get_by_test_id("otp-submit").click()
        page.wait_for_url(f"{self.base}/app/portal/")
        page.locator("a[href^='/app/portal/requests/']").first.click()
        page.get_by_test_id("accept").click()
        page.wait_for_url(re.compile(r".*/app/portal/cases/[0-9a-f-]{36}/$"))
        self.settle()

    def conference(self, case: Case, decision: dict) -> None:
        """Decide case in a new 支援調整会議: on its agenda, the decision in its minutes."""
        page = self.pages["worker"]
        self.settle()
        page.goto(f"{self.base}/app/meetings/new/")
        form = page.locator("form.adv-form")
        _fill(form, {"kind": "coordination", "held_on": _today(), "place": "架空会議室"})
        form.locator("button[type=submit]").click()
        page.wait_for_url(MEETING_PAGE)
        items = page.get_by_test_id("item-form")
        _fill(items, {"case_number": case.number})
        items.locator("button[type=submit]").click()
        page.wait_for_url(MEETING_PAGE)
        page.locator(f"li[data-case='{case.number}'] a[href$='/minutes/']").click()
        minutes = page.get_by_test_id("minutes-form")
        minutes.wait_for()
        _fill(minutes, {"minutes": "架空の議事", "reasons": "架空の理由", **decision})
        minutes.locator("button[type=submit]").click()
        page.wait_for_url(MEETING_PAGE)
        self.settle()

    def step(self, who: str, case: Case, flow: str, node: str, data: dict | None = None):
        """Open the task, take it if it waits in the queue, fill its form and complete it."""
        page = self.pages[who]
        self.settle()
        task = _open_task(case, flow, node)
        if task.owner_id is None:
            page.goto(self.base + task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
            page.locator("[data-testid=assign]").click()
        else:
            page.goto(
                self.base + task.flow_task.reverse("execute", args=[task.process_id, task.pk])
            )
        execute = task.flow_task.reverse("execute", args=[task.process_id, task.pk])
        page.wait_for_url(self.base + execute)
        data = data or {"confirmed": "on"}
        page.locator(f"[name='{next(iter(data))}']").first.wait_for()
        _fill(page, data)
        page.locator("[data-testid=complete]").click()
        page.wait_for_url(re.compile(r".*/app/inbox/(\?.*)?$"))
        self.settle()
        task.refresh_from_db()
        assert task.status == STATUS.DONE, f"{flow}.{node} not done: {page.content()[:3000]}"


def _cookie_page(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="ja-JP")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_one_case_from_intake_to_guardian_support(live_server, page, browser, city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city, username="journey-worker")
    supervisor = factories.user(Role.CITY_CASEWORKER, Role.SUPERVISOR, organisation=city)

    # The caseworker logs in through the form and registers the first consultation.
    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", worker.username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/app/inbox/")
    # The other tabs' counts arrive lazily (Turbo frames).
    page.locator("[data-testid=tab-count-queue]").wait_for()
    page.goto(f"{live_server.url}/app/cases/new/")
    _fill(
        page,
        {
            "person-name": "架空 旅子",
            "person-kana": "かくう たびこ",
            "person-birth_date": "1942-03-04",
            "person-sex": "female",
            "person-address": "架空県旅町1-1-1",
            "person-phone": "090-0000-1111",
            "person-area": Area.objects.get(code="imazu").pk,
            "person-categories": [PersonCategory.objects.get(code="elderly").pk],
            "person-living_situation": "home",
            "person-household_type": "alone",
            "person-wishes": "家で暮らしたい",
            "consultation-consulted_on": _today(),
            "consultation-new_or_continuing": "auto",
            "consultation-channel": "phone",
            "consultation-referrer_type": "care_manager",
            "consultation-caller": "架空の相談者",
            "consultation-referrer_organisation": "架空包括",
            "consultation-main_concerns": [MainConcern.objects.get(code="money").pk],
            "consultation-notes": "架空の相談内容",
            "case-urgency": "normal",
            "case-consent": "given",
            "case-consent_on": _today(),
            "case-purpose": "core_agency",
            "case-confirm_intake": "on",
        },
    )
    page.get_by_role("button", name="登録する").click()
    page.wait_for_url(re.compile(r".*/app/cases/[0-9a-f-]{36}/$"))
    page.wait_for_load_state("networkidle")
    case = Case.objects.get()
    assert CaseProcess.objects.filter(case=case).count() == 1  # consultation started

    # The intake task is in the caseworker's inbox: open it from there.
    page.goto(f"{live_server.url}/app/inbox/")
    page.locator("[data-testid=task-link]", has_text="受付内容の確認").click()
    page.wait_for_url(re.compile(r".*/app/inbox/consultation/\d+/intake/\d+/.*"))
    page.wait_for_load_state("networkidle")

    supervisor_context, supervisor_page = _cookie_page(browser, live_server, supervisor)
    lawyer = factories.professional_user(profession="lawyer")
    device = TOTPDevice.objects.create(user=lawyer, name="app", confirmed=True)
    professional_context = browser.new_context(locale="ja-JP")
    professional_page = professional_context.new_page()
    professional_page.set_default_timeout(15_000)
    journey = Journey(
        live_server,
        {"worker": page, "supervisor": supervisor_page, "professional": professional_page},
    )
    step = journey.step
    try:
        step("worker", case, "consultation", "intake")
        step("worker", case, "consultation", "triage", {"outcome": "coordination"})

        step(
            "worker",
            case,
            "coordination",
            "documents",
            {
                "info_sheet_status": "received",
                "certificate_status": "received",
                "doctor_view": "guardianship",
            },
        )
        step(
            "worker",
            case,
            "coordination",
            "assessment",
            {"assessed_on": _today(), "capacity_notes": "架空の所見"},
        )
        kind = GuardianshipType.objects.get(code="guardianship")
        # The conference is decided in a 支援調整会議's minutes (the meeting screens).
        journey.conference(
            case,
            {"outcome": "guardianship", "guardianship_type": kind.pk, "petitioner_type": "mayor"},
        )
        step("worker", case, "coordination", "petitioner", {"petitioner_type": "mayor"})
        step("worker", case, "coordination", "relative_search", {"relative_search_degree": "4"})
        step(
            "worker",
            case,
            "coordination",
            "relatives_intentions",
            {"relatives_intentions": "架空の親族は申立を希望しない"},
        )
        step("supervisor", case, "coordination", "mayor_approval", {"approved_on": _today()})
        step(
            "worker",
            case,
            "coordination",
            "subsidy_check",
            {"needed": "yes", "applied_on": _today(), "amount_yen": "12000"},
        )
        # Appointment coordination: the request is sent from the step's page, and the
        # candidate, logged in with a password and a TOTP code, accepts it in the portal.
        journey.send_request(case, lawyer, {"main_issues": "預貯金の管理", "workload": "月1回"})
        journey.accept_as(lawyer, device)
        matching = Task.objects.get(
            process__caseprocess__case=case, flow_task=CoordinationFlow.matching
        )
        assert matching.status == STATUS.DONE
        step(
            "worker",
            case,
            "coordination",
            "petition",
            {
                "court": FamilyCourt.objects.get(code="otsu").pk,
                "documents": ["petition", "info_sheet"],
                "filed_on": _today(),
            },
        )
        step(
            "worker",
            case,
            "coordination",
            "ruling",
            {
                "ruling_on": _today(),
                "court_case_number": "令和8年(家)第1号",
                "type_granted": kind.pk,
            },
        )
        step(
            "worker",
            case,
            "coordination",
            "guardian",
            {
                "kind": "person",
                "profession": "lawyer",
                "name": "架空 太郎",
                "appointed_on": _today(),
            },
        )
        step(
            "worker",
            case,
            "coordination",
            "registration",
            {"registration_number": "第0000-0001号", "registered_on": _today()},
        )

        due = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
        meeting = {"held_on": _today(), "participants": "架空の参加者", "notes": "架空"}
        step("worker", case, "teamsupport", "form_team", {"first_meeting_due": due})
        step("worker", case, "teamsupport", "first_meeting", meeting)
        step("worker", case, "teamsupport", "monitoring", meeting)
        step("supervisor", case, "teamsupport", "independence", {"independent": "yes"})
    finally:
        supervisor_context.close()
        professional_context.close()

    case.refresh_from_db()
    assert case.stage == Case.Stage.GUARDIAN_SUPPORT
    slugs = {process.flow_class.slug for process in CaseProcess.objects.filter(case=case)}
    assert slugs == {"consultation", "coordination", "teamsupport", "guardiansupport"}

    # The case page shows guardian support waiting for events; the guardian calls for help.
    page.goto(f"{live_server.url}/app/cases/{case.pk}/")
    page.get_by_text("後見人支援").first.wait_for()
    page.get_by_test_id("event-contact").click()
    page.locator("[name=confirmed]").check()
    page.get_by_role("button", name="登録する").click()
    page.wait_for_url(f"{live_server.url}/app/cases/{case.pk}/")
    page.wait_for_load_state("networkidle")
    helper = Journey(live_server, {"worker": page})
    helper.step(
        "worker",
        case,
        "guardiansupport",
        "help",
        {
            "contacted_on": _today(),
            "contact_from": "guardian",
            "is_help_request": "on",
            "summary": "架空の後見人から施設契約の相談",
        },
    )
    page.wait_for_load_state("networkidle")
    contact = Contact.objects.get(case=case)
    assert contact.is_help_request and contact.contact_from == "guardian"
