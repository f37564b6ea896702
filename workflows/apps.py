from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("業務フロー")

    def ready(self):
        from viewflow.workflow.models import Task

        from .signals import task_saved

        post_save.connect(task_saved, sender=Task, dispatch_uid="workflows.case_task_sync")

        # The one place the workflows join in on what cases does (advocacy.cases.hooks).
        from advocacy.cases import hooks

        from .selectors import case_workflows
        from .services import consultation_start

        hooks.on_case_opened(consultation_start)
        hooks.case_page_section(case_workflows)
