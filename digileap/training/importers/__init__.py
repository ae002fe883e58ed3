"""The training app's targets of the tabular import engine (``digileap.core.tabular``):
``completions`` (profiles ``moodle`` and ``generic``) and ``completions_xapi`` (profile ``xapi``:
xAPI statements as JSON). ``apps.py`` calls ``register()``. See docs/training-imports.md."""


def register() -> None:
    from . import completions, xapi

    completions.register()
    xapi.register()
