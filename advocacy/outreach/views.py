"""Outreach's screens: a case's feedback to its referrer (list, record, letter), events,
citizen guardian training and the register.

Every case screen loads the case through ``cases.guards.load_case`` (the visibility rule);
what a screen decrypts is audited by ``services.feedback_view_record``.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from advocacy.access.selectors import can_change
from advocacy.accounts.roles import Role, has_role
from advocacy.cases import services as case_services
from advocacy.cases.guards import StaffOnlyMixin, denied, load_case
from advocacy.cases.hooks import CasePanel
from advocacy.cases.models import Case
from workflows.feedback.flows import FeedbackFlow
from workflows.hooks import TaskSection

from . import selectors, services
from .forms import (
    AttendanceForm,
    CompletionForm,
    CorporateForm,
    FeedbackConsentForm,
    FeedbackForm,
    OutreachEventForm,
    RegisterForm,
    TraineeEraseForm,
    TraineeForm,
    TrainingCourseForm,
)
from .models import Feedback, OutreachEvent

PAGE_SIZE = 25
# What the feedback screens decrypt: the referrer as recorded at intake, and what was told.
REFERRER_FIELDS = ("Consultation.caller", "Consultation.referrer_organisation")
TOLD_FIELDS = ("Feedback.told",)


def feedback_case_panel(*, user, case: Case) -> CasePanel:
    """The case page's panel: where feedback to the referrer stands, or why there is none."""
    rows = selectors.feedback_statuses(case=case)
    return CasePanel(
        template="outreach/_case_feedback.html",
        context={
            "case": case,
            "why_not": services.feedback_not_owed_reason(case),
            "due": rows.count(Feedback.Status.DUE),
            "given": rows.count(Feedback.Status.GIVEN),
        },
    )


def feedback_task_section(*, request, activation) -> TaskSection | None:
    """The feedback task's page leads to the screen where the feedback is recorded."""
    if activation.flow_task is not FeedbackFlow.tell:
        return None
    return TaskSection(
        template="outreach/_task_feedback.html", context={"case": activation.process.case}
    )


