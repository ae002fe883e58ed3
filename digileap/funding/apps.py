from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "digileap.funding"
    verbose_name = _("Funding calls and applications")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the app's grants)
