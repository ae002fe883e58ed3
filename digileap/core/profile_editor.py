"""The profile editor's logic: propose a mapping from a file's headers, and read a sample by a profile.

Pure functions, no requests and no writes (the pages are in ``profile_editor_views``, the writes in
``profile_services``):

- ``normalise`` reduces a header or a name to what matters for matching: case, accents, spaces and
  punctuation are dropped (``"Straße, Hausnr."`` and ``"strasse hausnr"`` are equal).
- ``propose_mapping`` matches every header against each field a target declares
  (``Importer.fields``: its name, its label in the five languages, its aliases) and proposes the
  best field for each header; a field is proposed for one header at most.
- ``read_sample`` reads the first rows of a file by a profile through the engine: the headers, the
  raw cells and the parsed rows with their errors and warnings.
"""

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.conf import settings
from django.utils import translation

from .tabular.errors import RowError
from .tabular.fields import FieldSpec
from .tabular.profiles import COLUMN_TYPES, Profile

# How sure a match must be to be proposed (1.0: the normalised header equals a name, label or alias).
PROPOSAL_THRESHOLD = 0.75
SAMPLE_ROWS = 20


def normalise(text: Any) -> str:
    """Lower case, without accents, punctuation and repeated spaces: ``"Schul-Nr."`` → ``"schul nr"``."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    plain = "".join(character for character in decomposed if not unicodedata.combining(character))
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


def field_names_and_words(spec: FieldSpec) -> list[str]:
    """Every normalised text a header may match for ``spec``: name, labels in each language, aliases."""
    texts = [spec.name, *spec.aliases]
    if spec.label:
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                texts.append(str(spec.label))
    seen: dict[str, None] = {}
    for text in texts:
        normalised = normalise(text)
        if normalised:
            seen.setdefault(normalised)
    return list(seen)


def match_score(header: str, candidate: str) -> float:
    """How well a normalised header matches a normalised name (0 to 1)."""
    if not header or not candidate:
        return 0.0
    if header == candidate:
        return 1.0
    compact_header, compact_candidate = header.replace(" ", ""), candidate.replace(" ", "")
    if compact_header == compact_candidate:
        return 0.98
    ratio = difflib.SequenceMatcher(None, compact_header, compact_candidate).ratio()
    score = ratio * 0.9 if ratio >= 0.85 else 0.0
    # A header that is the candidate plus a word or two ("PLZ der Schule" for "plz").
    header_words, candidate_words = header.split(), candidate.split()
    if len(compact_candidate) >= 3 and _contains_words(header_words, candidate_words):
        score = max(score, 0.7 + 0.25 * len(compact_candidate) / len(compact_header))
    return score


def _contains_words(words: list[str], part: list[str]) -> bool:
    size = len(part)
    return any(words[index : index + size] == part for index in range(len(words) - size + 1))


@dataclass(frozen=True)
class Proposal:
    """The field proposed for one header (``field`` empty: none fits), and why."""

    header: str
    field: str = ""
    type: str = "text"
    required: bool = False
    score: float = 0.0
    matched: str = ""  # the name, label or alias that matched


def _pattern_field(spec: FieldSpec, header: str) -> str:
    """The concrete field of a family (``pupils_isced_1_grade_3``) that a header names, or ""."""
    candidate = normalise(header).replace(" ", "_")
    return candidate if spec.pattern and spec.matches(candidate) else ""


def propose_mapping(*, headers: Iterable[str], fields: Iterable[FieldSpec]) -> list[Proposal]:
    """For each header (in file order), the best field of ``fields``; each field for one header at most."""
    headers = list(headers)
    specs = list(fields)
    words = {spec.name: field_names_and_words(spec) for spec in specs if not spec.pattern}
    candidates: list[tuple[float, int, bool, int, str, str]] = []
    proposals: dict[int, Proposal] = {}
    for header_index, header in enumerate(headers):
        normalised = normalise(header)
        for spec_index, spec in enumerate(specs):
            if spec.pattern:
                concrete = _pattern_field(spec, header)
                if concrete:
                    proposals.setdefault(
                        header_index,
                        Proposal(header, concrete, spec.type, False, 1.0, concrete),
                    )
                continue
            best, matched = 0.0, ""
            for text in words[spec.name]:
                score = match_score(normalised, text)
                if score > best:
                    best, matched = score, text
            if best >= PROPOSAL_THRESHOLD:
                # Higher scores first; on a tie, the earlier header, then a required field (a file
                # names its schools more surely than their authority), then the earlier field.
                candidates.append((-best, header_index, not spec.required, spec_index, spec.name, matched))
    taken: set[str] = {proposal.field for proposal in proposals.values()}
    by_name = {spec.name: spec for spec in specs}
    for negative_score, header_index, _optional, _spec_index, name, matched in sorted(candidates):
        if header_index in proposals or name in taken:
            continue
        spec = by_name[name]
        proposals[header_index] = Proposal(
            headers[header_index], name, spec.type, spec.required, round(-negative_score, 3), matched
        )
        taken.add(name)
    return [proposals.get(index, Proposal(header)) for index, header in enumerate(headers)]


# -- reading a sample -----------------------------------------------------------------------------


@dataclass
class Sample:
    """The first rows of a file read by a profile."""

    headers: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)
    parsed: list = field(default_factory=list)  # ParsedRow
    error: str = ""  # the profile does not fit the file (missing columns, ...)
    filtered: int = 0  # rows of the sample the profile's filter leaves out

    def errors(self) -> list[RowError]:
        return [error for row in self.parsed for error in row.errors]

    def warnings(self) -> list[RowError]:
        return [warning for row in self.parsed for warning in getattr(row, "warnings", [])]


def read_sample(*, source, filename: str, profile: Profile, limit: int = SAMPLE_ROWS) -> Sample:
    """The headers, the first ``limit`` raw rows and their parsed values. Raises ImportFileError.

    Uses the engine's ``preview.sample`` where it exists; otherwise the reader and the parser
    directly (the same steps, without the importer's planning)."""
    preview: ModuleType | None
    try:
        from .tabular import preview
    except ImportError:
        preview = None
    if preview is not None:
        sample = preview.sample(source=source, filename=filename, profile=profile, limit=limit)
        return Sample(
            headers=list(sample.headers),
            rows=list(sample.rows),
            parsed=list(sample.parsed),
            error=getattr(sample, "error", ""),
            filtered=getattr(sample, "filtered", 0),
        )
    import itertools

    from .tabular.parsing import parse_rows
    from .tabular.readers import open_table

    table = open_table(
        source,
        filename=filename,
        delimiter=profile.delimiter,
        encoding=profile.encoding,
        expected_headers=profile.expected_headers,
        header_row=profile.header_row,
        sheet=profile.sheet,
    )
    try:
        parsed = list(itertools.islice(parse_rows(table, profile), limit))
        return Sample(headers=list(table.headers), parsed=parsed)
    finally:
        table.close()


def sheet_names(*, source, filename: str) -> list[str]:
    """The sheets of an XLSX workbook (empty for CSV)."""
    if not filename.lower().endswith((".xlsx", ".xlsm")):
        return []
    from .tabular import readers

    if hasattr(readers, "sheet_names"):
        return list(readers.sheet_names(source, filename))
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(source, read_only=True)
    except Exception:  # noqa: BLE001 - the reader reports an unreadable workbook with its reason
        return []
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


# -- between a profile's JSON and the editor's rows ------------------------------------------------

# The transforms the editor offers, with what its two inputs mean (docs/imports.md lists them all).
TRANSFORM_KINDS = (
    "strip_suffix",
    "strip_prefix",
    "pad",
    "regex",
    "split",
    "replace",
    "upper",
    "lower",
    "school_year",
    "template",
)
FLAG_TRANSFORMS = ("upper", "lower", "school_year")
CONDITION_TESTS = ("equals", "in", "not_in", "matches", "not_matches")
LIST_TESTS = ("in", "not_in")
# Column keys the editor's rows show; any other key of a column entry is kept as it was.
ROW_KEYS = {"field", "source", "type", "required", "codes", "on_invalid", "combine", "transforms", "when", "default"}


def transform_to_slot(transform: dict[str, Any]) -> tuple[str, str, str] | None:
    """A transform as the editor's (kind, first input, second input); None when it has no slot form."""
    kinds = [kind for kind in TRANSFORM_KINDS if kind in transform]
    if len(kinds) != 1:
        return None
    kind = kinds[0]
    value = transform[kind]
    if kind in FLAG_TRANSFORMS:
        extra = set(transform) - {kind}
        return (kind, "", "") if value is True and not extra else None
    if kind == "pad":
        return kind, str(value), str(transform.get("char", ""))
    if kind == "regex":
        second = str(transform.get("group", ""))
        return (kind, str(value), second) if set(transform) <= {"regex", "group"} else None
    if kind == "split":
        return (kind, str(value), str(transform.get("part", 0))) if set(transform) <= {"split", "part"} else None
    if kind == "replace":
        return (kind, str(value[0]), str(value[1])) if isinstance(value, list) and len(value) == 2 else None
    return (kind, str(value), "") if set(transform) == {kind} else None


def slot_to_transform(kind: str, first: str, second: str) -> dict[str, Any]:
    """The transform for the editor's inputs; ValueError with a readable reason."""
    from django.utils.translation import gettext as _

    if kind in FLAG_TRANSFORMS:
        return {kind: True}
    if kind == "pad":
        if not first.strip().isdigit() or int(first) < 1:
            raise ValueError(_("pad needs a length such as 8"))
        transform: dict[str, Any] = {"pad": int(first)}
        if second:
            transform["char"] = second
        return transform
    if kind == "regex":
        try:
            re.compile(first)
        except re.error as error:
            raise ValueError(
                _("%(pattern)r is not a regular expression (%(error)s)") % {"pattern": first, "error": error}
            ) from None
        transform = {"regex": first}
        if second.strip():
            if not second.strip().isdigit():
                raise ValueError(_("the group of a regular expression is a number such as 1"))
            transform["group"] = int(second)
        return transform
    if kind == "split":
        part = second.strip() or "0"
        if not re.fullmatch(r"-?\d+", part):
            raise ValueError(_("the part of a split is a number: 0 for the first, -1 for the last"))
        return {"split": first or " ", "part": int(part)}
    if kind == "replace":
        return {"replace": [first, second]}
    if kind in ("strip_suffix", "strip_prefix", "template"):
        if not first:
            raise ValueError(_("%(transform)s needs a text") % {"transform": kind})
        return {kind: first}
    raise ValueError(_("unknown transform %(transform)r") % {"transform": kind})


def condition_to_inputs(condition: dict[str, Any] | None) -> tuple[str, str, str]:
    """A when/filter condition as (subject ``column:NAME`` or ``field:NAME``, test, value text)."""
    if not condition:
        return "", "", ""
    subject = f"column:{condition['column']}" if "column" in condition else f"field:{condition.get('field', '')}"
    test = next((test for test in CONDITION_TESTS if test in condition), "equals")
    value = condition.get(test, "")
    text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return subject, test, text


def inputs_to_condition(subject: str, test: str, value: str) -> dict[str, Any] | None:
    """The condition for the editor's inputs, None when no subject is chosen."""
    if not subject:
        return None
    kind, _sep, name = subject.partition(":")
    condition: dict[str, Any] = {kind if kind in ("column", "field") else "column": name}
    test = test or "equals"
    condition[test] = [part.strip() for part in value.split(",") if part.strip()] if test in LIST_TESTS else value
    return condition


def rows_from_definition(definition: dict[str, Any], headers: list[str]) -> list[dict[str, Any]]:
    """The editor's mapping rows: one per source of each column entry, then the headers not mapped."""
    rows: list[dict[str, Any]] = []
    used: set[str] = set()
    merge = definition.get("merge") or {}
    key = set(merge.get("key", []))
    rules = merge.get("rules", {})
    for column in definition.get("columns", []):
        sources = column["source"] if isinstance(column["source"], list) else [column["source"]]
        slots = [transform_to_slot(transform) for transform in column.get("transforms", [])]
        extra = {name: value for name, value in column.items() if name not in ROW_KEYS}
        if any(slot is None for slot in slots):
            extra["transforms"] = column["transforms"]  # kept as written: the editor cannot show them
            slots = []
        when = column.get("when")
        for index, source in enumerate(sources):
            used.add(source)
            first = index == 0
            rows.append(
                {
                    "source": source,
                    "field": column["field"],
                    "type": column.get("type", "text"),
                    "required": bool(column.get("required", False)) if first else False,
                    "codes": column.get("codes", "") if first else "",
                    "on_invalid": column.get("on_invalid", "reject") if first else "reject",
                    "combine": column.get("combine", "") if first else "",
                    "merge_key": column["field"] in key if first else False,
                    "merge_rule": rules.get(column["field"], "") if first else "",
                    "transforms": slots if first else [],
                    "when": condition_to_inputs(when) if first else ("", "", ""),
                    "default": _default_text(column.get("default")) if first else "",
                    "extra": extra if first else {},
                }
            )
    for header in headers:
        if header and header not in used:
            rows.append(empty_row(header))
    return rows


def empty_row(source: str = "") -> dict[str, Any]:
    return {
        "source": source,
        "field": "",
        "type": "text",
        "required": False,
        "codes": "",
        "on_invalid": "reject",
        "combine": "",
        "merge_key": False,
        "merge_rule": "",
        "transforms": [],
        "when": ("", "", ""),
        "default": "",
        "extra": {},
    }


def _default_text(value: Any) -> str:
    return "" if value is None else str(value)


def _default_value(kind: str, text: str) -> Any:
    """A column's default as the profile keeps it: a whole number for whole-number types."""
    if kind in ("integer", "count") and text.strip().lstrip("-").isdigit():
        return int(text.strip())
    return text


def rows_from_proposal(proposals: list[Proposal]) -> list[dict[str, Any]]:
    rows = []
    for proposal in proposals:
        row = empty_row(proposal.header)
        known = proposal.field and proposal.type in COLUMN_TYPES
        row.update(field=proposal.field, type=proposal.type if known else "text", required=proposal.required)
        rows.append(row)
    return rows


def columns_from_rows(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Column entries (rows of one field become one entry with several sources) and the merge setting.

    Raises ValueError for a transform or condition that cannot be built. The settings of a field come
    from its first row; its other rows add sources only."""
    columns: dict[str, dict[str, Any]] = {}
    key: list[str] = []
    rules: dict[str, str] = {}
    for row in rows:
        name, source = row.get("field", ""), row.get("source", "")
        if not name or not source:
            continue
        if name in columns:
            sources = columns[name]["source"]
            if isinstance(sources, str):
                sources = [sources]
            if source not in sources:
                sources.append(source)
            columns[name]["source"] = sources
            continue
        column: dict[str, Any] = {"field": name, "source": source}
        if row.get("type", "text") != "text":
            column["type"] = row["type"]
        if row.get("required"):
            column["required"] = True
        if row.get("codes"):
            column["codes"] = row["codes"]
        if row.get("on_invalid", "reject") != "reject":
            column["on_invalid"] = row["on_invalid"]
        if row.get("combine"):
            column["combine"] = row["combine"]
        transforms = [slot_to_transform(*slot) for slot in row.get("transforms", []) if slot and slot[0]]
        extra = dict(row.get("extra") or {})
        if transforms:
            extra.pop("transforms", None)
            column["transforms"] = transforms
        when = inputs_to_condition(*row.get("when", ("", "", "")))
        if when:
            column["when"] = when
        if row.get("default", "") != "":
            column["default"] = _default_value(column.get("type", "text"), row["default"])
        for extra_key, value in extra.items():
            column.setdefault(extra_key, value)
        columns[name] = column
        if row.get("merge_key"):
            key.append(name)
        if row.get("merge_rule"):
            rules[name] = row["merge_rule"]
    merge: dict[str, Any] | None = None
    if key:
        merge = {"key": key}
        if rules:
            merge["rules"] = rules
    return list(columns.values()), merge


def parse_code_entries(text: str) -> dict[str, Any]:
    """Code list entries, one ``code = value`` a line; a value may be a JSON object (several fields)."""
    import json

    from django.utils.translation import gettext as _

    entries: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, separator, value = line.partition("=")
        if not separator or not code.strip():
            raise ValueError(_("line %(number)s: write code = value") % {"number": number})
        value = value.strip()
        if value.startswith("{"):
            try:
                value = json.loads(value)
            except ValueError as error:
                raise ValueError(
                    _("line %(number)s: the value is not a JSON object (%(error)s)")
                    % {"number": number, "error": error}
                ) from None
        entries[code.strip()] = value
    return entries


def code_entries_text(entries: dict[str, Any]) -> str:
    import json

    return "\n".join(
        f"{code} = {json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value}"
        for code, value in entries.items()
    )


def constant_value(spec: FieldSpec | None, text: str) -> Any:
    """A constant typed by its field: counts and integers as numbers, booleans as true/false."""
    kind = spec.type if spec else "text"
    stripped = text.strip()
    if kind in ("integer", "count") and re.fullmatch(r"[+-]?\d+", stripped):
        return int(stripped)
    if kind == "decimal" and re.fullmatch(r"[+-]?\d+([.,]\d+)?", stripped):
        return float(stripped.replace(",", "."))
    if kind == "boolean" and stripped.lower() in ("true", "false"):
        return stripped.lower() == "true"
    return text


def family_members(spec: FieldSpec, *, limit: int = 100) -> list[str]:
    """The concrete fields of a family whose placeholders are single letters standing for numbers
    (``pupils_isced_L_grade_G``: ``pupils_isced_0_grade_1`` ...), as far as its pattern allows;
    none for a family with a free part (``eligible_CODE``)."""
    import itertools

    placeholders = re.findall(r"(?<![A-Za-z])[A-Z](?![A-Za-z])", spec.name)
    if not spec.pattern or not placeholders:
        return []
    members = []
    for numbers in itertools.product(range(14), repeat=len(placeholders)):
        name = spec.name
        for letter, number in zip(placeholders, numbers, strict=True):
            name = re.sub(rf"(?<![A-Za-z]){letter}(?![A-Za-z])", str(number), name, count=1)
        if spec.matches(name):
            members.append(name)
            if len(members) >= limit:
                break
    return members


def proposal_fields(target: str) -> tuple[FieldSpec, ...]:
    """The fields a header is matched against: the importer's declarations, with the headers its
    built-in profiles read for each field added as aliases (a field only a built-in profile names
    is matched by those headers alone)."""
    import dataclasses

    from .tabular.engine import importer_for
    from .tabular.profiles import builtin_profiles

    seen: dict[str, list[str]] = {}
    for profile in builtin_profiles(target).values():
        for column in profile.columns:
            if column.type == "code" or column.field.startswith("_"):
                continue  # a code column fills other fields from its list; its header says nothing of them
            seen.setdefault(column.field, []).extend(column.sources)
    declared = importer_for(target).fields
    fields = []
    for spec in declared:
        extra = tuple(header for header in seen.pop(spec.name, []) if header not in spec.aliases)
        fields.append(dataclasses.replace(spec, aliases=spec.aliases + extra) if extra else spec)
    for name, headers in seen.items():
        if any(spec.pattern and spec.matches(name) for spec in declared):
            continue
        fields.append(FieldSpec(name=name, label="", aliases=tuple(dict.fromkeys(headers))))
    return tuple(fields)
