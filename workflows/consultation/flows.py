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

from advocacy.cases.models import Case
from workflows import forms, processes, schedule, steps
from workflows.base import CaseFlow
from workflows.nodes import case_is_urgent, caseworker_task, route_is, supervisor_task
from workflows.shared_steps import close_approval, referral_steps


class ConsultationFlow(CaseFlow):
    process_title = _("相談受付")
    process_description = _(
        "受付内容の確認と振り分け。情報提供・他機関へのつなぎ・日自・支援調整へ。"
    )
    stage = Case.Stage.CONSULTATION

    start = flow.StartHandle(processes.process_begin).Next(this.split)
    split = flow.Split().Next(this.urgent_review, case=case_is_urgent).Always(this.intake)

    urgent_review = supervisor_task(_("緊急案件の確認"), due=schedule.due_today).Next(
        this.urgent_end
    )
    urgent_end = flow.End()

    intake = caseworker_task(_("受付内容の確認"), shows=steps.intake_shown).Next(this.triage)
    triage = caseworker_task(
        _("振り分け"), form=forms.TriageForm, on_complete=steps.triage_done
    ).Next(this.route)
    route = (
        flow.Switch()
        .Case(this.approve_close, route_is("information"))
        .Case(this.refer, route_is("referral", "daily_life_support"))
        .Default(this.start_coordination)
    )

    refer, follow_up, took, feedback = referral_steps(
        not_taken=this.triage, then=this.approve_close
    )
    approve_close = close_approval().Next(this.end)

    start_coordination = (
        flow.Function(processes.start_coordination).Annotation(title=_("支援調整へ")).Next(this.end)
    )
    end = flow.End()
