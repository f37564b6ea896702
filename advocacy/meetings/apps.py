from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "advocacy.meetings"
    label = "meetings"
    verbose_name = _("会議")

    def ready(self):
        from advocacy.cases import hooks as case_hooks

        from .case_panel import case_meetings_panel
        from .models import AgendaItem

        # cases sits below meetings: the case page lists its meetings through this hook
        # (only when the case was on an agenda).
        case_hooks.case_page_panel(case_meetings_panel, shown_with=(AgendaItem,))
