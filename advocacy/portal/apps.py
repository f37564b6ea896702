from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "advocacy.portal"
    label = "portal"
    verbose_name = _("受任調整ポータル")
