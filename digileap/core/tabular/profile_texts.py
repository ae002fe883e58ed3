"""The labels of the built-in import profiles, marked for translation.

The profiles are JSON files that ``makemessages`` does not read; their English labels are listed
here so that the catalogues carry them, and ``Profile.display_label`` shows them in the reader's
language. A test (core/tests/test_translated_labels.py) fails when a built-in profile's label is
missing from this list.
"""

from django.utils.translation import gettext_noop

BUILTIN_PROFILE_LABELS = [
    gettext_noop("Digileap measurement file"),
    gettext_noop("Giga Meter / Daily Check App export"),
    gettext_noop("Digileap generic school template"),
    gettext_noop("Hamburg school register (state geoportal, 2015 edition)"),
    gettext_noop("Mecklenburg-Vorpommern list of general schools"),
    gettext_noop("Digileap delivery file"),
    gettext_noop("Supplier file with Windows Autopilot columns"),
    gettext_noop("Class list (pupils and teachers)"),
    gettext_noop("OneRoster 1.1 users.csv"),
    gettext_noop("OneRoster 1.2 export (ZIP with users.csv, roles.csv and orgs.csv)"),
    gettext_noop("Digileap commitments and payments file"),
    gettext_noop("Windows Autopilot hash file (Get-WindowsAutopilotInfo)"),
    gettext_noop("Microsoft Intune: All devices export"),
    gettext_noop("Google Admin: ChromeOS devices export"),
    gettext_noop("Moodle course completion report (CSV export)"),
    gettext_noop("Digileap completion file"),
    gettext_noop("xAPI statements (JSON)"),
]
