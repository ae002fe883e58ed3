from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "digileap.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import menu

        menu.register()  # home, imports, audit log and API; the domain apps add theirs in their ready()
