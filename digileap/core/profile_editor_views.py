"""Pages of the profile editor: write an import profile from a file, without code and without the admin.

1. "Start from a file": the user chooses what is imported and uploads a sample file (CSV of any
   delimiter and encoding, or XLSX). The file is kept under ``MEDIA_ROOT/imports/editor/`` and the
   draft (the profile's JSON, the file's name) in the session, never in the URL.
2. The editor proposes a field for each header (``profile_editor.propose_mapping``); the user
   changes fields, types, code lists, transforms, conditions, constants, the row filter and the
   merge key, and previews the first 20 rows parsed by the engine, with their errors and warnings.
3. "Save" stores the profile as an ``ImportProfile`` (``profile_services``); the upload form offers
   it at once. Saved profiles are listed, edited, duplicated, deleted and downloaded as JSON, and a
   JSON profile can be uploaded.

Every page works without JavaScript; htmx only swaps the preview in place. Who may write a profile
for a target: whoever may import into it (``engine.may_import``).
"""

import json
import os
import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import profile_editor as editor
from .forms import choice_field
from .models import ImportProfile
from .profile_services import (
    import_profile_create,
    import_profile_delete,
    import_profile_duplicate,
    import_profile_get,
    import_profile_update,
    import_profiles_for,
)
from .tabular.engine import import_targets, importer_for, may_import
from .tabular.errors import ImportFileError
from .tabular.parsing import grade_renames
from .tabular.profiles import ProfileError, builtin_profiles, profile_from_dict, profile_json_schema
from .types import Text

DRAFT_KEY = "profile_editor_draft"
SAMPLE_FOLDER = "imports/editor"
SAMPLE_DAYS = 2
MAX_SAMPLE_BYTES = 50 * 1024 * 1024
BLANK_MAPPINGS = 2
BLANK_CONSTANTS = 2
BLANK_FILTERS = 1
BLANK_CODE_LISTS = 1
TRANSFORM_SLOTS = 3

DELIMITERS = [
    ("auto", gettext_lazy("Find out from the file")),
    (";", gettext_lazy("Semicolon ;")),
    (",", gettext_lazy("Comma ,")),
    ("\t", gettext_lazy("Tab")),
    ("|", gettext_lazy("Vertical bar |")),
    (":", gettext_lazy("Colon :")),
]
ENCODINGS = [
    ("auto", gettext_lazy("Find out from the file (UTF-8, else Windows-1252)")),
    ("utf-8", "UTF-8"),
    ("cp1252", "Windows-1252 (Latin-1)"),
    ("utf-16", "UTF-16"),
]
TYPE_LABELS = [
    ("text", gettext_lazy("text")),
    ("integer", gettext_lazy("whole number")),
    ("count", gettext_lazy("count (a whole number, 0 or more)")),
    ("decimal", gettext_lazy("decimal number")),
    ("code", gettext_lazy("code (looked up in a code list)")),
    ("levels", gettext_lazy("ISCED levels")),
    ("boolean", gettext_lazy("yes/no")),
    ("email", gettext_lazy("e-mail address")),
]


def _type_choices() -> list[tuple[str, Any]]:
    """Every column type the engine knows, the common ones first with a readable label."""
    from .tabular.profiles import COLUMN_TYPES

    labelled = [(name, label) for name, label in TYPE_LABELS if name in COLUMN_TYPES]
    return labelled + [(name, name) for name in sorted(COLUMN_TYPES - {name for name, _label in labelled})]


ON_INVALID = [
    ("reject", gettext_lazy("reject the row")),
    ("empty", gettext_lazy("leave the value empty, with a warning")),
    ("warn", gettext_lazy("keep the text, with a warning")),
]
COMBINE = [
    ("", gettext_lazy("numbers summed, texts joined")),
    ("sum", gettext_lazy("sum")),
    ("join", gettext_lazy("join")),
    ("first", gettext_lazy("first non-empty")),
]
MERGE_RULES = [
    ("", gettext_lazy("the merge's default")),
    ("same", gettext_lazy("must be the same")),
    ("first", gettext_lazy("first non-empty")),
    ("sum", gettext_lazy("sum")),
    ("max", gettext_lazy("largest")),
    ("min", gettext_lazy("smallest")),
    ("union", gettext_lazy("union (lists, levels)")),
    ("join", gettext_lazy("join the distinct texts")),
]
TRANSFORMS = [
    ("", gettext_lazy("no transform")),
    ("strip_suffix", gettext_lazy("strip a suffix (text)")),
    ("strip_prefix", gettext_lazy("strip a prefix (text)")),
    ("pad", gettext_lazy("pad with leading zeros (length, character)")),
    ("regex", gettext_lazy("extract with a regular expression (pattern, group)")),
    ("split", gettext_lazy("split (separator, part: 0 first, -1 last)")),
    ("replace", gettext_lazy("replace (old, new)")),
    ("upper", gettext_lazy("upper case")),
    ("lower", gettext_lazy("lower case")),
    ("school_year", gettext_lazy("school year (2013 → 2013/14)")),
    ("template", gettext_lazy("template of several columns ({0}-{1})")),
]
TESTS = [
    ("equals", gettext_lazy("equals")),
    ("in", gettext_lazy("is one of (comma-separated)")),
    ("not_in", gettext_lazy("is none of (comma-separated)")),
    ("matches", gettext_lazy("matches the regular expression")),
    ("not_matches", gettext_lazy("does not match the regular expression")),
]


