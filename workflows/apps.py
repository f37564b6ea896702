from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("業務フロー")

    def ready(self):
        # Imported here, once every app's models are loaded: this is the top of the package.
        from viewflow.workflow.models import Task

        from advocacy.accounts import hooks as account_hooks
        from advocacy.cases import hooks

        from . import site  # noqa: F401  every flow, so CaseFlow.of_stage knows all four
        from .consultation.start import consultation_start
        from .handover import user_release
        from .selectors import case_workflows
        from .signals import task_saved

        post_save.connect(task_saved, sender=Task, dispatch_uid="workflows.case_task_sync")
        # cases may not import workflows: opening a case starts its consultation, and the
        # case page shows its processes, through these two hooks.
        hooks.on_case_opened(consultation_start)
        hooks.case_page_section(case_workflows)
        # accounts may not import access or workflows: a deactivated account loses its grants
        # and open tasks through this hook, inside user_deactivate's transaction.
        account_hooks.on_user_deactivated(user_release)
