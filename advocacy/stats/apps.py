from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "advocacy.stats"
    label = "stats"
    verbose_name = _("統計")

    def ready(self):
        from advocacy.meetings import hooks

        from .meeting_section import committee_release_section

        # meetings may not import stats: the committee's meeting shows its release through
        # this hook.
        hooks.meeting_page_section(committee_release_section)
