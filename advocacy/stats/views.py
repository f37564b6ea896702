from django.views.generic import TemplateView

from advocacy.access.roles import RoleRequiredMixin
from advocacy.accounts.roles import Role


class StatsHomeView(RoleRequiredMixin, TemplateView):
    """The committee's home: the anonymised yearly report."""

    required_roles = (Role.COMMITTEE_MEMBER,)
    template_name = "stats/home.html"
