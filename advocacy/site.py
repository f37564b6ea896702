"""The viewflow Material frontend: one application per kind of user."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application, Site, route

from advocacy.access.roles import app_permission
from advocacy.accounts.roles import Role, has_role
from advocacy.cases.viewsets import CasesApplication, GeneralConsultationsApplication
from advocacy.ledger import views as ledger
from advocacy.portal import views as portal
from advocacy.portal.viewsets import PortalStaffApplication
from advocacy.stats.views import (
    StatsExportView,
    StatsHomeView,
    StatsPreviewView,
    StatsPrintView,
    StatsReleaseView,
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
    # The caseworker's screens, with their own permission (case staff): see the viewset.
    staff_path = route("staff/", PortalStaffApplication())


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


site = Site(
    title=_("権利擁護支援 中核機関"),
    primary_color="#2e5d8c",
    secondary_color="#c2410c",
    viewsets=[
        InboxApplication(),
        CasesApplication(),
        GeneralConsultationsApplication(),
        PortalApplication(),
        StatsApplication(),
        LedgerApplication(),
    ],
)
