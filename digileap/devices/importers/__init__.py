"""The devices app's targets of the tabular import engine (``digileap.core.tabular``)."""

from . import autopilot, deliveries, management, recipients  # noqa: F401  (each registers its importer)
