from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top of the structure: home pages, the menu, the demo and the seed scenarios.

    It may import every domain app; no domain app imports it.
    """

    name = "digileap.portal"
    verbose_name = _("Portal")
