from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "digileap.training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from importlib import import_module
        from importlib.util import find_spec

        from . import permissions  # noqa: F401  (registers the app's grants)

        # Parts register what they add (import targets, indicator kinds, menu entries, to-dos).
        for part in ("importers", "indicators", "contributions"):
            name = f"{self.name}.{part}"
            if find_spec(name) is not None:
                module = import_module(name)
                if hasattr(module, "register"):
                    module.register()
