"""Every path of the four flows, walked through the real URLs, every page checked after every step.

The paths are generated from the flows' viewflow graphs (``tests/workflows/paths.py``, which
also states how loops are bounded). The first flow is walked from the new-case form; the
first path that starts another flow goes on into that flow's paths, so every flow is walked
from its own start once. Each form is filled from its own fields (``conftest.form_data``):
required fields valid, optional fields all empty in one walk and all filled in the other;
the small tables below give only what a field cannot tell (the choices that decide a
branch, a form-wide rule).

After every step the case page must answer 200, and so must the edit page of every record
on it, the inbox tabs of the caseworker and the supervisor, and once a professional has a
request the portal pages (the professional's and the caseworker's side), each asked again
whenever what it shows has changed. The paths form a tree, walked depth first; each
branch is rolled back to a savepoint before the next, so a shared beginning is walked and
checked once. After each step the open tasks must be the planned ones, and at the end of
each path the edges walked (viewflow's ``Task.previous``) the planned edges. Failures are
collected and reported together, each naming its flow, path and step.
"""

from __future__ import annotations

import re
import traceback
from collections import Counter

import pytest
from django.db import transaction
from viewflow.workflow import nodes as vf
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from advocacy.access.models import CaseUserObjectPermission
from advocacy.accounts.roles import Role
from advocacy.cases.models import Case
from advocacy.cases.views import RECORD_MODELS
from advocacy.portal.models import CoordinationRequest
from tests import factories
from tests.workflows.conftest import (
    FILL,
    Walker,
    fire_timer,
    form_data,
    forms_data,
    open_task,
    page,
    post,
    walked_edges,
)
from tests.workflows.paths import (
    Planner,
    Step,
    branch_edges,
    graph_edges,
    is_event,
    is_human,
    paths,
)
from workflows import events, processes
from workflows.base import CaseFlow
from workflows.selectors import tab_task_ids
from workflows.views import TABS

pytestmark = pytest.mark.django_db

FLOWS = [CaseFlow.of_stage(stage) for stage in Case.Stage.values if stage in CaseFlow._of_stage]

# What starts the next flow (a Function node's function → the stage it moves the case to).
CHAINS = {
    processes.start_coordination: Case.Stage.COORDINATION,
    processes.start_team_support: Case.Stage.TEAM_SUPPORT,
    processes.start_guardian_support: Case.Stage.GUARDIAN_SUPPORT,
}

# The form values that make a gateway take an edge, by flow: (gateway, next node) → values
# of the step before it ("answer" is the candidate's, in the portal); "-next" is a
# Split's condition not taken. A list is used in turn by the paths through that edge.
BRANCHES = {
    "consultation": {
        ("split", "urgent_review"): {"urgency": Case.Urgency.URGENT},
        ("split", "-urgent_review"): {"urgency": Case.Urgency.NORMAL},
        ("route", "approve_close"): {"outcome": "information"},
        ("route", "refer"): {"outcome": ["referral", "daily_life_support"]},
        ("route", "start_coordination"): {"outcome": "coordination"},
        ("took", "feedback"): {"took": "yes"},
        ("took", "triage"): {"took": "no"},
    },
    "coordination": {
        # Guardianship asks for its type (DecisionForm).
        ("outcome", "petitioner"): {"outcome": "guardianship", "guardianship_type": FILL},
        ("outcome", "voluntary"): {"outcome": "voluntary"},
        ("outcome", "less_restrictive"): {
            "outcome": ["other_support", "daily_life_support", "no_action"]
        },
        ("refer_or_close", "refer"): {"next_step": "refer"},
        ("refer_or_close", "approve_close"): {"next_step": "close"},
        ("took", "feedback"): {"took": "yes"},
        ("took", "less_restrictive"): {"took": "no"},
        ("is_mayor", "relative_search"): {"petitioner_type": "mayor"},
        ("is_mayor", "subsidy_check"): {"petitioner_type": ["relative", "self", "spouse"]},
    },
    "teamsupport": {
        ("independent", "start_guardian_support"): {"independent": "yes"},
        ("independent", "monitoring"): {"independent": "no"},
    },
    "guardiansupport": {},
}

