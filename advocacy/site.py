"""The viewflow Material frontend: one application per kind of user."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application, Site, route

from advocacy.access.roles import app_permission
from advocacy.accounts.roles import Role, has_role, is_case_staff
from advocacy.cases.viewsets import CasesApplication, GeneralConsultationsApplication
from advocacy.court import views as court
from advocacy.ledger import views as ledger
from advocacy.meetings.viewsets import MeetingsApplication
from advocacy.outreach.viewsets import OutreachApplication
from advocacy.portal import views as portal
from advocacy.portal.viewsets import PortalStaffApplication
from advocacy.stats.views import (
    StatsExportView,
    StatsHomeView,
    StatsPreviewView,
    StatsPrintView,
    StatsReleaseView,
    SurveyExportView,
)
from workflows.site import InboxApplication


class PortalApplication(Application):
    title = _("受任調整ポータル")
    icon = "gavel"
    app_name = "portal"
    menu_template_name = None
    permission = app_permission(lambda user: has_role(user, Role.PROFESSIONAL))

    index_path = path("", portal.PortalHomeView.as_view(), name="index")
    request_path = path(
        "requests/<str:request_id>/", portal.RequestDetailView.as_view(), name="request"
    )
    case_path = path("cases/<str:case_id>/", portal.GuardianCaseView.as_view(), name="case")
    # The guardian records what was submitted to the court (advocacy.court).
    obligation_path = path(
        "obligations/<str:obligation_id>/",
        court.GuardianObligationView.as_view(),
        name="obligation",
    )
    # The caseworker's screens, with their own permission (case staff): see the viewset.
    staff_path = route("staff/", PortalStaffApplication())


class CourtApplication(Application):
    """The court's side for staff: reporting plans, submissions, flags, subsidy computations."""

    title = _("不正防止の注意")
    icon = "flag"
    app_name = "court"
    menu_template_name = None
    permission = app_permission(is_case_staff)

    index_path = path("", court.FlagListView.as_view(), name="flags")
    flag_clear_path = path(
        "flags/<str:flag_id>/clear/", court.FlagClearView.as_view(), name="flag_clear"
    )
    plan_path = path("cases/<str:case_id>/plan/", court.PlanView.as_view(), name="plan")
    asset_path = path(
        "cases/<str:case_id>/asset-change/", court.AssetChangeView.as_view(), name="asset_change"
    )
    subsidy_path = path("cases/<str:case_id>/subsidy/", court.SubsidyView.as_view(), name="subsidy")
    obligation_path = path(
        "obligations/<str:obligation_id>/",
        court.StaffObligationView.as_view(),
        name="obligation",
    )
    paper_path = path(
        "cases/<str:case_id>/papers/<str:code>.<str:fmt>",
        court.PaperView.as_view(),
        name="paper",
    )


class StatsApplication(Application):
    title = _("統計")
    icon = "bar_chart"
    app_name = "stats"
    menu_template_name = None
    # Supervisors may enter only to preview and release (stats:preview, stats:release); the
    # committee sees releases only. The views check the roles.
    permission = app_permission(lambda user: has_role(user, Role.COMMITTEE_MEMBER, Role.SUPERVISOR))

    index_path = path("", StatsHomeView.as_view(), name="index")
    preview_path = path("preview/", StatsPreviewView.as_view(), name="preview")
    release_path = path("release/", StatsReleaseView.as_view(), name="release")
    print_path = path("print/", StatsPrintView.as_view(), name="print")
    csv_path = path("export.csv", StatsExportView.as_view(fmt="csv"), name="export_csv")
    xlsx_path = path("export.xlsx", StatsExportView.as_view(fmt="xlsx"), name="export_xlsx")
    # The national survey's answer sheet: a supervisor's, unsuppressed (advocacy.stats.survey).
    survey_path = path("survey.xlsx", SurveyExportView.as_view(), name="survey")


class LedgerApplication(Application):
    title = _("台帳の取込み・出力")
    icon = "upload_file"
    app_name = "ledger"
    menu_template_name = None
    permission = app_permission(lambda user: has_role(user, Role.SUPERVISOR))

    index_path = path("", ledger.LedgerHomeView.as_view(), name="index")
    preview_path = path(
        "imports/<str:import_id>/", ledger.LedgerPreviewView.as_view(), name="preview"
    )
    run_path = path("imports/<str:import_id>/run/", ledger.LedgerRunView.as_view(), name="run")
    mapping_path = path("mapping/", ledger.MappingView.as_view(), name="mapping")
    template_path = path("template.xlsx", ledger.TemplateView.as_view(), name="template")
    sample_path = path("mapping-sample.json", ledger.SampleMappingView.as_view(), name="sample")
    export_path = path("export.xlsx", ledger.LedgerExportView.as_view(), name="export")
    record_path = path(
        "persons/<str:case_id>/record/", ledger.PersonRecordView.as_view(), name="person_record"
    )
    record_json_path = path(
        "persons/<str:case_id>/record.json",
        ledger.PersonRecordView.as_view(fmt="json"),
        name="person_record_json",
    )
    record_docx_path = path(
        "persons/<str:case_id>/record.docx",
        ledger.PersonRecordView.as_view(fmt="docx"),
        name="person_record_docx",
    )
    record_pdf_path = path(
        "persons/<str:case_id>/record.pdf",
        ledger.PersonRecordView.as_view(fmt="pdf"),
        name="person_record_pdf",
    )


site = Site(
    title=_("権利擁護支援 中核機関"),
    primary_color="#2e5d8c",
    secondary_color="#c2410c",
    viewsets=[
        InboxApplication(),
        CasesApplication(),
        GeneralConsultationsApplication(),
        MeetingsApplication(),
        PortalApplication(),
        CourtApplication(),
        OutreachApplication(),
        StatsApplication(),
        LedgerApplication(),
    ],
)
