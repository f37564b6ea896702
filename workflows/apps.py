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
