"""後見人支援 — years of support to the guardian, until closing (domain steps 10–12).

Long-running. The guardian may ask for help at any time (each request becomes a task);
the arrangement is reviewed every few months (支援の見直し); each fee ruling opens a
fee-subsidy application with its deadline. A guardian change goes back to coordination;
closing (death, capacity restored, moved away) sets hand-over tasks and the supervisor
closes the case. Events arrive from the case page through ``services.guardian_event_report``.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from advocacy.accounts.roles import Role
from workflows import forms, services
from workflows.base import CaseFlow
from workflows.nodes import CaseView, EventHandle
from workflows.views import TaskFormView


class GuardianSupportFlow(CaseFlow):
    process_title = _("後見人支援")
    process_description = _("後見人等からの相談、支援の見直し、報酬助成、交代、終了。")

    start = flow.StartHandle(services.process_begin).Next(this.split)
    split = (
        flow.Split()
        .Always(this.await_contact)
        .Always(this.review_timer)
        .Always(this.await_fee_ruling)
        .Always(this.await_change)
        .Always(this.await_closing)
    )

    # A request for help: one task per request, and wait for the next.
    await_contact = EventHandle().Annotation(title=_("支援依頼の受付")).Next(this.contact_split)
    contact_split = flow.Split().Always(this.help).Always(this.await_contact)
    help = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.HelpRequestForm,
                initial_of=services.help_initial,
                on_complete=services.help_done,
            ),
            due=services.due_help,
        )
        .Assign(services.case_worker)
        .Annotation(title=_("後見人等への支援"))
        .Next(this.help_end)
    )
    help_end = flow.End()

    # Periodic review.
    review_timer = (
        flow.Timer(services.review_at).Annotation(title=_("支援の見直し時期")).Next(this.review)
    )
    review = (
        CaseView(
            TaskFormView.as_view(form_class=forms.MeetingForm, on_complete=services.review_done),
            due=services.due_review,
        )
        .Assign(services.case_worker)
        .Annotation(title=_("支援の見直し"))
        .Next(this.review_timer)
    )

    # A fee ruling opens a subsidy application with its deadline.
    await_fee_ruling = (
        EventHandle(services.fee_ruling_received)
        .Annotation(title=_("報酬付与の審判"))
        .Next(this.fee_split)
    )
    fee_split = flow.Split().Always(this.fee_subsidy).Always(this.await_fee_ruling)
    fee_subsidy = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.FeeSubsidyForm,
                initial_of=services.fee_subsidy_initial,
                on_complete=services.fee_subsidy_done,
            ),
            due=services.due_fee_subsidy,
        )
        .Assign(services.case_worker)
        .Annotation(title=_("報酬助成の申請"))
        .Next(this.fee_end)
    )
    fee_end = flow.End()

    # A guardian change goes back to coordination.
    await_change = EventHandle().Annotation(title=_("後見人等の交代")).Next(this.guardian_end)
    guardian_end = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.GuardianEndForm,
                record_of=services.current_guardian,
                on_complete=services.guardian_end_done,
            )
        )
        .Assign(services.case_worker)
        .Annotation(title=_("交代前の後見人等の終了記録"))
        .Next(this.restart_coordination)
    )
    restart_coordination = (
        flow.Function(services.start_coordination)
        .Annotation(title=_("支援調整へ戻る"))
        .Next(this.change_end)
    )
    change_end = flow.TerminateEnd()

    # Closing: hand-over, final settlement, the supervisor closes the case.
    await_closing = (
        EventHandle(services.closing_received)
        .Annotation(title=_("終了の連絡"))
        .Next(this.closing_split)
    )
    closing_split = flow.Split().Always(this.handover).Always(this.final_settlement)
    handover = (
        CaseView(TaskFormView.as_view(form_class=forms.HandoverDateForm))
        .Assign(services.case_worker)
        .Annotation(title=_("引継ぎ（相続人・関係機関）"))
        .Next(this.closing_join)
    )
    final_settlement = (
        CaseView(TaskFormView.as_view(form_class=forms.FinalSettlementForm))
        .Assign(services.case_worker)
        .Annotation(title=_("最終精算と報告の確認"))
        .Next(this.closing_join)
    )
    closing_join = flow.Join().Next(this.approve_close)
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
        .Next(this.close_end)
    )
    close_end = flow.TerminateEnd()
