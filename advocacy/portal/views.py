from django.views.generic import TemplateView

from advocacy.access.roles import RoleRequiredMixin
from advocacy.accounts.roles import Role


class PortalHomeView(RoleRequiredMixin, TemplateView):
    """The professional's home: their open requests and accepted cases."""

    required_roles = (Role.PROFESSIONAL,)
    template_name = "portal/home.html"
