from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "digileap.privacy"
    verbose_name = _("Data protection")

    def ready(self) -> None:
        from . import contributions, permissions  # noqa: F401  (permissions registers the app's grants)

        contributions.register()  # the menu's "Data protection", the home page's tile and to-dos
