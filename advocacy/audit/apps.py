from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "advocacy.audit"
    label = "audit"
    verbose_name = _("監査記録")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the signal receivers)
