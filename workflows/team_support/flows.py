"""チーム支援 — the support team around the person after appointment (domain steps 9–10).

The team (権利擁護支援チーム) forms around the person: guardian, relatives, care manager,
doctor, facility, 民生委員. The first team meeting has a due date; monitoring repeats until
the supervisor records that the team runs on its own, and guardian support starts.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from advocacy.cases.models import Case
from workflows import forms, processes, schedule, steps
from workflows.base import CaseFlow
from workflows.nodes import answer_is, caseworker_task, supervisor_task


class TeamSupportFlow(CaseFlow):
    process_title = _("チーム支援")
    process_description = _("チームの編成、初回チーム会議、自立までのモニタリング。")
    stage = Case.Stage.TEAM_SUPPORT

    start = flow.StartHandle(processes.process_begin).Next(this.form_team)
    form_team = caseworker_task(
        _("チームの編成"), form=forms.TeamFormationForm, on_complete=steps.team_formed
    ).Next(this.first_meeting)
    first_meeting = caseworker_task(
        _("初回チーム会議"),
        form=forms.MeetingForm,
        on_complete=steps.first_meeting_done,
        due=schedule.due_first_meeting,
    ).Next(this.monitoring)
    monitoring = caseworker_task(
        _("モニタリング"),
        form=forms.MeetingForm,
        on_complete=steps.monitoring_done,
        due=schedule.due_monitoring,
    ).Next(this.independence)
    independence = supervisor_task(
        _("チームの自立の確認"),
        form=forms.IndependenceForm,
        on_complete=steps.independence_done,
    ).Next(this.independent)
    independent = flow.If(answer_is("yes")).Then(this.start_guardian_support).Else(this.monitoring)
    start_guardian_support = (
        flow.Function(processes.start_guardian_support)
        .Annotation(title=_("後見人支援へ"))
        .Next(this.end)
    )
    end = flow.End()
