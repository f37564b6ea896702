from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "advocacy.portal"
    label = "portal"
    verbose_name = _("受任調整ポータル")

    def ready(self):
        from workflows import hooks

        from .views import matching_section

        # workflows may not import the portal: the coordination step's page shows the
        # portal's shortlist, send form and requests through this hook.
        hooks.task_page_section(matching_section)
