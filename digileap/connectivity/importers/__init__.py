"""The connectivity app's targets of the tabular import engine (``digileap.core.tabular``):
``measurements`` (speed tests from other tools; profiles ``generic`` and ``giga``)."""

from . import measurements  # noqa: F401  (registers the importer and its profile folder)
