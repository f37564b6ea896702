"""支援調整・受任調整 — support and appointment coordination (domain steps 2–8).

Assessment runs beside the collection of the 本人情報シート and the doctor's certificate;
then the case conference (支援調整会議) decides, in its minutes (a meeting decides several
cases). A less restrictive support ends in closing
or a referral; voluntary guardianship (任意後見) in supporting the contract. For
guardianship: who petitions (for a mayor's petition: relative search, relatives'
intentions, internal approval), the petition-cost subsidy, appointment coordination — the
caseworker sends requests from the step's page until a candidate accepts, which completes
it (``events.candidate_accepted``) — then the petition, the ruling (the court may appoint
someone else), registration, and team support starts.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from advocacy.cases.models import Case
from workflows import forms, processes, steps
from workflows.base import CaseFlow
from workflows.nodes import answer_is, caseworker_task, route_is, supervisor_task
from workflows.shared_steps import close_approval, referral_steps


class CoordinationFlow(CaseFlow):
    process_title = _("支援調整・受任調整")
    process_description = _("アセスメントから支援方針の決定、申立、審判、登記まで。")
    stage = Case.Stage.COORDINATION

    start = flow.StartHandle(processes.process_begin).Next(this.split)
    split = flow.Split().Always(this.assessment).Always(this.documents)
    assessment = caseworker_task(
        _("アセスメント"),
        form=forms.AssessmentStepForm,
        record_of=steps.assessment_of,
        on_complete=steps.assessment_done,
    ).Next(this.join)
    documents = caseworker_task(
        _("本人情報シート・診断書の収集"),
        form=forms.DocumentsForm,
        record_of=steps.assessment_of,
        on_complete=steps.assessment_done,
    ).Next(this.join)
    join = flow.Join().Next(this.conference)

    # Decided in a meeting: the decision recorded in a 支援調整会議's minutes completes it
    # (events.conference_decided); one meeting decides several cases.
    conference = caseworker_task(
        _("支援調整会議（方針の決定）"),
        completed_by=_(
            "支援調整会議の議事録でこのケースの方針を記録すると、この手順は完了します。"
        ),
    ).Next(this.outcome)
    outcome = (
        flow.Switch()
        .Case(this.petitioner, route_is("guardianship"))
        .Case(this.voluntary, route_is("voluntary"))
        .Default(this.less_restrictive)
    )

    # Less restrictive support: close, or refer and follow up.
    less_restrictive = caseworker_task(
        _("他の支援での対応"),
        form=forms.LessRestrictiveForm,
        on_complete=steps.less_restrictive_done,
    ).Next(this.refer_or_close)
    refer_or_close = flow.If(answer_is("refer")).Then(this.refer).Else(this.approve_close)
    refer, follow_up, took, feedback = referral_steps(
        not_taken=this.less_restrictive, then=this.approve_close
    )

    # Voluntary guardianship: support the contract, then close.
    voluntary = caseworker_task(_("任意後見契約の支援")).Next(this.approve_close)

    approve_close = close_approval().Next(this.end)

    # Guardianship.
    petitioner = caseworker_task(
        _("申立人の検討"),
        form=forms.PetitionerForm,
        record_of=steps.petition_of,
        initial_of=steps.petitioner_initial,
        on_complete=steps.petitioner_done,
    ).Next(this.is_mayor)
    is_mayor = flow.If(answer_is("mayor")).Then(this.relative_search).Else(this.subsidy_check)
    relative_search = caseworker_task(
        _("親族調査"),
        form=forms.RelativeSearchForm,
        record_of=steps.petition_of,
        on_complete=steps.petition_step_done,
    ).Next(this.relatives_intentions)
    relatives_intentions = caseworker_task(
        _("親族の意向確認"),
        form=forms.RelativesIntentionsForm,
        record_of=steps.petition_of,
        on_complete=steps.petition_step_done,
    ).Next(this.mayor_approval)
    mayor_approval = supervisor_task(
        _("市長申立の決裁"),
        form=forms.MayorApprovalForm,
        record_of=steps.petition_of,
        on_complete=steps.petition_step_done,
    ).Next(this.subsidy_check)
    subsidy_check = caseworker_task(
        _("申立費用助成の確認"),
        form=forms.SubsidyCheckForm,
        on_complete=steps.subsidy_check_done,
    ).Next(this.matching)
    # Done in the portal: the page shows the shortlist, the send form and the requests so
    # far; a candidate's acceptance completes it (events.candidate_accepted), a decline or
    # an expired request leaves it open for the next candidate.
    matching = caseworker_task(
        _("受任調整（候補者への依頼）"),
        completed_by=_("候補者が受任を承諾すると、この手順は完了して申立へ進みます。"),
    ).Next(this.petition)
    petition = caseworker_task(
        _("申立"),
        form=forms.PetitionFileForm,
        record_of=steps.petition_of,
        on_complete=steps.petition_step_done,
    ).Next(this.ruling)
    ruling = caseworker_task(
        _("審判の記録"),
        form=forms.RulingForm,
        record_of=steps.petition_of,
        on_complete=steps.petition_step_done,
    ).Next(this.guardian)
    guardian = caseworker_task(
        _("選任された後見人等の記録"),
        form=forms.AppointedGuardianForm,
        initial_of=steps.appointed_initial,
        on_complete=steps.guardian_done,
    ).Next(this.registration)
    registration = caseworker_task(
        _("登記の記録"),
        form=forms.RegistrationForm,
        record_of=steps.petition_of,
        on_complete=steps.petition_step_done,
    ).Next(this.start_team_support)
    start_team_support = (
        flow.Function(processes.start_team_support)
        .Annotation(title=_("チーム支援へ"))
        .Next(this.end)
    )
    end = flow.End()
