from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "digileap.programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from . import (
            contributions,
            importers,  # noqa: F401  (registers the commitments and payments importer)
            kinds,  # noqa: F401  (registers the built-in indicator kinds)
            permissions,  # noqa: F401  (registers the app's grants)
        )

        contributions.register()  # menu entries, home-page to-dos and panels (digileap.core.contributions)
