from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "digileap.privacy"
    verbose_name = _("Data protection")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the app's grants)