# Values a field cannot tell about itself, by (flow, node): {filled: values}.
STEP_VALUES = {
    ("consultation", "start"): {
        # A plausible person (a birth date of today is valid, and an infant), whose name
        # is not in the derived texts (the portal's summary check would find it there).
        False: {"name": "試験 旅子", "kana": "しけん たびこ", "birth_date": "1942-03-04"},
        True: {"name": "試験 旅子", "kana": "しけん たびこ", "birth_date": "1942-03-04"},
    },
    ("coordination", "documents"): {
        # Only received or not needed completes the step (DocumentsForm.clean).
        False: {"info_sheet_status": "not_needed", "certificate_status": "received"},
        True: {"info_sheet_status": "received", "certificate_status": "received"},
    },
    ("coordination", "subsidy_check"): {
        # Applying needs the date and amount (SubsidyCheckForm.clean).
        False: {"needed": "no"},
        True: {"needed": "yes"},
    },
    ("coordination", "ruling"): {
        # A term (期間) ends after the ruling day (Petition.clean); the walk rules today.
        True: {"term_until": "2099-03-31"},
    },
}

CASE_EVENTS = {node.name: event for event, node in events.GUARDIAN_EVENT_NODES.items()}
# Steps an event completes, not their page's form (nodes.caseworker_task's completed_by),
# and how the walk does it: appointment coordination is done with the portal's form on its
# page (a new guardianship's and a guardian change's), a first candidate declining and the
# next one accepting; the case conference in a 支援調整会議's minutes (the meeting screens).
COMPLETED_BY_EVENT = {
    ("coordination", "matching"),
    ("guardiansupport", "change_matching"),
    ("coordination", "conference"),
}
DECIDED_IN_MEETING = {("coordination", "conference")}

RECORD_LINK = re.compile(r'href="(/app/cases/[0-9a-f-]{36}/records/[a-z_]+/[0-9a-f-]{36}/)"')
GUARDIAN_SEES = re.compile(r"/records/(petition|guardian|team_member)/")
PORTAL_LINK = re.compile(
    r'href="(/app/portal/(?:staff/cases/[^"]+/requests|requests|cases)/[^"]+)"'
)


def _chains(flow_class) -> dict[str, str]:
    return {
        node.name: CaseFlow.of_stage(CHAINS[node._func]).slug
        for node in flow_class.instance.nodes()
        if isinstance(node, vf.Function)
    }


def _planner(flow_class) -> Planner:
    return Planner(flow_class, branches=BRANCHES[flow_class.slug], chains=_chains(flow_class))


def _tree(flow_class) -> Step:
    return _planner(flow_class).tree(started_by_user=flow_class is FLOWS[0])


@pytest.mark.parametrize("flow_class", FLOWS, ids=lambda f: f.slug)
def test_paths_walk_every_edge_of_the_graph(flow_class):
    """The generated paths walk every edge; every branch has its values, every event a trigger."""
    planned = [path.edges for path in paths(_tree(flow_class))]
    assert set().union(*planned) == graph_edges(flow_class)
    decided = {(gateway, target.lstrip("-")) for gateway, target in BRANCHES[flow_class.slug]}
    assert decided == branch_edges(flow_class)
    for node in flow_class.instance.nodes():
        if is_event(node) and not isinstance(node, vf.Timer):
            key = (flow_class.slug, node.name)
            assert node.name in CASE_EVENTS, f"no trigger for {key}"
        if is_human(node) and node.completed_by:
            assert (flow_class.slug, node.name) in COMPLETED_BY_EVENT, f"no walk for {node.name}"


