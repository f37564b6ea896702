from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "advocacy.outreach"
    label = "outreach"
    verbose_name = _("広報啓発・担い手育成・経過報告")

    def ready(self):
        from advocacy.cases import hooks as case_hooks
        from workflows import hooks as task_hooks

        from .services import feedback_sync
        from .views import feedback_case_panel, feedback_task_section

        # cases and workflows may not import outreach: a case moving past a milestone (or its
        # consent changing) opens or cancels feedback, the case page says where feedback
        # stands, and the feedback task's page leads to the feedback screen, through these.
        case_hooks.on_case_changed(feedback_sync)
        case_hooks.case_page_panel(feedback_case_panel)
        task_hooks.task_page_section(feedback_task_section)
