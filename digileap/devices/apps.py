from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "digileap.devices"
    verbose_name = _("Devices")

    def ready(self) -> None:
        from . import (
            contributions,
            importers,  # noqa: F401  (registers the delivery, recipient and management-report importers)
            indicators,  # noqa: F401  (adds the device indicator kinds to the programmes' registry)
            permissions,  # noqa: F401  (registers the app's grants)
        )

        contributions.register()  # menu entries, home-page to-dos and panels (digileap.core.contributions)
