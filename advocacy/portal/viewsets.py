"""The caseworker's side of the portal, mounted under the portal application.

viewflow's SiteMiddleware refuses a request when its application's permission fails; the
portal application admits professionals only (and shows only to them in the menu). This
nested application carries its own permission, case staff, which the middleware checks
instead for the URLs below it.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from advocacy.access.roles import app_permission
from advocacy.accounts.roles import is_case_staff

from . import views


class PortalStaffApplication(Application):
    title = _("受任調整（職員）")
    icon = "gavel"
    app_name = "staff"
    menu_template_name = None
    permission = app_permission(is_case_staff)

    index_path = None
    case_requests_path = path(
        "cases/<str:case_id>/", views.CaseRequestsView.as_view(), name="case_requests"
    )
    staff_request_path = path(
        "cases/<str:case_id>/requests/<str:request_id>/",
        views.StaffRequestView.as_view(),
        name="request",
    )
