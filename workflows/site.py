"""The inbox application: the staff home, the four flows' task screens, case-page actions."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from advocacy.access.roles import app_permission
from advocacy.accounts.roles import is_case_staff

from . import case_page_views, handover_views, views
from .base import CaseFlowViewset
from .consultation.flows import ConsultationFlow
from .coordination.flows import CoordinationFlow
from .feedback.flows import FeedbackFlow
from .guardian_support.flows import GuardianSupportFlow
from .ledger_review.flows import LedgerReviewFlow
from .meeting_follow_up.flows import MeetingFollowUpFlow
from .report_overdue.flows import ReportOverdueFlow
from .team_support.flows import TeamSupportFlow

FLOWS = (
    ConsultationFlow,
    CoordinationFlow,
    TeamSupportFlow,
    GuardianSupportFlow,
    MeetingFollowUpFlow,
    LedgerReviewFlow,
    ReportOverdueFlow,
    FeedbackFlow,
)


class InboxApplication(Application):
    """Tasks across all the flows; their screens live under it (``inbox:<flow>:…``)."""

    title = _("受信箱")
    icon = "inbox"
    app_name = "inbox"
    menu_template_name = None
    permission = app_permission(is_case_staff)

    index_path = path("", views.InboxView.as_view(), name="index")
    count_path = path("count/", views.TabCountView.as_view(), name="count")
    start_path = path(
        "cases/<str:case_id>/start/", case_page_views.StartConsultationView.as_view(), name="start"
    )
    event_path = path(
        "cases/<str:case_id>/event/<str:event>/",
        case_page_views.GuardianEventView.as_view(),
        name="event",
    )
    reopen_path = path(
        "cases/<str:case_id>/reopen/", case_page_views.ReopenView.as_view(), name="reopen"
    )
    # A supervisor's handover of a leaving worker's cases and tasks (人事異動).
    handover_path = path("handover/", handover_views.HandoverListView.as_view(), name="handover")
    handover_worker_path = path(
        "handover/<int:worker_id>/",
        handover_views.HandoverView.as_view(),
        name="handover_worker",
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("viewsets", [CaseFlowViewset(flow_class) for flow_class in FLOWS])
        super().__init__(**kwargs)
