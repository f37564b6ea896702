from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CourtConfig(AppConfig):
    name = "advocacy.court"
    label = "court"
    verbose_name = _("裁判所への報告・不正防止・利用支援事業")

    def ready(self):
        from advocacy.cases import hooks as case_hooks
        from advocacy.cases.models import Petition, Subsidy
        from advocacy.portal import hooks as portal_hooks
        from workflows import hooks as workflow_hooks

        from .models import Flag
        from .services import subsidy_computations_recheck
        from .sweep import court_reminders_send
        from .views import case_panel, guardian_home_section, petition_task_section

        # cases, workflows and the portal sit below the court: the case page, a record's
        # save, the reminder command, the petition step's page and the professional's home
        # reach it through these five hooks. The panel shows nothing before the case has a
        # petition, a flag or an application.
        case_hooks.case_page_panel(case_panel, shown_with=(Petition, Subsidy, Flag))
        case_hooks.on_case_changed(subsidy_computations_recheck)
        workflow_hooks.reminder_sweep(court_reminders_send)
        workflow_hooks.task_page_section(petition_task_section)
        portal_hooks.home_section(guardian_home_section)
