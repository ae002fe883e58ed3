"""The programmes app's targets of the tabular import engine (``digileap.core.tabular``)."""

from . import transactions  # noqa: F401  (registers the transactions importer)
