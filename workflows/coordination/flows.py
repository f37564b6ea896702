"""支援調整・受任調整 — support and appointment coordination (domain steps 2–8).

Assessment runs beside the collection of the 本人情報シート and the doctor's certificate;
then the case conference (支援調整会議) decides. A less restrictive support ends in closing
or a referral; voluntary guardianship (任意後見) in supporting the contract. For
guardianship: who petitions (for a mayor's petition: relative search, relatives'
intentions, internal approval), the petition-cost subsidy, appointment coordination — the
step waits for a candidate's acceptance (``services.candidate_accepted``) and is issued
again after a decline or when the wait expires — then the petition, the ruling (the court
may appoint someone else), registration, and team support starts.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from advocacy.accounts.roles import Role
from workflows import forms, services
from workflows.base import CaseFlow
from workflows.nodes import CaseView, answer_is, route_is
from workflows.views import TaskFormView


class CoordinationFlow(CaseFlow):
    process_title = _("支援調整・受任調整")
    process_description = _("アセスメントから支援方針の決定、申立、審判、登記まで。")

    start = flow.StartHandle(services.process_begin).Next(this.split)
    split = flow.Split().Always(this.assessment).Always(this.documents)
    assessment = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.AssessmentStepForm,
                record_of=services.assessment_of,
                on_complete=services.assessment_done,
            )
        )
        .Assign(services.case_worker)
        .Annotation(title=_("アセスメント"))
        .Next(this.join)
    )
    documents = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.DocumentsForm,
                record_of=services.assessment_of,
                on_complete=services.assessment_done,
            )
        )
        .Assign(services.case_worker)
        .Annotation(title=_("本人情報シート・診断書の収集"))
        .Next(this.join)
    )
    join = flow.Join().Next(this.conference)

    conference = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.ConferenceForm, on_complete=services.conference_done
            )
        )
        .Assign(services.case_worker)
        .Annotation(title=_("支援調整会議（方針の決定）"))
        .Next(this.outcome)
    )
    outcome = (
        flow.Switch()
        .Case(this.petitioner, route_is("guardianship"))
        .Case(this.voluntary, route_is("voluntary"))
        .Default(this.less_restrictive)
    )

    # Less restrictive support: close, or refer and follow up.
    less_restrictive = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.LessRestrictiveForm, on_complete=services.less_restrictive_done
            )
        )
        .Assign(services.case_worker)
        .Annotation(title=_("他の支援での対応"))
        .Next(this.refer_or_close)
    )
    refer_or_close = flow.If(answer_is("refer")).Then(this.refer).Else(this.approve_close)
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
    took = flow.If(answer_is("yes")).Then(this.feedback).Else(this.less_restrictive)
    feedback = (
        CaseView(
            TaskFormView.as_view(form_class=forms.FeedbackForm, on_complete=services.feedback_done),
            due=services.due_feedback,
        )
        .Assign(services.case_worker)
        .Annotation(title=_("相談者への報告"))
        .Next(this.approve_close)
    )

    # Voluntary guardianship: support the contract, then close.
    voluntary = (
        CaseView(TaskFormView.as_view())
        .Assign(services.case_worker)
        .Annotation(title=_("任意後見契約の支援"))
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

    # Guardianship.
    petitioner = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.PetitionerForm,
                record_of=services.petition_of,
                on_complete=services.petitioner_done,
            )
        )
        .Assign(services.case_worker)
        .Annotation(title=_("申立人の検討"))
        .Next(this.is_mayor)
    )
    is_mayor = flow.If(answer_is("mayor")).Then(this.relative_search).Else(this.subsidy_check)
    relative_search = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.RelativeSearchForm,
                record_of=services.petition_of,
                on_complete=services.petition_step_done,
            )
        )
        .Assign(services.case_worker)
        .Annotation(title=_("親族調査"))
        .Next(this.relatives_intentions)
    )
    relatives_intentions = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.RelativesIntentionsForm,
                record_of=services.petition_of,
                on_complete=services.petition_step_done,
            )
        )
        .Assign(services.case_worker)
        .Annotation(title=_("親族の意向確認"))
        .Next(this.mayor_approval)
    )
    mayor_approval = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.MayorApprovalForm,
                record_of=services.petition_of,
                on_complete=services.petition_step_done,
            ),
            role=Role.SUPERVISOR,
        )
        .Annotation(title=_("市長申立の決裁"))
        .Next(this.subsidy_check)
    )
    subsidy_check = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.SubsidyCheckForm, on_complete=services.subsidy_check_done
            )
        )
        .Assign(services.case_worker)
        .Annotation(title=_("申立費用助成の確認"))
        .Next(this.matching)
    )
    matching = (
        CaseView(
            TaskFormView.as_view(form_class=forms.MatchingForm, on_complete=services.matching_done)
        )
        .Assign(services.case_worker)
        .Annotation(title=_("受任調整（候補者への依頼）"))
        .Next(this.await_candidate)
    )
    await_candidate = (
        flow.Handle(services.candidate_answer)
        .OnTimeout(services.candidate_deadline, this.matching, title=_("回答期限切れ"))
        .Annotation(title=_("候補者の回答待ち"))
        .Next(this.accepted)
    )
    accepted = flow.If(answer_is("accepted")).Then(this.petition).Else(this.matching)
    petition = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.PetitionFileForm,
                record_of=services.petition_of,
                on_complete=services.petition_step_done,
            )
        )
        .Assign(services.case_worker)
        .Annotation(title=_("申立"))
        .Next(this.ruling)
    )
    ruling = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.RulingForm,
                record_of=services.petition_of,
                on_complete=services.petition_step_done,
            )
        )
        .Assign(services.case_worker)
        .Annotation(title=_("審判の記録"))
        .Next(this.guardian)
    )
    guardian = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.AppointedGuardianForm, on_complete=services.guardian_done
            )
        )
        .Assign(services.case_worker)
        .Annotation(title=_("選任された後見人等の記録"))
        .Next(this.registration)
    )
    registration = (
        CaseView(
            TaskFormView.as_view(
                form_class=forms.RegistrationForm,
                record_of=services.petition_of,
                on_complete=services.petition_step_done,
            )
        )
        .Assign(services.case_worker)
        .Annotation(title=_("登記の記録"))
        .Next(this.start_team_support)
    )
    start_team_support = (
        flow.Function(services.start_team_support)
        .Annotation(title=_("チーム支援へ"))
        .Next(this.end)
    )
    end = flow.End()
