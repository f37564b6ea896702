"""Appointment-coordination requests as lawyers, scriveners and other candidates see them,
and the caseworker's screens that send, follow and withdraw them. Thin views: validate,
call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from advocacy.access.roles import RoleRequiredMixin
from advocacy.access.selectors import can_change
from advocacy.accounts.models import User
from advocacy.accounts.roles import Role
from advocacy.cases import presenters
from advocacy.cases.guards import StaffOnlyMixin, denied, load_case
from advocacy.cases.models import GuardianAppointment, Person, Petition, TeamMember
from advocacy.cases.selectors import last_decision
from advocacy.cases.services import case_view_record
from workflows.events import MATCHING_STEPS
from workflows.hooks import TaskSection

from . import hooks, selectors, services
from .forms import DeclineForm, MessageForm, NeedForm, RequestForm
from .models import CoordinationRequest, Need

# What a guardian needs of the person (decided in docs/portal.md): who they are, where they
# live, their wishes and living situation. Not finances, health, notes or assessments.
GUARDIAN_PERSON_FIELDS = (
    "name",
    "kana",
    "birth_date",
    "address",
    "phone",
    "wishes",
    "living_situation",
    "household_type",
)
GUARDIAN_TEAM_FIELDS = ("role", "name", "affiliation", "contact")
GUARDIAN_APPOINTMENT_FIELDS = ("kind", "name", "appointed_on")
GUARDIAN_PETITION_FIELDS = (
    "court",
    "petitioner_type",
    "filed_on",
    "court_case_number",
    "ruling_on",
    "type_granted",
    "supervisor_appointed",
)


# The second factor is asked for by advocacy.accounts.middleware, for every URL alike.
class ProfessionalMixin(RoleRequiredMixin):
    required_roles = (Role.PROFESSIONAL,)


class PortalHomeView(ProfessionalMixin, TemplateView):
    """The professional's home: their open requests, accepted cases and messages."""

    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "open_requests": selectors.open_requests_for(user=user),
            "answered": selectors.requests_for(user=user).exclude(
                status=CoordinationRequest.Status.SENT
            )[:20],
            "cases": selectors.guardian_cases_for(user=user),
            "thread": selectors.messages_for(user=user)[:20],
            "sections": hooks.home_sections(user=user),
        }


