from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectivityConfig(AppConfig):
    name = "digileap.connectivity"
    verbose_name = _("Connectivity")

    def ready(self) -> None:
        from . import (
            contributions,
            importers,  # noqa: F401  (registers the measurements import target)
            indicators,  # noqa: F401  (schools surveyed, measured, meeting a benchmark; Wi-Fi share)
            permissions,  # noqa: F401  (registers the app's grants)
        )

        contributions.register()  # menu entries and home-page to-dos (digileap.core.contributions)
