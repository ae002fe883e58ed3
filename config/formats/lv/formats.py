"""Latvian dates with the month in the locative, as Latvian writes a day: "2026. gada 6. decembrī".

Django's Latvian formats use the nominative (``F``: "6. decembris"). The ``E`` format character
gives the month's alternative form, Django's ``pgettext("alt. month", ...)``; its Latvian catalogue
holds the nominative there too, so ``config/formats/locale`` (in ``LOCALE_PATHS``) gives the
locative. Formats not set here (numbers, input formats) are Django's Latvian ones.
"""

DATE_FORMAT = r"Y. \g\a\d\a j. E"
DATETIME_FORMAT = r"Y. \g\a\d\a j. E, H:i"
MONTH_DAY_FORMAT = "j. E"
