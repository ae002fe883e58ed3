from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "digileap.funding"
    verbose_name = _("Funding calls and applications")

    def ready(self) -> None:
        from . import (
            contributions,
            indicators,  # noqa: F401  (money by funding call, schools funded: the programmes' registry)
            permissions,  # noqa: F401  (registers the app's grants)
        )

        contributions.register()  # menu entries and home-page to-dos (digileap.core.contributions)