class FeedbackCaseView(StaffOnlyMixin, View):
    """A case's referrer and its feedback, milestone by milestone, with the consent."""

    template_name = "outreach/feedback_case.html"

    def get(self, request, case_id, consent_form=None, status=200):
        case = load_case(request, case_id)
        intake = services.intake_consultation(case)
        feedback = list(selectors.feedback_of(case=case))
        services.feedback_view_record(
            actor=request.user,
            case=case,
            fields_read=REFERRER_FIELDS + (TOLD_FIELDS if feedback else ()),
            request=request,
        )
        context = {
            "case": case,
            "intake": intake,
            "feedback": feedback,
            "why_not": services.feedback_not_owed_reason(case),
            "can_change": can_change(user=request.user, case=case),
            "consent_form": consent_form
            or FeedbackConsentForm(
                initial={
                    "feedback_consent": case.feedback_consent,
                    "feedback_consent_on": case.feedback_consent_on,
                }
            ),
        }
        return render(request, self.template_name, context, status=status)

    def post(self, request, case_id):
        """Change the consent (given, or withdrawn: open feedback is cancelled)."""
        case = load_case(request, case_id)
        form = FeedbackConsentForm(request.POST)
        if form.is_valid():
            try:
                case_services.case_feedback_consent_set(
                    actor=request.user,
                    case=case,
                    consent=form.cleaned_data["feedback_consent"],
                    on=form.cleaned_data["feedback_consent_on"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("経過報告への同意を記録しました。"))
                return redirect("outreach:feedback_case", case.pk)
        return self.get(request, case_id, consent_form=form, status=422)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _load_feedback(request, case: Case, feedback_id) -> Feedback:
    feedback = selectors.feedback_of(case=case).filter(pk=feedback_id).first()
    if feedback is None:
        raise denied(request, "feedback", feedback_id)
    return feedback


class FeedbackGiveView(StaffOnlyMixin, View):
    """Record one feedback: when, how, what was told; refused without consent."""

    template_name = "outreach/feedback_give.html"

    def _render(self, request, case, feedback, form, status=200):
        services.feedback_view_record(
            actor=request.user, case=case, fields_read=REFERRER_FIELDS, request=request
        )
        context = {
            "case": case,
            "feedback": feedback,
            "form": form,
            "intake": services.intake_consultation(case),
            "why_not": services.feedback_not_owed_reason(case),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, case_id, feedback_id):
        case = load_case(request, case_id)
        feedback = _load_feedback(request, case, feedback_id)
        return self._render(request, case, feedback, FeedbackForm())

    def post(self, request, case_id, feedback_id):
        case = load_case(request, case_id)
        feedback = _load_feedback(request, case, feedback_id)
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                services.feedback_give(actor=request.user, feedback=feedback, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("経過報告を記録しました。"))
                return redirect("outreach:feedback_case", case.pk)
        return self._render(request, case, feedback, form, status=422)


class FeedbackLetterView(StaffOnlyMixin, View):
    """A printable letter to the referrer (経過のご報告) for one feedback."""

    def get(self, request, case_id, feedback_id):
        case = load_case(request, case_id)
        feedback = _load_feedback(request, case, feedback_id)
        if case.feedback_consent != Case.Consent.GIVEN:
            return render(
                request,
                "outreach/feedback_refused.html",
                {"case": case, "why_not": services.ERR_NO_CONSENT},
                status=409,
            )
        services.feedback_view_record(
            actor=request.user,
            case=case,
            fields_read=REFERRER_FIELDS + TOLD_FIELDS,
            request=request,
        )
        context = {
            "case": case,
            "feedback": feedback,
            "intake": services.intake_consultation(case),
            "organisation": case.organisation,
        }
        response = render(request, "outreach/feedback_letter.html", context)
        response["Cache-Control"] = "no-store"
        return response


def _day(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


class EventListView(StaffOnlyMixin, View):
    def get(self, request):
        page = Paginator(selectors.events_visible_to(user=request.user), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(request, "outreach/event_list.html", {"page": page})


class EventEditView(StaffOnlyMixin, View):
    """Record an event, or change one of the organisation's; over capacity asks to confirm."""

    template_name = "outreach/event_form.html"

    def _event(self, request, event_id) -> OutreachEvent | None:
        if event_id is None:
            return None
        event = selectors.events_visible_to(user=request.user).filter(pk=event_id).first()
        if event is None:
            raise denied(request, "outreach_event", event_id)
        return event

    def _form(self, request, event, *, data=None, day: str | None = None):
        # The consultations offered are those of the day typed (or the event's own day).
        held_on = _day(day) or (event.held_on if event else None)
        general, named = selectors.event_consultation_choices(user=request.user, held_on=held_on)
        initial = {"held_on": held_on} if held_on and event is None else None
        return OutreachEventForm(
            data, instance=event, initial=initial, general=general, named=named
        )

    def get(self, request, event_id=None):
        event = self._event(request, event_id)
        form = self._form(request, event, day=request.GET.get("held_on"))
        return render(request, self.template_name, {"form": form, "event": event})

    def post(self, request, event_id=None):
        event = self._event(request, event_id)
        form = self._form(request, event, data=request.POST, day=request.POST.get("held_on"))
        if form.is_valid():
            try:
                services.event_save(
                    actor=request.user,
                    event=form.save(commit=False),
                    general_consultations=form.cleaned_data["general_consultations"],
                    consultations=form.cleaned_data["consultations"],
                    over_capacity_confirmed=form.cleaned_data["over_capacity_confirmed"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("広報啓発・研修を記録しました。"))
                return redirect("outreach:index")
        context = {"form": form, "event": event}
        return render(request, self.template_name, context, status=422)


class CourseListView(StaffOnlyMixin, View):
    """Citizen guardian training courses of the organisation, and a form to open one."""

    template_name = "outreach/course_list.html"

    def _render(self, request, form, status=200):
        page = Paginator(selectors.courses_visible_to(user=request.user), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(request, self.template_name, {"page": page, "form": form}, status=status)

    def get(self, request):
        return self._render(request, TrainingCourseForm())

    def post(self, request):
        form = TrainingCourseForm(request.POST)
        if form.is_valid():
            try:
                course = services.course_create(actor=request.user, course=form.save(commit=False))
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("研修を登録しました。"))
                return redirect("outreach:course", course.pk)
        return self._render(request, form, status=422)


class CourseDetailView(StaffOnlyMixin, View):
    """One course: its trainees, attendance per session, completion and the register."""

    template_name = "outreach/course_detail.html"

    def _course(self, request, course_id):
        course = selectors.courses_visible_to(user=request.user).filter(pk=course_id).first()
        if course is None:
            raise denied(request, "training_course", course_id)
        return course

    def _render(self, request, course, forms=None, status=200):
        trainees = list(selectors.trainees_of(course=course))
        services.trainee_view_record(actor=request.user, count=len(trainees), request=request)
        forms = forms or {}
        context = {
            "course": course,
            "trainees": trainees,
            "trainee_form": forms.get("enrol") or TraineeForm(),
            "attendance_form": forms.get("attendance")
            or AttendanceForm(trainees=selectors.trainees_of(course=course)),
            "completion_form": forms.get("complete") or CompletionForm(),
            "register_form": forms.get("register") or RegisterForm(),
            "refused": forms.get("refused"),
            "may_erase": has_role(request.user, Role.SUPERVISOR),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, course_id):
        return self._render(request, self._course(request, course_id))

    ACTIONS = ("enrol", "attendance", "complete", "register")

    def post(self, request, course_id):
        course = self._course(request, course_id)
        action = request.POST.get("action", "")
        if action not in self.ACTIONS:
            return redirect("outreach:course", course.pk)
        form = getattr(self, f"_{action}")(request, course)
        if form is None:
            messages.success(request, _("記録しました。"))
            return redirect("outreach:course", course.pk)
        forms_shown = {action: form, "refused": form.non_field_errors()}
        return self._render(request, course, forms_shown, status=422)

    # Each returns None when done, or the form with what was wrong.

    def _enrol(self, request, course):
        form = TraineeForm(request.POST)
        if not form.is_valid():
            return form
        trainee = form.save(commit=False)
        return _run(
            form, services.trainee_enrol, actor=request.user, course=course, trainee=trainee
        )

    def _attendance(self, request, course):
        form = AttendanceForm(request.POST, trainees=selectors.trainees_of(course=course))
        if not form.is_valid():
            return form
        data = form.cleaned_data
        return _run(
            form,
            services.attendance_record,
            actor=request.user,
            course=course,
            session=data["session"],
            present=data["present"],
        )

    def _trainee(self, request, course):
        trainee = course.trainees.filter(pk=request.POST.get("trainee")).first()
        if trainee is None:
            raise denied(request, "trainee", request.POST.get("trainee"))
        return trainee

    def _complete(self, request, course):
        trainee = self._trainee(request, course)
        form = CompletionForm(request.POST)
        if not form.is_valid():
            return form
        return _run(
            form,
            services.trainee_complete,
            actor=request.user,
            trainee=trainee,
            on=form.cleaned_data["on"],
        )

    def _register(self, request, course):
        trainee = self._trainee(request, course)
        form = RegisterForm(request.POST)
        if not form.is_valid():
            return form
        data = form.cleaned_data
        return _run(
            form,
            services.trainee_register,
            actor=request.user,
            trainee=trainee,
            on=data["on"],
            backup=data["backup"],
            area_codes=[area.code for area in data["areas"]],
        )


def _run(form, service, **kwargs):
    """Call service; on a refusal, put its reasons on form and return it (None when done)."""
    try:
        service(**kwargs)
    except ValidationError as error:
        _add_errors(form, error)
        return form
    return None


class TraineeEraseView(StaffOnlyMixin, View):
    """Erase a trainee's personal data for good, after a confirmation (Council supervisor)."""

    template_name = "outreach/trainee_erase.html"

    def _trainee(self, request, trainee_id):
        trainee = selectors.trainee_get_for(user=request.user, trainee_id=trainee_id)
        if trainee is None:
            raise denied(request, "trainee", trainee_id)
        if not has_role(request.user, Role.SUPERVISOR):
            raise PermissionDenied
        return trainee

    def _render(self, request, trainee, form, status=200):
        context = {
            "trainee": trainee,
            "form": form,
            "serving": services.trainee_serving(trainee),
            "erased": trainee.erased_at is not None,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, trainee_id):
        trainee = self._trainee(request, trainee_id)
        # The screen names no one: the row's number and status only, so opening it reads
        # nothing encrypted.
        return self._render(request, trainee, TraineeEraseForm())

    def post(self, request, trainee_id):
        trainee = self._trainee(request, trainee_id)
        form = TraineeEraseForm(request.POST)
        if form.is_valid():
            try:
                services.trainee_erase(
                    actor=request.user, trainee=trainee, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("受講者の情報を消去しました。"))
                return redirect("outreach:course", trainee.course_id)
        return self._render(request, trainee, form, status=422)


class RegisterListView(StaffOnlyMixin, View):
    """The register of citizen guardians, and the Council as a 法人後見 candidate."""

    template_name = "outreach/register.html"

    def _render(self, request, form, status=200):
        page = Paginator(selectors.register_of(user=request.user), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        services.trainee_view_record(actor=request.user, count=len(page), request=request)
        context = {"page": page, "form": form}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self._render(request, CorporateForm())

    def post(self, request):
        form = CorporateForm(request.POST)
        if form.is_valid():
            services.corporate_candidate_set(actor=request.user, **form.cleaned_data)
            messages.success(request, _("法人後見の受任体制を記録しました。"))
            return redirect("outreach:register")
        return self._render(request, form, status=422)
