from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from advocacy.access.roles import app_permission
from advocacy.accounts.roles import is_case_staff
from advocacy.cases import general_views, views


class CasesApplication(Application):
    """Case records in the Material frontend: list, search, intake, the case page, records."""

    title = _("ケース")
    icon = "folder_shared"
    app_name = "cases"
    menu_template_name = None
    permission = app_permission(is_case_staff)

    index_path = path("", views.CaseListView.as_view(), name="index")
    search_path = path("search/", views.CaseSearchView.as_view(), name="search")
    create_path = path("new/", views.CaseCreateView.as_view(), name="create")
    detail_path = path("<str:case_id>/", views.CaseDetailView.as_view(), name="detail")
    erase_path = path("<str:case_id>/erase/", views.PersonEraseView.as_view(), name="erase")
    person_path = path("<str:case_id>/person/", views.PersonEditView.as_view(), name="person")
    document_path = path(
        "<str:case_id>/documents/<str:record_id>/",
        views.DocumentDownloadView.as_view(),
        name="document",
    )
    record_add_path = path(
        "<str:case_id>/records/<str:kind>/new/", views.RecordEditView.as_view(), name="record_add"
    )
    record_edit_path = path(
        "<str:case_id>/records/<str:kind>/<str:record_id>/",
        views.RecordEditView.as_view(),
        name="record_edit",
    )


class GeneralConsultationsApplication(Application):
    """一般相談: contacts that name no one, counted in the statistics."""

    title = _("一般相談")
    icon = "support_agent"
    app_name = "general"
    menu_template_name = None
    permission = app_permission(is_case_staff)

    index_path = path("", general_views.GeneralConsultationListView.as_view(), name="index")
    create_path = path("new/", general_views.GeneralConsultationCreateView.as_view(), name="create")
    link_path = path(
        "<str:consultation_id>/link/",
        general_views.GeneralConsultationLinkView.as_view(),
        name="link",
    )