class RequestDetailView(ProfessionalMixin, View):
    """One request: the anonymised summary, the thread, and the answer buttons."""

    template_name = "portal/request.html"

    def _load(self, request, request_id) -> CoordinationRequest:
        try:
            coordination = selectors.request_get_for(user=request.user, request_id=request_id)
        except Http404:
            raise denied(request, "request", request_id) from None
        if services.request_expire_if_due(request=coordination):
            raise denied(request, "request", request_id)
        return coordination

    def _render(self, request, coordination, decline_form=None, message_form=None, status=200):
        return render(
            request,
            self.template_name,
            {
                "coordination": coordination,
                "decline_form": decline_form or DeclineForm(),
                "message_form": message_form or MessageForm(),
                "thread": coordination.messages.select_related("author"),
            },
            status=status,
        )

    def get(self, request, request_id):
        return self._render(request, self._load(request, request_id))

    def post(self, request, request_id):
        coordination = self._load(request, request_id)
        action = request.POST.get("action")
        decline_form = message_form = None
        try:
            if action == "accept":
                services.request_accept(actor=request.user, request=coordination)
                messages.success(request, _("受任可と回答しました。ケースの情報を確認できます。"))
                return redirect("portal:case", case_id=coordination.case_id)
            if action == "decline":
                decline_form = DeclineForm(request.POST)
                if decline_form.is_valid():
                    services.request_decline(
                        actor=request.user,
                        request=coordination,
                        reason=decline_form.cleaned_data["reason"],
                        note=decline_form.cleaned_data["note"],
                    )
                    messages.success(request, _("辞退と回答しました。"))
                    return redirect("portal:index")
            elif action == "message":
                message_form = MessageForm(request.POST)
                if message_form.is_valid():
                    services.message_post(
                        actor=request.user,
                        request=coordination,
                        body=message_form.cleaned_data["body"],
                    )
                    return redirect("portal:request", request_id=coordination.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("portal:request", request_id=coordination.pk)
        coordination.refresh_from_db()
        return self._render(request, coordination, decline_form, message_form, status=422)


class GuardianCaseView(ProfessionalMixin, View):
    """An accepted case, only what a guardian needs; only with the guardian's grant."""

    def get(self, request, case_id):
        try:
            case = selectors.guardian_case_get_for(user=request.user, case_id=case_id)
        except Http404:
            raise denied(request, "case", case_id) from None
        person = case.person
        team = TeamMember.objects.filter(case=case, left_on__isnull=True).order_by("joined_on")
        petitions = Petition.objects.filter(case=case).select_related("type_granted", "court")
        guardians = GuardianAppointment.objects.filter(case=case, ended_on__isnull=True)
        # What the page shows is what the audit names: the same field lists build both.
        shown = [
            (Person, [person], GUARDIAN_PERSON_FIELDS),
            (TeamMember, list(team), GUARDIAN_TEAM_FIELDS),
            (Petition, list(petitions), GUARDIAN_PETITION_FIELDS),
            (GuardianAppointment, list(guardians), GUARDIAN_APPOINTMENT_FIELDS),
        ]
        read = [
            name
            for model, rows, fields in shown
            if rows
            for name in presenters.encrypted_names(model, fields)
        ]
        case_view_record(actor=request.user, case=case, fields_read=read, request=request)
        person_rows = [
            (Person._meta.get_field(name).verbose_name, presenters.display_value(person, name))
            for name in GUARDIAN_PERSON_FIELDS
        ]

        def lines(rows, fields):
            return [
                [
                    f"{row._meta.get_field(name).verbose_name}: "
                    f"{presenters.display_value(row, name)}"
                    for name in fields
                ]
                for row in rows
            ]

        return render(
            request,
            "portal/case.html",
            {
                "case": case,
                "person_rows": person_rows,
                "team": lines(shown[1][1], GUARDIAN_TEAM_FIELDS),
                "petitions": lines(shown[2][1], GUARDIAN_PETITION_FIELDS),
                "guardians": lines(shown[3][1], GUARDIAN_APPOINTMENT_FIELDS),
            },
        )


# The caseworker's screens


class StaffMixin(StaffOnlyMixin):
    def load_case(self, request, case_id):
        return load_case(request, case_id)


def _summary_initial(case) -> dict:
    person = case.person
    initial = {
        "age_band": person.current_age_band(),
        "area": person.area_id,
        "categories": list(person.categories.values_list("pk", flat=True)),
    }
    # The type the case conference decided on (its latest decision naming one).
    decided = last_decision(case_id=case.pk, naming_a_type=True)
    if decided is not None and decided.guardianship_type_id is not None:
        initial["type_sought"] = decided.guardianship_type_id
    return initial


def _need_of(query) -> str:
    need = query.get("need")
    return need if need in Need.values else Need.WELFARE


def _new_request_form(case, query) -> RequestForm:
    """The send form, started from the case (and a candidate picked from the shortlist)."""
    initial = {**_summary_initial(case), "need": _need_of(query)}
    if query.get("professional"):
        initial["professional"] = query["professional"]
    return RequestForm(initial=initial)


def _coordination_context(*, user: User, case, form: RequestForm, need: str) -> dict:
    """What the step's page and the portal's staff page both show: requests, shortlist, form."""
    return {
        "case": case,
        "requests": selectors.requests_of_case(case=case),
        "need_form": NeedForm(initial={"need": need}),
        "shortlist": selectors.shortlist(case=case, need=need),
        "form": form,
        "can_change": can_change(user=user, case=case),
    }


def matching_section(*, request: HttpRequest, activation) -> TaskSection | None:
    """The appointment-coordination step's page: requests so far, shortlist, send form.

    Registered as the task page's section (``workflows.hooks``); the form posts to
    ``CaseRequestsView``, which comes back to the step.
    """
    user = request.user
    if activation.flow_task not in MATCHING_STEPS or not isinstance(user, User):
        return None
    case = activation.process.case
    form = _new_request_form(case, request.GET)
    context = _coordination_context(user=user, case=case, form=form, need=_need_of(request.GET))
    # The step lists its requests in the order they were sent (a history).
    history = context["requests"].order_by("sent_at")
    return TaskSection(
        "portal/_task_matching.html", {**context, "requests": history, "back": request.path}
    )


def _back_to(request: HttpRequest) -> str | None:
    """Return the task page a send came from, if the form names a safe one."""
    back = request.POST.get("back", "")
    if back.startswith("/app/inbox/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return None


class CaseRequestsView(StaffMixin, View):
    """A case's requests, the shortlist for a need, and the form that sends the next one."""

    template_name = "portal/staff_case.html"

    def _render(self, request, case, form, need, check=None, status=200):
        return render(
            request,
            self.template_name,
            {
                **_coordination_context(user=request.user, case=case, form=form, need=need),
                "check": check,
                "back": _back_to(request) if request.method == "POST" else None,
            },
            status=status,
        )

    def get(self, request, case_id):
        case = self.load_case(request, case_id)
        form = _new_request_form(case, request.GET)
        return self._render(request, case, form, _need_of(request.GET))

    def post(self, request, case_id):
        case = self.load_case(request, case_id)
        if not can_change(user=request.user, case=case):
            raise PermissionDenied
        form = RequestForm(request.POST)
        need = _need_of(request.POST)
        if not form.is_valid():
            return self._render(request, case, form, need, status=422)
        data = form.cleaned_data
        check = services.request_summary_check(
            case=case, summary={key: data[key] for key in services.SUMMARY_FIELDS}
        )
        if check.warnings and not check.findings and not data["confirm_warnings"]:
            form.add_error(
                "confirm_warnings",
                _("個人情報に見える箇所があります: {kinds}。確認してください。").format(
                    kinds="、".join(f"「{kind}」" for kind in check.warnings)
                ),
            )
            return self._render(request, case, form, need, check=check, status=422)
        try:
            services.request_send(
                actor=request.user,
                case=case,
                professional=data["professional"],
                need=data["need"],
                summary={key: data[key] for key in services.SUMMARY_FIELDS},
                portal_url=request.build_absolute_uri(reverse("portal:index")),
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self._render(request, case, form, need, check=check, status=422)
        messages.success(request, _("依頼を送りました。"))
        return redirect(_back_to(request) or reverse("portal:staff:case_requests", args=[case.pk]))


class StaffRequestView(StaffMixin, View):
    """One request as the caseworker sees it: answer, thread, withdraw."""

    template_name = "portal/staff_request.html"

    def _load(self, request, case_id, request_id):
        case = self.load_case(request, case_id)
        try:
            return case, selectors.case_request_get(case=case, request_id=request_id)
        except Http404:
            raise denied(request, "request", request_id) from None

    def get(self, request, case_id, request_id):
        case, coordination = self._load(request, case_id, request_id)
        services.request_expire_if_due(request=coordination)
        return render(
            request,
            self.template_name,
            {
                "case": case,
                "coordination": coordination,
                "thread": coordination.messages.select_related("author"),
                "message_form": MessageForm(),
                "can_change": can_change(user=request.user, case=case),
            },
        )

    def post(self, request, case_id, request_id):
        case, coordination = self._load(request, case_id, request_id)
        action = request.POST.get("action")
        try:
            if action in ("withdraw", "superseded"):
                services.request_withdraw(
                    actor=request.user,
                    request=coordination,
                    superseded=action == "superseded",
                )
                messages.success(request, _("依頼を取り下げました。"))
            elif action == "message":
                form = MessageForm(request.POST)
                if form.is_valid():
                    services.message_post(
                        actor=request.user, request=coordination, body=form.cleaned_data["body"]
                    )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("portal:staff:request", case_id=case.pk, request_id=coordination.pk)
