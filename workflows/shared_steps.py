"""Steps that more than one flow takes, declared once.

- Referral (consultation, and coordination's less restrictive support): refer to another
  agency, confirm the support there began, report back to whoever referred the person.
- The supervisor's approval of closing (consultation, coordination, guardian support).

Each function returns fresh nodes for the flow that calls it; node names (and so task
permissions and URLs) come from the names the flow gives them.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from . import forms, schedule, steps
from .nodes import CaseView, answer_is, caseworker_task, supervisor_task


def referral_steps(*, not_taken, then) -> tuple[CaseView, CaseView, flow.If, CaseView]:
    """Return the nodes refer → follow_up → took → feedback; unpack them under those names.

    not_taken is where a referral that did not take goes back to; then follows feedback.
    """
    refer = caseworker_task(
        _("他機関へのつなぎ"),
        form=forms.ReferralStepForm,
        initial_of=steps.referral_initial,
        on_complete=steps.referral_done,
    ).Next(this.follow_up)
    follow_up = caseworker_task(
        _("つなぎ先での支援開始の確認"),
        form=forms.FollowUpForm,
        on_complete=steps.follow_up_done,
        due=schedule.due_follow_up,
    ).Next(this.took)
    took = flow.If(answer_is("yes")).Then(this.feedback).Else(not_taken)
    feedback = caseworker_task(
        _("相談者への報告"),
        form=forms.FeedbackForm,
        on_complete=steps.feedback_done,
        due=schedule.due_feedback,
    ).Next(then)
    return refer, follow_up, took, feedback


def close_approval() -> CaseView:
    """Return the supervisor's approval of closing, which closes the case."""
    return supervisor_task(
        _("終結の承認"),
        form=forms.CloseForm,
        initial_of=steps.close_initial,
        on_complete=steps.close_done,
    )
