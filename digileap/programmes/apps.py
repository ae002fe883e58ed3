from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "digileap.programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from . import (
            kinds,  # noqa: F401  (registers the built-in indicator kinds)
            permissions,  # noqa: F401  (registers the app's grants)
        )
