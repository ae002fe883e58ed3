from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    name = "digileap.schools"
    verbose_name = _("School registry")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the app's grants)
        from . import importer  # noqa: F401  (registers the "schools" import target)
