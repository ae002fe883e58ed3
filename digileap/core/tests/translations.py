"""Test helper: give a language a few translations for the length of a test.

New interface texts reach the catalogues when the translator runs ``make messages``; until then a
test can still prove that a text goes through gettext (and so will be translated) by giving the
language the expected words itself::

    with extra_translations("de", {"Society": "Gesellschaft", ("unit of a target", "devices"): "Geräte"}):
        ...

Keys are msgids, or ``(context, msgid)`` pairs for ``pgettext``. Django's translation caches are
emptied afterwards, so no other test sees these words.
"""

from contextlib import contextmanager

from django.utils.translation import trans_real

CONTEXT_SEPARATOR = "\x04"


@contextmanager
def extra_translations(language: str, entries: dict):
    was_active = getattr(trans_real._active, "value", None)
    catalogue = trans_real.translation(language)._catalog
    try:
        for key, text in entries.items():
            if isinstance(key, tuple):
                key = f"{key[0]}{CONTEXT_SEPARATOR}{key[1]}"
            catalogue[key] = text
        yield
    finally:
        trans_real._translations.clear()
        trans_real._default = None
        if was_active is None:
            trans_real.deactivate()
        else:
            trans_real.activate(was_active.to_language())
