from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_reference_data(sender, **kwargs) -> None:
    from .reference_data import ensure_standard_scales

    ensure_standard_scales()


class SchoolsConfig(AppConfig):
    name = "digileap.schools"
    verbose_name = _("School registry")

    def ready(self) -> None:
        from . import (
            contributions,
            importer,  # noqa: F401  (registers the "schools" import target)
            permissions,  # noqa: F401  (registers the app's grants)
        )

        contributions.register()  # the menu's schools and operators (digileap.core.contributions)
        # Like content types: refreshed after every migrate, and after the flush of transactional tests.
        post_migrate.connect(_ensure_reference_data, sender=self, dispatch_uid="schools-reference-data")
