from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "digileap.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import checks, menu  # noqa: F401 (checks registers the audit key checks)

        menu.register()  # home, imports, audit log and API; the domain apps add theirs in their ready()