# -- forms -------------------------------------------------------------------------------------------


def _target_choices(user) -> list[tuple[str, Text]]:
    return [(name, importer.label) for name, importer in import_targets().items() if may_import(user, name)]


class StartForm(forms.Form):
    """What is imported, and a sample file to start from."""

    target = forms.ChoiceField(label=gettext_lazy("What is imported"))
    file = forms.FileField(
        label=gettext_lazy("Sample file"),
        help_text=gettext_lazy("CSV (any separator, UTF-8 or Windows-1252) or XLSX: the headers are read from it."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx"}),
    )
    header_row = forms.IntegerField(
        label=gettext_lazy("Header row"),
        min_value=1,
        max_value=1000,
        initial=1,
        help_text=gettext_lazy("The row that names the columns (ministry files often use 3 or 4)."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = _target_choices(user)


class UploadProfileForm(forms.Form):
    """A profile written elsewhere, as a JSON file."""

    target = forms.ChoiceField(label=gettext_lazy("What is imported"))
    file = forms.FileField(
        label=gettext_lazy("Profile (JSON)"), widget=forms.ClearableFileInput(attrs={"accept": ".json"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = _target_choices(user)


class SettingsForm(forms.Form):
    """The profile as a whole: name, how the file is read, duplicates and merging."""

    name = forms.SlugField(
        label=gettext_lazy("Name"),
        max_length=80,
        help_text=gettext_lazy("Letters, digits and hyphens, e.g. land-brandenburg; chosen on the upload form."),
    )
    label = forms.CharField(label=gettext_lazy("Label"), max_length=200, required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    delimiter = forms.ChoiceField(label=gettext_lazy("Separator"), choices=DELIMITERS)
    encoding = forms.ChoiceField(label=gettext_lazy("Encoding"), choices=ENCODINGS)
    sheet = forms.ChoiceField(label=gettext_lazy("Sheet"), required=False)
    header_row = forms.IntegerField(label=gettext_lazy("Header row"), min_value=1, max_value=1000)
    duplicates = forms.ChoiceField(
        label=gettext_lazy("A key that repeats"),
        choices=[
            ("reject", gettext_lazy("reject every such row")),
            ("merge_identical", gettext_lazy("count identical rows once")),
        ],
    )
    merge_default = forms.ChoiceField(
        label=gettext_lazy("Merged rows: other fields"),
        choices=MERGE_RULES[1:],
        help_text=gettext_lazy(
            "Rows with the same merge key become one; fields without a rule of their own follow this."
        ),
    )
    grades = forms.ChoiceField(label=gettext_lazy("Grade table"), required=False)
    options = forms.CharField(
        label=gettext_lazy("Options of the target (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=gettext_lazy(
            'Settings of what is imported, e.g. for schools {"figures": "replace_year"} or the fields of a '
            "row's site (docs/imports.md)."
        ),
    )

    def __init__(self, *args, sheets: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "sheet").choices = [("", _("the first sheet"))] + [(name, name) for name in sheets]
        if not sheets:
            self.fields["sheet"].widget = forms.HiddenInput()
        from .tabular.codelists import grade_tables

        choice_field(self, "grades").choices = [("", _("none"))] + [
            (name, f"{label} ({name})") for name, label in sorted(grade_tables().items())
        ]

    def clean_options(self) -> dict[str, Any]:
        text = self.cleaned_data["options"].strip()
        if not text:
            return {}
        try:
            options = json.loads(text)
        except ValueError as error:
            raise ValidationError(_("The options are not valid JSON: %(error)s") % {"error": error}) from None
        if not isinstance(options, dict):
            raise ValidationError(_('The options are a JSON object, like {"figures": "replace_year"}.'))
        return options


class MappingForm(forms.Form):
    """One column of the file and the field it fills, with how it is read."""

    source = forms.ChoiceField(label=gettext_lazy("Column of the file"), required=False)
    field = forms.ChoiceField(label=gettext_lazy("Field"), required=False)
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=_type_choices)
    required = forms.BooleanField(label=gettext_lazy("A value is required"), required=False)
    codes = forms.ChoiceField(label=gettext_lazy("Code list"), required=False)
    on_invalid = forms.ChoiceField(label=gettext_lazy("An invalid value"), choices=ON_INVALID)
    combine = forms.ChoiceField(label=gettext_lazy("Several columns"), choices=COMBINE, required=False)
    merge_key = forms.BooleanField(label=gettext_lazy("Part of the merge key"), required=False)
    merge_rule = forms.ChoiceField(label=gettext_lazy("When rows are merged"), choices=MERGE_RULES, required=False)
    when_subject = forms.ChoiceField(label=gettext_lazy("Only where"), required=False)
    when_test = forms.ChoiceField(label=gettext_lazy("Test"), choices=TESTS, required=False)
    when_value = forms.CharField(label=gettext_lazy("Value"), required=False)
    default = forms.CharField(
        label=gettext_lazy("Value when empty"),
        help_text=gettext_lazy("Used where the cell is empty or the condition does not hold."),
        required=False,
        strip=False,
    )
    extra = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, headers, fields, codes, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", _("choose a column"))] + [(h, h) for h in headers]
        self.fields["field"].choices = [("", _("not imported"))] + fields
        self.fields["codes"].choices = [("", _("none"))] + codes
        self.fields["when_subject"].choices = [("", _("every row"))] + subjects
        for slot in range(1, TRANSFORM_SLOTS + 1):
            self.fields[f"t{slot}_kind"] = forms.ChoiceField(
                label=_("Transform %(number)s") % {"number": slot}, choices=TRANSFORMS, required=False
            )
            self.fields[f"t{slot}_a"] = forms.CharField(
                label=_("Transform %(number)s: first input") % {"number": slot}, required=False, strip=False
            )
            self.fields[f"t{slot}_b"] = forms.CharField(
                label=_("Transform %(number)s: second input") % {"number": slot}, required=False, strip=False
            )

    def transform_fields(self):
        return [
            (self[f"t{slot}_kind"], self[f"t{slot}_a"], self[f"t{slot}_b"]) for slot in range(1, TRANSFORM_SLOTS + 1)
        ]

    def row(self) -> dict[str, Any]:
        data = self.cleaned_data
        try:
            extra = json.loads(data.get("extra") or "{}")
        except ValueError:
            extra = {}
        return {
            "source": data.get("source", ""),
            "field": data.get("field", ""),
            "type": data.get("type") or "text",
            "required": data.get("required", False),
            "codes": data.get("codes", ""),
            "on_invalid": data.get("on_invalid") or "reject",
            "combine": data.get("combine", ""),
            "merge_key": data.get("merge_key", False),
            "merge_rule": data.get("merge_rule", ""),
            "transforms": [
                (data.get(f"t{slot}_kind", ""), data.get(f"t{slot}_a", ""), data.get(f"t{slot}_b", ""))
                for slot in range(1, TRANSFORM_SLOTS + 1)
                if data.get(f"t{slot}_kind")
            ],
            "when": (data.get("when_subject", ""), data.get("when_test", ""), data.get("when_value", "")),
            "default": data.get("default", ""),
            "extra": extra if isinstance(extra, dict) else {},
        }


def _row_initial(row: dict[str, Any]) -> dict[str, Any]:
    initial = {key: row[key] for key in ("source", "field", "type", "required", "codes", "on_invalid", "combine")}
    initial.update(
        merge_key=row["merge_key"],
        merge_rule=row["merge_rule"],
        default=row.get("default", ""),
        extra=json.dumps(row["extra"]),
    )
    initial["when_subject"], initial["when_test"], initial["when_value"] = row["when"]
    for slot, (kind, first, second) in enumerate(row["transforms"][:TRANSFORM_SLOTS], start=1):
        initial.update({f"t{slot}_kind": kind, f"t{slot}_a": first, f"t{slot}_b": second})
    return initial


class ConstantForm(forms.Form):
    """A value every row gets (the authority, the school year, ...)."""

    field = forms.ChoiceField(label=gettext_lazy("Field"), required=False)
    value = forms.CharField(label=gettext_lazy("Value"), required=False)

    def __init__(self, *args, fields, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("choose a field"))] + fields


class FilterForm(forms.Form):
    """A condition a row must meet to be imported (rows left out are counted)."""

    subject = forms.ChoiceField(label=gettext_lazy("Import only rows where"), required=False)
    test = forms.ChoiceField(label=gettext_lazy("Test"), choices=TESTS, required=False)
    value = forms.CharField(label=gettext_lazy("Value"), required=False)

    def __init__(self, *args, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [("", _("no condition"))] + subjects


class CodeListForm(forms.Form):
    """A code list of the profile: its own codes, or a shared list."""

    name = forms.SlugField(label=gettext_lazy("Name of the code list"), required=False)
    shared = forms.ChoiceField(label=gettext_lazy("Shared list"), required=False)
    value = forms.CharField(
        label=gettext_lazy("Attribute used as the value"),
        required=False,
        help_text=gettext_lazy("For a shared list: e.g. name or iso; empty for every attribute."),
    )
    entries = forms.CharField(
        label=gettext_lazy("Codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy('One per line: code = value, or code = {"type_label": "Grundschule", "levels": [1]}.'),
    )

    def __init__(self, *args, shared, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shared"].choices = [("", _("none: the codes below"))] + shared

    def clean(self):
        data = super().clean()
        if data.get("entries"):
            try:
                data["parsed_entries"] = editor.parse_code_entries(data["entries"])
            except ValueError as error:
                self.add_error("entries", str(error))
        return data


# -- the draft in the session ----------------------------------------------------------------------------


def builtin_definitions(target: str) -> dict[str, dict[str, Any]]:
    """The JSON of each built-in profile of ``target``, by name (as shipped, for download and copies)."""
    from .tabular.profiles import _BUILTIN_DIRS

    definitions = {}
    for directory in _BUILTIN_DIRS.get(target, []):
        for path in sorted(directory.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            definitions[data["name"]] = data
    return definitions


def _get_draft(request) -> dict[str, Any]:
    """The session's profile being edited (one at a time); 404 when there is none."""
    draft = request.session.get(DRAFT_KEY)
    if draft is None:
        raise Http404(_("There is no profile being edited; start again from the profiles page."))
    if not may_import(request.user, draft["target"]):
        raise PermissionDenied(_("Your role may not import %(target)s.") % {"target": draft["target"]})
    return draft


def _store_draft(request, draft: dict[str, Any]) -> None:
    request.session[DRAFT_KEY] = draft
    request.session.modified = True


def _delete_stale_samples() -> None:
    """Delete sample files of drafts abandoned for more than ``SAMPLE_DAYS`` (their sessions expired)."""
    import datetime

    from django.utils import timezone

    cutoff = timezone.now() - datetime.timedelta(days=SAMPLE_DAYS)
    try:
        folders, _files = default_storage.listdir(SAMPLE_FOLDER)
        for folder in folders:
            for name in default_storage.listdir(f"{SAMPLE_FOLDER}/{folder}")[1]:
                path = f"{SAMPLE_FOLDER}/{folder}/{name}"
                if default_storage.get_modified_time(path) < cutoff:
                    default_storage.delete(path)
    except (FileNotFoundError, NotImplementedError):
        pass


def _start_draft(request, *, target: str, definition: dict[str, Any], profile_id: int | None = None) -> dict:
    """A new draft, replacing (and deleting the sample of) the one being edited."""
    _delete_stale_samples()
    old = request.session.get(DRAFT_KEY)
    if old:
        _delete_sample(old)
    draft = {"target": target, "definition": definition, "profile_id": profile_id, "file": "", "filename": ""}
    _store_draft(request, draft)
    return draft


def _end_draft(request, draft: dict[str, Any]) -> None:
    _delete_sample(draft)
    request.session.pop(DRAFT_KEY, None)


def _delete_sample(draft: dict[str, Any]) -> None:
    name = draft.get("file", "")
    if name and default_storage.exists(name):
        default_storage.delete(name)


def _save_sample(uploaded) -> tuple[str, str]:
    """Keep a sample file under MEDIA_ROOT/imports/editor/; (storage name, original name)."""
    if uploaded.size > MAX_SAMPLE_BYTES:
        raise ValidationError(_("A sample file may be at most 50 MB; a few hundred rows are enough."))
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."))
    original = os.path.basename(uploaded.name or "sample.csv")[:120]
    stored = default_storage.save(f"{SAMPLE_FOLDER}/{secrets.token_hex(8)}/{original}", uploaded)
    return stored, original


def _propose(draft: dict[str, Any]) -> None:
    """Replace the draft's columns by the mapping proposed for its sample file's headers."""
    headers, _sheets, _error = _sample_headers(draft)
    if not headers:
        return
    proposals = editor.propose_mapping(headers=headers, fields=editor.proposal_fields(draft["target"]))
    columns, _merge = editor.columns_from_rows(editor.rows_from_proposal(proposals))
    draft["definition"] = {**draft["definition"], "columns": columns}


# -- reading the sample ---------------------------------------------------------------------------------


def _open_sample(draft: dict[str, Any]):
    return default_storage.open(draft["file"], "rb")


def _sample_headers(draft: dict[str, Any]) -> tuple[list[str], list[str], str]:
    """(headers after the header row, sheet names, a file error or "") of the draft's sample file."""
    if not draft.get("file"):
        return [], [], ""
    definition = draft["definition"]
    reading = {key: definition[key] for key in ("delimiter", "encoding", "header_row", "sheet") if key in definition}
    bare = {"name": definition.get("name") or "draft", "target": draft["target"], "columns": [], **reading}
    with _open_sample(draft) as stream:
        sheets = editor.sheet_names(source=stream, filename=draft["filename"])
    try:
        with _open_sample(draft) as stream:
            sample = editor.read_sample(
                source=stream, filename=draft["filename"], profile=profile_from_dict(bare, is_builtin=False), limit=1
            )
    except ImportFileError as error:
        return [], sheets, error.describe()
    except ProfileError as error:
        return [], sheets, str(error)
    return [h for h in sample.headers if h], sheets, ""


def _preview(draft: dict[str, Any]) -> dict[str, Any]:
    """The first rows parsed by the draft's profile: fields, rows of values, errors, warnings."""
    try:
        profile = profile_from_dict(draft["definition"], is_builtin=False)
    except ProfileError as error:
        return {"error": str(error)}
    if not draft.get("file"):
        return {"error": _("Upload a sample file to see the preview.")}
    try:
        with _open_sample(draft) as stream:
            sample = editor.read_sample(source=stream, filename=draft["filename"], profile=profile)
    except ImportFileError as error:
        return {"error": error.describe()}
    fields = list(dict.fromkeys([column.field for column in profile.columns] + list(profile.constants)))
    # With a grade table, a pupils_grade_N column's value is kept under pupils_isced_L_grade_N.
    renames = grade_renames(profile, fields)
    rows = []
    for parsed in sample.parsed:
        problems = [(error, "error") for error in parsed.errors] + [
            (warning, "warning") for warning in getattr(parsed, "warnings", [])
        ]
        rows.append(
            {
                "line": parsed.line,
                "values": [_shown(parsed.values.get(renames.get(name) or name)) for name in fields],
                "problems": problems,
            }
        )
    return {
        "fields": fields,
        "rows": rows,
        "error": sample.error,
        "filtered": sample.filtered,
        "problem_count": sum(len(row["problems"]) for row in rows),
    }


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


# -- the editor -----------------------------------------------------------------------------------------


def _field_choices(target: str, extra_names: list[str]) -> list[tuple[str, str]]:
    """The fields a mapping may fill: those the importer declares, then those its built-in profiles use."""
    choices: list[tuple[str, str]] = []
    specs = importer_for(target).fields
    for spec in specs:
        if spec.pattern:
            choices.extend((name, f"{spec.label} ({name})") for name in editor.family_members(spec))
            continue
        choices.append((spec.name, f"{spec.label} ({spec.name})" if spec.label else spec.name))
    known = {name for name, _label in choices}
    for profile in builtin_profiles(target).values():
        extra_names = [column.field for column in profile.columns] + list(profile.constants) + extra_names
    for name in extra_names:
        if name and name not in known:
            choices.append((name, name))
            known.add(name)
    return choices


def _code_choices(definition: dict[str, Any]) -> list[tuple[str, str]]:
    from .tabular.codelists import shared_code_lists

    own = [(name, name) for name in definition.get("code_lists", {})]
    shared = [(f"shared:{name}", f"{label} (shared:{name})") for name, label in sorted(shared_code_lists().items())]
    return own + shared


def _shared_choices() -> list[tuple[str, str]]:
    from .tabular.codelists import shared_code_lists

    return [(name, f"{label} ({name})") for name, label in sorted(shared_code_lists().items())]


class Editor:
    """The editor's forms for one draft, bound to a POST or filled from the draft's definition."""

    def __init__(self, draft: dict[str, Any], data=None):
        self.draft = draft
        definition = draft["definition"]
        self.headers, self.sheets, self.file_error = _sample_headers(draft)
        rows = editor.rows_from_definition(definition, self.headers)
        rows += [editor.empty_row() for _blank in range(BLANK_MAPPINGS)]
        sources = list(dict.fromkeys(self.headers + [row["source"] for row in rows if row["source"]]))
        used_fields = [row["field"] for row in rows] + list(definition.get("constants", {}))
        fields = _field_choices(draft["target"], used_fields)
        subjects = [(f"column:{h}", _("column %(name)s") % {"name": h}) for h in sources] + [
            (f"field:{name}", _("field %(name)s") % {"name": name}) for name, _label in fields
        ]
        codes = _code_choices(definition)
        merge = definition.get("merge") or {}
        settings_initial = {
            "name": definition.get("name", ""),
            "label": definition.get("label", ""),
            "description": definition.get("description", ""),
            "delimiter": definition.get("delimiter", "auto"),
            "encoding": definition.get("encoding", "auto"),
            "sheet": str(definition.get("sheet", "") or ""),
            "header_row": definition.get("header_row", 1),
            "duplicates": definition.get("duplicates", "reject"),
            "merge_default": merge.get("default", "same"),
            "grades": definition.get("grades", ""),
            "options": json.dumps(definition["options"], ensure_ascii=False) if definition.get("options") else "",
        }
        count = _count(data, "rows", len(rows))
        self.settings = SettingsForm(data, prefix="s", initial=settings_initial, sheets=self.sheets)
        self.mappings = [
            MappingForm(
                data,
                prefix=f"m{index}",
                initial=_row_initial(rows[index]) if index < len(rows) else {},
                headers=sources,
                fields=fields,
                codes=codes,
                subjects=subjects,
            )
            for index in range(count)
        ]
        constants = list(definition.get("constants", {}).items())
        count = _count(data, "constants", len(constants) + BLANK_CONSTANTS)
        self.constants = [
            ConstantForm(
                data,
                prefix=f"c{index}",
                initial={"field": constants[index][0], "value": _constant_text(constants[index][1])}
                if index < len(constants)
                else {},
                fields=fields,
            )
            for index in range(count)
        ]
        filters = list(definition.get("filter", []))
        count = _count(data, "filters", len(filters) + BLANK_FILTERS)
        self.filters = []
        for index in range(count):
            initial = {}
            if index < len(filters):
                subject, test, value = editor.condition_to_inputs(filters[index])
                initial = {"subject": subject, "test": test, "value": value}
            self.filters.append(FilterForm(data, prefix=f"f{index}", initial=initial, subjects=subjects))
        code_lists = list(definition.get("code_lists", {}).items())
        count = _count(data, "code_lists", len(code_lists) + BLANK_CODE_LISTS)
        self.code_lists = []
        for index in range(count):
            initial = {}
            if index < len(code_lists):
                name, spec = code_lists[index]
                if isinstance(spec, dict) and "shared" in spec:
                    initial = {"name": name, "shared": spec["shared"], "value": spec.get("value", "")}
                else:
                    initial = {"name": name, "entries": editor.code_entries_text(spec)}
            self.code_lists.append(CodeListForm(data, prefix=f"l{index}", initial=initial, shared=_shared_choices()))
        self.definition_json = json.dumps(definition, ensure_ascii=False, indent=2)
        self.errors: list[str] = []

    def forms(self):
        return [self.settings, *self.mappings, *self.constants, *self.filters, *self.code_lists]

    def definition(self, data) -> dict[str, Any] | None:
        """The profile the POST describes, or None with ``errors`` set."""
        posted_json = (data.get("definition_json") or "").strip()
        if posted_json:
            try:
                posted = json.loads(posted_json)
            except ValueError as error:
                self.errors.append(_("The profile as JSON is not valid JSON: %(error)s") % {"error": error})
                return None
            try:
                original = json.loads(data.get("definition_json_original") or "null")
            except ValueError:
                original = None
            if posted != original:
                if isinstance(posted, dict):
                    posted["target"] = self.draft["target"]
                return posted  # written by hand: it wins over the form
        if not all(form.is_valid() for form in self.forms()):
            return None
        settings = self.settings.cleaned_data
        definition = {
            key: value
            for key, value in self.draft["definition"].items()
            if key not in {"columns", "constants", "filter", "merge", "code_lists", "sheet", "grades", "options"}
        }
        definition.update(
            name=settings["name"], target=self.draft["target"], label=settings["label"] or settings["name"]
        )
        # A setting at its default is written only when the profile had it: an edit changes nothing else.
        for key, default in (("delimiter", "auto"), ("encoding", "auto"), ("header_row", 1), ("duplicates", "reject")):
            if settings[key] != default or key in self.draft["definition"]:
                definition[key] = settings[key]
        if settings["description"]:
            definition["description"] = settings["description"]
        else:
            definition.pop("description", None)
        if settings["sheet"]:
            definition["sheet"] = settings["sheet"]
        if settings["grades"]:
            definition["grades"] = settings["grades"]
        if settings["options"]:
            definition["options"] = settings["options"]
        try:
            columns, merge = editor.columns_from_rows([form.row() for form in self.mappings])
        except ValueError as error:
            self.errors.append(str(error))
            return None
        definition["columns"] = columns
        # What the mapped fields imply (schools: site fields read sites from rows), unless set by hand.
        implied = importer_for(self.draft["target"]).options_for_fields([column["field"] for column in columns])
        for option, value in implied.items():
            definition.setdefault("options", {}).setdefault(option, value)
        if merge:
            merge["default"] = settings["merge_default"]
            definition["merge"] = merge
        specs = importer_for(self.draft["target"]).fields
        from .tabular.fields import field_spec

        constants = {}
        for form in self.constants:
            name = form.cleaned_data.get("field")
            if name:
                constants[name] = editor.constant_value(field_spec(specs, name), form.cleaned_data.get("value", ""))
        if constants:
            definition["constants"] = constants
        filters = []
        for filter_form in self.filters:
            condition = editor.inputs_to_condition(
                filter_form.cleaned_data.get("subject", ""),
                filter_form.cleaned_data.get("test", ""),
                filter_form.cleaned_data.get("value", ""),
            )
            if condition:
                filters.append(condition)
        if filters:
            definition["filter"] = filters
        code_lists: dict[str, Any] = {}
        for code_form in self.code_lists:
            name = code_form.cleaned_data.get("name")
            if not name:
                continue
            if code_form.cleaned_data.get("shared"):
                spec: dict[str, Any] = {"shared": code_form.cleaned_data["shared"]}
                if code_form.cleaned_data.get("value"):
                    spec["value"] = code_form.cleaned_data["value"]
                code_lists[name] = spec
            else:
                code_lists[name] = code_form.cleaned_data.get("parsed_entries", {})
        if code_lists:
            definition["code_lists"] = code_lists
        return definition


def _count(data, name: str, default: int) -> int:
    if data is None:
        return default
    try:
        return max(0, min(int(data.get(name, default)), 500))
    except (TypeError, ValueError):
        return default


def _constant_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _editor_context(draft: dict[str, Any], form: Editor, preview=None) -> dict[str, Any]:
    return {
        "draft": draft,
        "editor": form,
        "target_label": import_targets()[draft["target"]].label,
        "preview": preview,
        "sample_form": SampleForm(),
    }


class SampleForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Sample file"),
        required=False,
        help_text=gettext_lazy("Upload another file to read its headers and preview it."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx"}),
    )


def _render_editor(request, draft, form, preview=None, status=200):
    return render(request, "core/imports/profile_editor.html", _editor_context(draft, form, preview), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def importprofile_editor(request):
    """The profile being edited in this session: mapping, settings, preview, save."""
    draft = _get_draft(request)
    if request.method == "GET":
        return _render_editor(request, draft, Editor(draft))
    action = request.POST.get("action", "preview")
    form = Editor(draft, request.POST)
    definition = form.definition(request.POST)
    if definition is not None:
        draft["definition"] = definition
        _store_draft(request, draft)
    uploaded = request.FILES.get("file")
    if uploaded is not None:
        try:
            stored, original = _save_sample(uploaded)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            _delete_sample(draft)
            draft.update(file=stored, filename=original)
            if not draft["definition"].get("columns"):
                _propose(draft)
            _store_draft(request, draft)
        return redirect("importprofile-editor")
    if definition is None:
        return _render_editor(request, draft, form, status=400)
    if action == "propose":
        _propose(draft)
        _store_draft(request, draft)
        return redirect("importprofile-editor")
    if action == "reread":
        return redirect("importprofile-editor")
    if action == "save":
        try:
            if draft.get("profile_id"):
                profile = import_profile_get(request.user, draft["profile_id"])
                saved = import_profile_update(actor=request.user, profile=profile, definition=definition)
            else:
                saved = import_profile_create(actor=request.user, target=draft["target"], definition=definition)
        except ValidationError as error:
            form = Editor(draft)
            form.errors.extend(error.messages)
            return _render_editor(request, draft, form, status=400)
        _end_draft(request, draft)
        messages.success(
            request, _("The profile %(name)s is saved; choose it when you import a file.") % {"name": saved.name}
        )
        return redirect(f"{reverse('importjob-create')}?{urlencode({'target': saved.target, 'profile': saved.name})}")
    preview = _preview(draft)
    if request.htmx:
        return render(request, "core/imports/_profile_preview.html", {"preview": preview})
    return _render_editor(request, draft, Editor(draft), preview)


# -- the list of profiles and its actions -------------------------------------------------------------


def _require_any_import(user) -> None:
    if not _target_choices(user):
        raise PermissionDenied(_("Your role may not import files."))


def _list_context(user, **forms_) -> dict[str, Any]:
    targets = _target_choices(user)
    labels = dict(targets)
    return {
        "saved": [(profile, labels.get(profile.target, profile.target)) for profile in import_profiles_for(user)],
        "builtins": [
            (target, label, sorted(builtin_profiles(target).values(), key=lambda p: p.name))
            for target, label in targets
        ],
        "start_form": forms_.get("start_form") or StartForm(user=user),
        "upload_form": forms_.get("upload_form") or UploadProfileForm(user=user),
    }


@login_required
@require_GET
def importprofile_list(request):
    _require_any_import(request.user)
    return render(request, "core/imports/profile_list.html", _list_context(request.user))


@login_required
@require_POST
def importprofile_start(request):
    """Start a profile from a sample file: read its headers and propose a mapping."""
    _require_any_import(request.user)
    form = StartForm(request.POST, request.FILES, user=request.user)
    if form.is_valid():
        target = form.cleaned_data["target"]
        uploaded = form.cleaned_data["file"]
        name = slugify(os.path.splitext(os.path.basename(uploaded.name or ""))[0])[:80] or "profile"
        try:
            stored, original = _save_sample(uploaded)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            definition = {
                "name": name,
                "target": target,
                "label": name,
                "header_row": form.cleaned_data["header_row"],
                "columns": [],
            }
            draft = _start_draft(request, target=target, definition=definition)
            draft.update(file=stored, filename=original)
            _propose(draft)
            _store_draft(request, draft)
            return redirect("importprofile-editor")
    return render(request, "core/imports/profile_list.html", _list_context(request.user, start_form=form), status=400)


@login_required
@require_POST
def importprofile_upload(request):
    """Save a profile written elsewhere, uploaded as a JSON file."""
    _require_any_import(request.user)
    form = UploadProfileForm(request.POST, request.FILES, user=request.user)
    if form.is_valid():
        try:
            definition = json.loads(form.cleaned_data["file"].read().decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as error:
            form.add_error("file", _("The file is not JSON: %(error)s") % {"error": error})
        else:
            try:
                saved = import_profile_create(
                    actor=request.user, target=form.cleaned_data["target"], definition=definition
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("file", message)
            else:
                messages.success(request, _("The profile %(name)s is saved.") % {"name": saved.name})
                return redirect("importprofile-list")
    return render(request, "core/imports/profile_list.html", _list_context(request.user, upload_form=form), status=400)


def _profile_from_request(request, data) -> ImportProfile:
    """The saved profile named by ``id`` in ``data``, among those the user may see (else 404)."""
    try:
        pk = int(data.get("id", ""))
    except ValueError:
        raise Http404 from None
    return import_profile_get(request.user, pk)


def _builtin_definition(user, target: str, name: str) -> dict[str, Any]:
    """The JSON of a built-in profile of a target the user may import (else 404)."""
    if target not in import_targets() or not may_import(user, target):
        raise Http404
    definition = builtin_definitions(target).get(name)
    if definition is None:
        raise Http404
    return definition


@login_required
@require_POST
def importprofile_edit(request):
    """Open a saved profile in the editor."""
    profile = _profile_from_request(request, request.POST)
    _start_draft(request, target=profile.target, definition=dict(profile.definition), profile_id=profile.pk)
    return redirect("importprofile-editor")


@login_required
@require_POST
def importprofile_duplicate(request):
    """Save a copy of a saved profile (``id``) or of a built-in one (``target`` and ``name``)."""
    if request.POST.get("id"):
        profile = _profile_from_request(request, request.POST)
        target, definition = profile.target, profile.definition
    else:
        target = request.POST.get("target", "")
        definition = _builtin_definition(request.user, target, request.POST.get("name", ""))
    copy = import_profile_duplicate(actor=request.user, target=target, definition=definition)
    messages.success(request, _("The copy %(name)s is saved.") % {"name": copy.name})
    return redirect("importprofile-list")


@login_required
@require_http_methods(["GET", "POST"])
def importprofile_delete(request):
    """Ask, then delete a saved profile."""
    profile = _profile_from_request(request, request.POST if request.method == "POST" else request.GET)
    if request.method == "POST":
        import_profile_delete(actor=request.user, profile=profile)
        messages.success(request, _("The profile %(name)s is deleted.") % {"name": profile.name})
        return redirect("importprofile-list")
    return render(request, "core/imports/profile_delete.html", {"profile": profile})


@login_required
@require_GET
def importprofile_download(request):
    """A saved profile (``?id=``) or a built-in one (``?target=&name=``) as a JSON file."""
    if request.GET.get("id"):
        profile = _profile_from_request(request, request.GET)
        definition, name = profile.definition, profile.name
    else:
        name = request.GET.get("name", "")
        definition = _builtin_definition(request.user, request.GET.get("target", ""), name)
    response = HttpResponse(
        json.dumps(definition, ensure_ascii=False, indent=2) + "\n", content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{slugify(name) or "profile"}.json"'
    return response


@require_GET
def importprofile_schema(request):
    """The published JSON Schema of a profile (public: it describes a format, nothing of the data)."""
    return JsonResponse(profile_json_schema(), json_dumps_params={"ensure_ascii": False, "indent": 2})
