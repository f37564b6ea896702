from django.views.generic import TemplateView

from advocacy.access.roles import RoleRequiredMixin
from advocacy.accounts.roles import STAFF_ROLES


class InboxView(RoleRequiredMixin, TemplateView):
    """The caseworker's home: tasks assigned to them and their organisation's queue."""

    required_roles = tuple(STAFF_ROLES)
    template_name = "workflows/inbox.html"
