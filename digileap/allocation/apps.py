from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationConfig(AppConfig):
    name = "digileap.allocation"
    verbose_name = _("Allocation and roll-out plans")

    def ready(self) -> None:
        from . import (
            contributions,
            indicators,  # noqa: F401  (adds "allocated" money and "allocation" reach to the programmes' kinds)
            permissions,  # noqa: F401  (registers the app's grants)
        )

        contributions.register()  # menu entries, home-page to-dos and panels (digileap.core.contributions)
