"""Programme content in several languages: a JSON object ``{"en": ..., "nl": ..., ...}`` per field.

Interface texts go through gettext; content that people type (a programme's name, a target's
description) is stored per language in the row itself and shown with ``localized``: the active
language, else English, else the first language that has a text.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

FALLBACK_LANGUAGE = "en"


def language_codes() -> list[str]:
    return [code for code, _label in settings.LANGUAGES]


def localized(values: dict | None, language: str | None = None) -> str:
    """The text for ``language`` (default: the active one), falling back to English, then any."""
    if not values:
        return ""
    language = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    if values.get(language):
        return values[language]
    if values.get(FALLBACK_LANGUAGE):
        return values[FALLBACK_LANGUAGE]
    for code in language_codes():
        if values.get(code):
            return values[code]
    return ""


# Units of targets as stored (English, as the plans state them) and as each language names them.
# A target's unit is free text; one that is not listed here shows as it was typed.
UNIT_CONTEXT = "unit of a target"
UNITS = {
    "schools": pgettext_lazy(UNIT_CONTEXT, "schools"),
    "schools/institutions": pgettext_lazy(UNIT_CONTEXT, "schools/institutions"),
    "devices": pgettext_lazy(UNIT_CONTEXT, "devices"),
    "laptops": pgettext_lazy(UNIT_CONTEXT, "laptops"),
    "pupils": pgettext_lazy(UNIT_CONTEXT, "pupils"),
    "teachers": pgettext_lazy(UNIT_CONTEXT, "teachers"),
    "document": pgettext_lazy(UNIT_CONTEXT, "document"),
    "documents": pgettext_lazy(UNIT_CONTEXT, "documents"),
    "access points": pgettext_lazy(UNIT_CONTEXT, "access points"),
    "Wi-Fi hotspots": pgettext_lazy(UNIT_CONTEXT, "Wi-Fi hotspots"),
    "ICT devices and Wi-Fi access points": pgettext_lazy(UNIT_CONTEXT, "ICT devices and Wi-Fi access points"),
    "ICT equipment units": pgettext_lazy(UNIT_CONTEXT, "ICT equipment units"),
    "EUR": "EUR",
}


def unit_label(unit: str | None) -> str:
    """A target's unit in the active language: ``devices`` is ``Geräte`` on a German page."""
    if not unit:
        return ""
    if unit in UNITS:
        return str(UNITS[unit])
    return pgettext(UNIT_CONTEXT, unit)


def place_label(name: str | None) -> str:
    """An authority's or region's name in the active language, where the seed data gives it
    (``Brussels-Capital Region`` is ``Région de Bruxelles-Capitale`` on a French page)."""
    if not name:
        return ""
    from .seed_data import PLACE_NAMES

    return localized(PLACE_NAMES.get(name)) or name


def validate_translations(value) -> None:
    """A mapping of known language codes to strings."""
    if not isinstance(value, dict):
        raise ValidationError(_("Give the text as a mapping of language codes to texts."))
    unknown = sorted(set(value) - set(language_codes()))
    if unknown:
        raise ValidationError(_("Unknown language codes: %(codes)s") % {"codes": ", ".join(unknown)})
    if any(not isinstance(text, str) for text in value.values()):
        raise ValidationError(_("Every translation must be a text."))


def translations(value: "dict | str | None") -> dict:
    """Accept a plain string as the English text, or a mapping; drop empty languages."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {FALLBACK_LANGUAGE: value} if value else {}
    return {code: text for code, text in value.items() if text}
