"""後見人支援 — years of support to the guardian, until closing (domain steps 10–12).

Long-running. The guardian may ask for help at any time (each request becomes a task);
the arrangement is reviewed every few months (支援の見直し); each fee ruling opens a
fee-subsidy application with its deadline. A guardian change (resignation, removal, an
added guardian, a relay to a citizen guardian, a supervisor) runs its own short path and
support goes on. The end of the guardianship (death, capacity restored, ended by the
court, moved away) sets hand-over tasks and the supervisor closes the case; the agency's
support can also end while the guardianship goes on (the team runs on its own), the
supervisor confirming. Events arrive from the case page through
``events.guardian_event_report``.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from advocacy.cases.models import Case
from workflows import forms, processes, schedule, steps
from workflows.base import CaseFlow
from workflows.nodes import EventHandle, caseworker_task
from workflows.shared_steps import close_approval


class GuardianSupportFlow(CaseFlow):
    process_title = _("後見人支援")
    process_description = _("後見人等からの相談、支援の見直し、報酬助成、交代、終了。")
    stage = Case.Stage.GUARDIAN_SUPPORT

    start = flow.StartHandle(processes.process_begin).Next(this.split)
    split = (
        flow.Split()
        .Always(this.await_contact)
        .Always(this.review_timer)
        .Always(this.await_fee_ruling)
        .Always(this.await_change)
        .Always(this.await_closing)
        .Always(this.await_support_end)
    )

    # A request for help: one task per request, and wait for the next.
    await_contact = EventHandle().Annotation(title=_("支援依頼の受付")).Next(this.contact_split)
    contact_split = flow.Split().Always(this.help).Always(this.await_contact)
    help = caseworker_task(
        _("後見人等への支援"),
        form=forms.HelpRequestForm,
        initial_of=steps.help_initial,
        on_complete=steps.help_done,
        due=schedule.due_help,
    ).Next(this.help_end)
    help_end = flow.End()

    # Periodic review.
    review_timer = (
        flow.Timer(schedule.review_at).Annotation(title=_("支援の見直し時期")).Next(this.review)
    )
    review = caseworker_task(
        _("支援の見直し"),
        form=forms.MeetingForm,
        on_complete=steps.review_done,
        due=schedule.due_review,
    ).Next(this.review_timer)

    # A fee ruling opens a subsidy application with its deadline.
    await_fee_ruling = (
        EventHandle(steps.fee_ruling_received)
        .Annotation(title=_("報酬付与の審判"))
        .Next(this.fee_split)
    )
    fee_split = flow.Split().Always(this.fee_subsidy).Always(this.await_fee_ruling)
    fee_subsidy = caseworker_task(
        _("報酬助成の申請"),
        form=forms.FeeSubsidyForm,
        initial_of=steps.fee_subsidy_initial,
        on_complete=steps.fee_subsidy_done,
        due=schedule.due_fee_subsidy,
    ).Next(this.fee_end)
    fee_end = flow.End()

    # A guardian change (交代・追加) is its own short path: the team and the case stay.
    # What is sought, a candidate (the portal, as in coordination), the petition for the
    # appointment, the ruling, who was appointed; then the next change can be reported.
    await_change = (
        EventHandle().Annotation(title=_("後見人等の交代・追加")).Next(this.change_record)
    )
    change_record = caseworker_task(
        _("交代・追加の内容"),
        form=forms.ChangeRecordForm,
        record_of=steps.change_petition_new,
        on_complete=steps.change_recorded,
    ).Next(this.change_matching)
    change_matching = caseworker_task(
        _("受任調整（後任・追加の候補者への依頼）"),
        completed_by=_("候補者が受任を承諾すると、この手順は完了して選任の申立へ進みます。"),
    ).Next(this.change_petition)
    change_petition = caseworker_task(
        _("選任の申立"),
        form=forms.ChangePetitionForm,
        record_of=steps.petition_of,
        on_complete=steps.petition_step_done,
    ).Next(this.change_ruling)
    change_ruling = caseworker_task(
        _("選任の審判"),
        form=forms.ChangeRulingForm,
        record_of=steps.petition_of,
        on_complete=steps.petition_step_done,
    ).Next(this.change_appointed)
    change_appointed = caseworker_task(
        _("選任された後見人等・監督人の記録"),
        form=forms.AppointedGuardianForm,
        initial_of=steps.appointed_initial,
        on_complete=steps.change_appointed,
    ).Next(this.await_change)

    # Closing: hand-over, final settlement, the supervisor closes the case.
    await_closing = (
        EventHandle(steps.closing_received)
        .Annotation(title=_("終了の連絡"))
        .Next(this.closing_split)
    )
    closing_split = flow.Split().Always(this.handover).Always(this.final_settlement)
    handover = caseworker_task(_("引継ぎ（相続人・関係機関）"), form=forms.HandoverDateForm).Next(
        this.closing_join
    )
    final_settlement = caseworker_task(
        _("最終精算と報告の確認"), form=forms.FinalSettlementForm
    ).Next(this.closing_join)
    closing_join = flow.Join().Next(this.approve_close)
    approve_close = close_approval().Next(this.close_end)
    close_end = flow.TerminateEnd()

    # The agency's support ends while the guardianship goes on (the team runs on its own):
    # a reason from the list, the supervisor confirms, the case closes. It can be reopened.
    await_support_end = (
        EventHandle(steps.closing_received)
        .Annotation(title=_("支援の終結（後見等は継続）"))
        .Next(this.approve_support_end)
    )
    approve_support_end = close_approval().Next(this.support_end_end)
    support_end_end = flow.TerminateEnd()