class PathWalk:
    """Walk the trees of paths through the URLs, checking every page after each step.

    The first flow's tree is walked from the new-case form; the first path that starts a
    flow not walked yet goes on into that flow's tree.
    """

    def __init__(self, *, filled: bool, worker, supervisor, professionals):
        self.filled = filled
        self.worker, self.supervisor = worker, supervisor
        self.professionals = professionals
        self.walker = Walker()
        for user in (worker, supervisor, *professionals):
            self.walker.client(user)  # log in before the first savepoint
        self.flow_class = FLOWS[0]
        self.case: Case | None = None
        self.process = None
        self.answered: dict[tuple, str] = {}
        self.failures: list[str] = []
        self.walked: Counter = Counter()
        self.entered = {self.flow_class}

    def run(self) -> None:
        self.visit(_tree(self.flow_class), ())

    def visit(self, step: Step, moves: tuple) -> None:
        if not step.children:
            self.walked[self.flow_class.slug] += 1
            self.leaf(step, moves)
            return
        for child in step.children:
            here = (*moves, child.move)
            savepoint = transaction.savepoint()
            try:
                self.do(child.move)
                self.process = self.process or self._process()
                self.verify(child)
            except Exception as error:  # noqa: BLE001 — every path under it is reported
                self.fail(child, here, error)
            else:
                self.visit(child, here)
            finally:
                transaction.savepoint_rollback(savepoint)
                transaction.set_rollback(False)
                if child.move.kind == "start":
                    self.case = self.process = None

    def fail(self, step: Step, moves: tuple, error: Exception) -> None:
        where = traceback.extract_tb(error.__traceback__)[-1]
        for path in paths(step, moves[:-1]):
            self.failures.append(
                f"{self.flow_class.slug} [{_variant(self.filled)}] {path.name}\n"
                f"    at {moves[-1]}: {type(error).__name__}: {error}\n"
                f"    ({where.filename}:{where.lineno})"
            )

    def leaf(self, step: Step, moves: tuple) -> None:
        try:
            assert walked_edges(self.process) == step.edges, "walked edges differ from the plan"
            for process in self.case.processes.all():
                address = f"/app/inbox/{process.flow_class.slug}/{process.pk}/"
                tasks = Task.objects.filter(process=process).order_by("pk")
                self.request(self.worker, address, tuple(tasks.values_list("pk", "status")))
            if step.state.chained:
                self.case.refresh_from_db()
                started = CaseFlow.of_stage(self.case.stage)
                assert started.slug == step.state.chained
                assert processes.running_process(case=self.case, flow_class=started)
                if started not in self.entered:
                    self.go_on(started)
        except Exception as error:  # noqa: BLE001
            self.fail(step, moves, error)

    def go_on(self, flow_class) -> None:
        """Walk flow_class's tree from here, where this path started it."""
        was = self.flow_class, self.process
        self.flow_class, self.process = flow_class, None
        self.entered.add(flow_class)
        try:
            root = _tree(flow_class)
            self.process = self._process()
            self.verify(root)
            self.visit(root, ())
        finally:
            self.flow_class, self.process = was

    # The moves

    def do(self, move) -> None:
        flow_class = self.flow_class
        values = {
            **STEP_VALUES.get((flow_class.slug, move.node), {}).get(self.filled, {}),
            **move.values(),
        }
        if move.kind == "start":
            self.intake(values)
        elif move.kind == "task":
            self.task(flow_class, move.node, values)
        else:
            self.event(flow_class, move.node, values)

    def intake(self, values) -> None:
        client = self.client(self.worker)
        context = page(client, "/app/cases/new/").context
        form_list = [context[name] for name in ("person_form", "consultation_form", "case_form")]
        data = forms_data(form_list, filled=self.filled, values=values)
        response = post(client, "/app/cases/new/", data)
        self.case = Case.objects.get(pk=response.url.split("/")[-2])

    def task(self, flow_class, name: str, values) -> None:
        node = flow_class.instance.node(name)
        user = self.supervisor if node.role == Role.SUPERVISOR.value else self.worker
        task = open_task(self.case, flow_class.slug, name)
        shown = self.walker.task_form(user, task)
        if (flow_class.slug, name) in DECIDED_IN_MEETING:
            self.decide_in_meeting(values)
            return
        if (flow_class.slug, name) in COMPLETED_BY_EVENT:
            self.coordinate(shown, task)
            return
        form = shown.context["form"]
        unknown = set(values) - set(form.fields)
        assert not unknown, f"{name} has no field {sorted(unknown)}"
        self.walker.complete(user, task, form_data(form, filled=self.filled, values=values))

    def decide_in_meeting(self, values) -> None:
        """Decide the case in a new 支援調整会議: on its agenda, its minutes' form filled.

        The minutes form is filled from its own fields like any step's (the branch's
        outcome and type from the values); the meeting's page must answer afterwards.
        """
        client = self.client(self.worker)
        meeting_id = self.walker.conference(self.worker, {})
        post(client, f"/app/meetings/{meeting_id}/items/", {"case_number": self.case.number})
        address = f"/app/meetings/{meeting_id}/cases/{self.case.pk}/minutes/"
        form = page(client, address).context["form"]
        post(
            client, address, form_data(form, filled=self.filled, values={"reasons": FILL, **values})
        )
        page(client, f"/app/meetings/{meeting_id}/")

    def coordinate(self, shown, task) -> None:
        """Send requests from the step's page: the first candidate declines, the next accepts.

        After the decline the same step is still open, its page answers and lists the
        declined request; the acceptance completes it.
        """
        self.send_and_answer(shown, task, "decline")
        flow_slug = task.flow_task.flow_class.slug
        assert open_task(self.case, flow_slug, task.flow_task.name).pk == task.pk
        again = self.walker.task_form(self.worker, task)
        assert 'data-status="declined"' in again.content.decode()
        self.send_and_answer(again, task, "accept")

    def send_and_answer(self, shown, task, answer: str) -> None:
        (section,) = shown.context["sections"]
        sent = CoordinationRequest.objects.filter(case=self.case).count()
        professional = self.professionals[sent % len(self.professionals)]
        values = {"professional": professional.professional.pk}
        data = form_data(section.context["form"], filled=self.filled, values=values)
        data["back"] = section.context["back"]
        staff = self.client(self.worker)
        response = post(staff, f"/app/portal/staff/cases/{self.case.pk}/", data)
        assert response.url == section.context["back"], "the send did not come back"
        request = CoordinationRequest.objects.filter(case=self.case).latest("sent_at")
        client = self.client(professional)
        address = f"/app/portal/requests/{request.pk}/"
        context = page(client, address).context
        data = {"action": answer}
        if answer == "decline":
            data |= form_data(context["decline_form"], filled=self.filled)
        post(client, address, data)

    def event(self, flow_class, name: str, values) -> None:
        node = flow_class.instance.node(name)
        if isinstance(node, vf.Timer):
            waiting = Task.objects.get(
                process__caseprocess__case=self.case, flow_task=node, status=STATUS.SCHEDULED
            )
            fire_timer(waiting)
        elif name in CASE_EVENTS:
            client = self.client(self.worker)
            address = f"/app/inbox/cases/{self.case.pk}/event/{CASE_EVENTS[name]}/"
            form = page(client, address).context["form"]
            post(client, address, form_data(form, filled=self.filled, values=values))
        else:
            raise AssertionError(f"no trigger for {name}")

    # The checks after every step

    def verify(self, step: Step) -> None:
        waiting = Counter(
            task.flow_task.name
            for task in Task.objects.filter(process=self.process).exclude(
                status__in=[STATUS.DONE, STATUS.CANCELED]
            )
        )
        assert waiting == step.waiting, f"open {dict(waiting)}, planned {dict(step.waiting)}"
        self.check_pages()

    def check_pages(self) -> None:
        """Request the pages of the case as it stands; each must answer 200.

        The case page is requested after every step. Every other page is requested when
        what it shows has changed since it last answered (a record's page with the record,
        an inbox tab with its tasks, the portal with the requests, grants and records): the
        same inputs give the same page.
        """
        case = self.case
        worker = self.client(self.worker)
        response = page(worker, f"/app/cases/{case.pk}/")
        records = {
            f"/app/cases/{case.pk}/records/{kind}/{record.pk}/": record.updated_at
            for kind, model in RECORD_MODELS.items()
            for record in model._default_manager.filter(case_id=case.pk)
        }
        linked = set(RECORD_LINK.findall(response.content.decode()))
        # Every record is on the page; a closed case's records are read there, not edited.
        assert linked == (set(records) if response.context["can_change"] else set())
        for link in sorted(linked):
            self.request(self.worker, link, records[link])
        for user in (self.worker, self.supervisor):
            for tab in TABS:
                self.request(user, f"/app/inbox/?tab={tab}", _tab_rows(user, tab))
        requests = CoordinationRequest.objects.filter(case=case).order_by("pk")
        if not requests:
            return
        # The portal's lists and requests show the requests, grants and stage; a
        # professional's case page the records a guardian sees too (GuardianCaseView).
        answers = (
            tuple(requests.values_list("pk", "status", "answered_at", "closed_at")),
            tuple(
                CaseUserObjectPermission.objects.filter(content_object_id=case.pk).values_list("pk")
            ),
            Case.objects.filter(pk=case.pk).values_list("stage").get(),
        )
        guardian_sees = (
            answers,
            tuple(sorted(r for r in records.items() if GUARDIAN_SEES.search(r[0]))),
        )
        staff = self.request(self.worker, f"/app/portal/staff/cases/{case.pk}/", answers)
        for link in PORTAL_LINK.findall(staff):
            self.request(self.worker, link, answers)
        for user_id in sorted({request.professional.user_id for request in requests}):
            professional = next(p for p in self.professionals if p.pk == user_id)
            home = self.request(professional, "/app/portal/", answers)
            for link in sorted(set(PORTAL_LINK.findall(home))):
                self.request(professional, link, guardian_sees if "/cases/" in link else answers)

    def request(self, user, path: str, inputs) -> str:
        """GET path as user, unless it answered with the same inputs before; return its text."""
        key = (user.pk, path, inputs)
        if key not in self.answered:
            self.answered[key] = page(self.client(user), path).content.decode()
        return self.answered[key]

    def client(self, user):
        return self.walker.client(user)

    def _process(self):
        return (
            self.case.processes.filter(flow_class=self.flow_class).order_by("-pk").first()
            if self.case
            else None
        )


def _tab_rows(user, tab: str) -> tuple:
    """What an inbox tab shows: its tasks, their state, owner and due date."""
    ids = tab_task_ids(user=user, tab=tab)
    rows = Task.objects.filter(pk__in=ids).values_list(
        "pk", "flow_task", "status", "owner_id", "case_task__due_on"
    )
    return tuple(ids), tuple(sorted(rows, key=str))


def _variant(filled: bool) -> str:
    return "optional fields filled" if filled else "optional fields empty"


@pytest.mark.parametrize("filled", [False, True], ids=["optional-empty", "optional-filled"])
def test_every_path_answers_every_page(filled, worker, supervisor, users_by_role):
    professionals = [
        users_by_role["professional"],
        factories.professional_user(profession="judicial_scrivener"),
    ]
    walk = PathWalk(
        filled=filled, worker=worker, supervisor=supervisor, professionals=professionals
    )
    walk.run()
    assert not walk.failures, "\n".join(walk.failures)
    assert walk.walked == {flow.slug: len(list(paths(_tree(flow)))) for flow in FLOWS}
