from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "digileap.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import contributions

        contributions.register()
