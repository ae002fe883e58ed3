"""Validators every app shares. ``core`` knows no domain app, so what the import engine and the
domain apps both check lives here (``digileap.schools.models`` re-exports it under its old name)."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

SCHOOL_YEAR_VALIDATOR = RegexValidator(r"^\d{4}/\d{2}$", _("Use the form 2024/25."))
