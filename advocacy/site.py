"""The viewflow Material frontend: one application per kind of user."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application, Site

from advocacy.access.roles import has_role
from advocacy.accounts.roles import Role
from advocacy.cases.viewsets import CasesApplication
from advocacy.portal.views import PortalHomeView
from advocacy.stats.views import StatsHomeView
from workflows.site import InboxApplication


def _menu_permission(check):
    """Show an application to users passing ``check``.

    viewflow's SiteMiddleware also uses this to refuse requests; anonymous users are let
    through to the view so that it sends them to the login page instead of a bare 403.
    """
    return staticmethod(lambda user: not user.is_authenticated or check(user))


class PortalApplication(Application):
    title = _("受任調整ポータル")
    icon = "gavel"
    app_name = "portal"
    menu_template_name = None
    permission = _menu_permission(lambda user: has_role(user, Role.PROFESSIONAL))

    index_path = path("", PortalHomeView.as_view(), name="index")


class StatsApplication(Application):
    title = _("統計")
    icon = "bar_chart"
    app_name = "stats"
    menu_template_name = None
    permission = _menu_permission(lambda user: has_role(user, Role.COMMITTEE_MEMBER))

    index_path = path("", StatsHomeView.as_view(), name="index")


site = Site(
    title=_("権利擁護支援 中核機関"),
    primary_color="#2e5d8c",
    secondary_color="#c2410c",
    viewsets=[InboxApplication(), CasesApplication(), PortalApplication(), StatsApplication()],
)
