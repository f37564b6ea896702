"""相談受付 — intake and triage of a consultation (domain step 1).

A referral or self-referral has been registered as a case. The caseworker confirms what was
received and triages it: information given and closed; referred to another agency, with a
follow-up task to confirm the referral took and feedback to the referrer (the step practice
says gets forgotten); handed to the Council's 日常生活自立支援事業; or on to support
coordination. An urgent case (abuse, imminent danger) gives the supervisor a task at once.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from advocacy.accounts.roles import Role
from workflows import forms, services
from workflows.base import CaseFlow
from workflows.nodes import CaseView, answer_is, case_is_urgent, route_is
from workflows.views import TaskFormView


class ConsultationFlow(CaseFlow):
    process_title = _("相談受付")
    process_description = _(
        "受付内容の確認と振り分け。情報提供・他機関へのつなぎ・日自・支援調整へ。"
    )

    start = flow.StartHandle(services.process_begin).Next(this.split)
    split = flow.Split().Next(this.urgent_review, case=case_is_urgent).Always(this.intake)

    urgent_review = (
        CaseView(TaskFormView.as_view(), role=Role.SUPERVISOR, due=services.due_today)
        .Annotation(title=_("緊急案件の確認"))
        .Next(this.urgent_end)
    )
    urgent_end = flow.End()

    intake = (
        CaseView(TaskFormView.as_view())
        .Assign(services.case_worker)
        .Annotation(title=_("受付内容の確認"))
        .Next(this.triage)
    )
    triage = (
        CaseView(
            TaskFormView.as_view(form_class=forms.TriageForm, on_complete=services.triage_done)
        )
        .Assign(services.case_worker)
        .Annotation(title=_("振り分け"))
        .Next(this.route)
    )
    route = (
        flow.Switch()
        .Case(this.approve_close, route_is("information"))
        .Case(this.refer, route_is("referral", "daily_life_support"))
        .Default(this.start_coordination)
    )

    refer = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.ReferralStepForm,
                initial_of=services.referral_initial,
                on_complete=services.referral_done,
            )
        )
        .Assign(services.case_worker)
        .Annotation(title=_("他機関へのつなぎ"))
        .Next(this.follow_up)
    )
    follow_up = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.FollowUpForm, on_complete=services.follow_up_done
            ),
            due=services.due_follow_up,
        )
        .Assign(services.case_worker)
        .Annotation(title=_("つなぎ先での支援開始の確認"))
        .Next(this.took)
    )
    took = flow.If(answer_is("yes")).Then(this.feedback).Else(this.triage)
    feedback = (
        CaseView(
            TaskFormView.as_view(form_class=forms.FeedbackForm, on_complete=services.feedback_done),
            due=services.due_feedback,
        )
        .Assign(services.case_worker)
        .Annotation(title=_("相談者への報告"))
        .Next(this.approve_close)
    )

    approve_close = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.CloseForm,
                initial_of=services.close_initial,
                on_complete=services.close_done,
            ),
            role=Role.SUPERVISOR,
        )
        .Annotation(title=_("終結の承認"))
        .Next(this.end)
    )

    start_coordination = (
        flow.Function(services.start_coordination).Annotation(title=_("支援調整へ")).Next(this.end)
    )
    end = flow.End()
