from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "advocacy.ledger"
    label = "ledger"
    verbose_name = _("台帳の取込み・出力")

    def ready(self):
        from advocacy.cases import hooks as case_hooks

        from .views import disclosure_panel

        # cases sits below the ledger: the case page reaches the person's record through it.
        case_hooks.case_page_panel(disclosure_panel)
