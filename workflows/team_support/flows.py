"""チーム支援 — the support team around the person after appointment (domain steps 9–10).

The team (権利擁護支援チーム) forms around the person: guardian, relatives, care manager,
doctor, facility, 民生委員. The first team meeting has a due date; monitoring repeats until
the supervisor records that the team runs on its own, and guardian support starts.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from advocacy.accounts.roles import Role
from workflows import forms, services
from workflows.base import CaseFlow
from workflows.nodes import CaseView, answer_is
from workflows.views import TaskFormView


class TeamSupportFlow(CaseFlow):
    process_title = _("チーム支援")
    process_description = _("チームの編成、初回チーム会議、自立までのモニタリング。")

    start = flow.StartHandle(services.process_begin).Next(this.form_team)
    form_team = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.TeamFormationForm, on_complete=services.team_formed
            )
        )
        .Assign(services.case_worker)
        .Annotation(title=_("チームの編成"))
        .Next(this.first_meeting)
    )
    first_meeting = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.MeetingForm, on_complete=services.first_meeting_done
            ),
            due=services.due_first_meeting,
        )
        .Assign(services.case_worker)
        .Annotation(title=_("初回チーム会議"))
        .Next(this.monitoring)
    )
    monitoring = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.MeetingForm, on_complete=services.monitoring_done
            ),
            due=services.due_monitoring,
        )
        .Assign(services.case_worker)
        .Annotation(title=_("モニタリング"))
        .Next(this.independence)
    )
    independence = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.IndependenceForm, on_complete=services.independence_done
            ),
            role=Role.SUPERVISOR,
        )
        .Annotation(title=_("チームの自立の確認"))
        .Next(this.independent)
    )
    independent = flow.If(answer_is("yes")).Then(this.start_guardian_support).Else(this.monitoring)
    start_guardian_support = (
        flow.Function(services.start_guardian_support)
        .Annotation(title=_("後見人支援へ"))
        .Next(this.end)
    )
    end = flow.End()
