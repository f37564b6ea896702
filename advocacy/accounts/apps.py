from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "advocacy.accounts"
    label = "accounts"
    verbose_name = _("組織と利用者")

    def ready(self) -> None:
        # The session's renewal stamp is set by the login that makes the session.
        from . import sessions  # noqa: F401
