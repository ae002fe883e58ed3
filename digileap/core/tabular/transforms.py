"""Value transforms: steps a profile applies to a cell's text before its type conversion.

``check_transforms`` turns a column's ``"transforms"`` list into compiled steps once, when the
profile is loaded; ``apply_transforms`` runs them on one text. A step that cannot apply (a regular
expression without a match and without a default, a school year that is not one) raises
ValueError with a reason a person reads; the parser turns it into a row error or, by the column's
``on_invalid``, a warning.

Steps: ``strip_suffix``, ``strip_prefix``, ``pad`` (with ``char``), ``regex`` (with ``group``,
``default``), ``split`` (with ``part``, ``maxsplit``), ``replace``, ``upper``, ``lower``, ``map``,
``school_year`` and ``template`` (for columns with several sources: the parts become one text).
"""

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

STEP_KEYS = (
    "strip_suffix",
    "strip_prefix",
    "pad",
    "regex",
    "split",
    "replace",
    "upper",
    "lower",
    "map",
    "school_year",
    "template",
)
_OPTIONS = {"pad": {"char"}, "regex": {"group", "default"}, "split": {"part", "maxsplit"}}
_SCHOOL_YEAR = re.compile(r"^(\d{4}|\d{2})(?:\s*[/\-–]\s*(\d{4}|\d{2}))?$")
_TEMPLATE_FIELD = re.compile(r"\{(\d+)\}")


def school_year(text: str) -> str:
    """'2013', '2013/2014', '2013-14', '13/14', '2013/14' → '2013/14'; anything else raises ValueError."""
    match = _SCHOOL_YEAR.match(text.strip())
    if match:
        first = int(match.group(1))
        if len(match.group(1)) == 2:
            first += 2000
        second = match.group(2)
        if second is None or int(second) % 100 == (first + 1) % 100:
            if second is None or len(second) == 2 or int(second) == first + 1:
                return f"{first}/{(first + 1) % 100:02d}"
    raise ValueError(_("%(value)r is not a school year such as 2013/14") % {"value": text})


class Step:
    """One compiled step. ``combines`` is true for ``template``, which takes the parts of several sources."""

    __slots__ = ("apply", "combines", "key")

    def __init__(self, key: str, apply: Callable[[Any], str], *, combines: bool = False):
        self.key = key
        self.apply = apply
        self.combines = combines

    def __repr__(self) -> str:
        return f"Step({self.key})"

    def __eq__(self, other) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)


def _compile(step: dict[str, Any], sources: int) -> Step:
    keys = [key for key in STEP_KEYS if key in step]
    if len(keys) != 1:
        raise ValueError(
            _("a transform needs exactly one of %(keys)s; got %(step)r") % {"keys": ", ".join(STEP_KEYS), "step": step}
        )
    key = keys[0]
    extra = set(step) - {key} - _OPTIONS.get(key, set())
    if extra:
        raise ValueError(
            _("the transform %(key)r does not take %(extra)s") % {"key": key, "extra": ", ".join(sorted(extra))}
        )
    argument = step[key]
    if key == "strip_suffix":
        suffix = str(argument)
        return Step(key, lambda text: text[: -len(suffix)] if suffix and text.endswith(suffix) else text)
    if key == "strip_prefix":
        prefix = str(argument)
        return Step(key, lambda text: text[len(prefix) :] if prefix and text.startswith(prefix) else text)
    if key == "pad":
        if not isinstance(argument, int) or isinstance(argument, bool) or argument < 1:
            raise ValueError(_("'pad' needs a length of 1 or more"))
        char = step.get("char", "0")
        if not isinstance(char, str) or len(char) != 1:
            raise ValueError(_("'char' of 'pad' must be one character"))
        return Step(key, lambda text: text.rjust(argument, char))
    if key == "regex":
        try:
            pattern = re.compile(argument)
        except (re.error, TypeError) as error:
            raise ValueError(
                _("%(pattern)r is not a regular expression (%(error)s)") % {"pattern": argument, "error": error}
            ) from None
        group = step.get("group", 0)
        if isinstance(group, int) and not 0 <= group <= pattern.groups:
            raise ValueError(
                _("the regular expression %(pattern)r has no group %(group)s") % {"pattern": argument, "group": group}
            )
        if isinstance(group, str) and group not in pattern.groupindex:
            raise ValueError(
                _("the regular expression %(pattern)r has no group %(group)r") % {"pattern": argument, "group": group}
            )
        has_default = "default" in step
        default = str(step.get("default", ""))

        def extract(text: str) -> str:
            match = pattern.search(text)
            if match is None:
                if has_default:
                    return default
                raise ValueError(
                    _("%(value)r does not match the pattern %(pattern)r") % {"value": text, "pattern": argument}
                )
            return (match.group(group) or "").strip()

        return Step(key, extract)
    if key == "split":
        separator = str(argument) or None
        part = step.get("part", 0)
        maxsplit = step.get("maxsplit", -1)
        if not isinstance(part, int) or not isinstance(maxsplit, int):
            raise ValueError(_("'part' and 'maxsplit' of 'split' must be whole numbers"))

        def split(text: str) -> str:
            parts = text.split(separator, maxsplit)
            try:
                return parts[part].strip()
            except IndexError:
                return ""

        return Step(key, split)
    if key == "replace":
        if not (isinstance(argument, list) and len(argument) == 2 and all(isinstance(a, str) for a in argument)):
            raise ValueError(_("'replace' needs [old, new]"))
        old, new = argument
        return Step(key, lambda text: text.replace(old, new))
    if key == "upper":
        return Step(key, str.upper)
    if key == "lower":
        return Step(key, str.lower)
    if key == "map":
        if not isinstance(argument, dict):
            raise ValueError(_("'map' needs an object of texts to texts"))
        mapping = {str(k): str(v) for k, v in argument.items()}
        return Step(key, lambda text: mapping.get(text, text))
    if key == "school_year":
        return Step(key, school_year)
    # template
    if sources < 2:
        raise ValueError(_("'template' needs a column with several sources"))
    template = str(argument)
    numbers = [int(n) for n in _TEMPLATE_FIELD.findall(template)]
    if not numbers or max(numbers) >= sources:
        raise ValueError(
            _("the template %(template)r must use the places {0} to {%(last)s} of the sources")
            % {"template": template, "last": sources - 1}
        )

    def fill(parts: list[str]) -> str:
        if not any(parts):
            return ""
        return _TEMPLATE_FIELD.sub(lambda match: parts[int(match.group(1))], template)

    return Step(key, fill, combines=True)


def check_transforms(raw: Any, *, sources: int = 1) -> tuple[Step, ...]:
    """Compile a column's ``transforms`` list; raises ValueError naming the wrong step."""
    if not isinstance(raw, list):
        raise ValueError(_("'transforms' must be a list"))
    steps = []
    for number, step in enumerate(raw, start=1):
        if not isinstance(step, dict):
            raise ValueError(_("transform %(number)s must be an object") % {"number": number})
        try:
            steps.append(_compile(step, sources))
        except ValueError as error:
            raise ValueError(_("transform %(number)s: %(error)s") % {"number": number, "error": error}) from None
    if sum(step.combines for step in steps) > 1:
        raise ValueError(_("a column takes one 'template' at most"))
    return tuple(steps)


def apply_transforms(steps: tuple[Step, ...], text: str) -> str:
    """Run ``steps`` (none of them a template) on ``text``."""
    for step in steps:
        text = step.apply(text)
    return text
