"""Preview and commit: the one entry point every importer goes through.

``run_import`` opens the file, parses it by the profile, lets the target's importer plan the
changes against the database (no writes), and, unless it is a dry run, commits the plan in one
transaction. Rows with errors make the whole import refuse unless ``skip_invalid`` is set; a
file-level error (encoding, headers, ...) always refuses. Either way nothing is half-written.
"""

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from digileap.core.permissions import Action, can
from digileap.core.types import Text

from .errors import ImportFileError, RowError
from .fields import FieldSpec
from .parsing import ParsedRow, ParseStats, parse_rows, profile_headers
from .profiles import Profile, get_profile
from .readers import open_table

ProgressCallback = Callable[[str, int, int], None]


@dataclass
class Plan:
    """What an import would do. ``data`` is the importer's own description of the writes."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)
    data: Any = None
    # What the importer lets through but reports (beside the parser's warnings on the rows).
    warnings: list[RowError] = field(default_factory=list)

    @property
    def rejected_lines(self) -> int:
        return len({error.line for error in self.rejected})


@dataclass
class ImportResult:
    """The counts of an import (or of its preview), and every rejected row with its reason."""

    created: int
    updated: int
    unchanged: int
    rejected: int
    committed: bool
    errors: list[RowError]
    rows: int = 0
    file_format: str = ""
    encoding: str = ""
    delimiter: str = ""
    sha256: str = ""
    # Values a column's ``on_invalid`` let through (emptied or kept), with line, column and reason.
    warnings: list[RowError] = field(default_factory=list)
    # Rows the profile's ``filter`` left out.
    filtered: int = 0

    def summary(self) -> dict[str, int]:
        summary = {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }
        if self.filtered:
            summary["filtered"] = self.filtered
        if self.warnings:
            summary["warnings"] = len(self.warnings)
        return summary


class ImportRejected(Exception):
    """Some rows were rejected and the user did not choose to skip them: nothing was written."""

    def __init__(self, result: ImportResult):
        self.result = result
        super().__init__(
            _("%(count)s row(s) rejected; nothing was imported. Correct them, or choose to skip rejected rows.")
            % {"count": result.rejected}
        )


class Importer(ABC):
    """A target of the engine (schools, deliveries, ...). Plans against the database, then writes."""

    target: str = ""
    label: Text = ""  # a lazy translation
    model: type | None = None
    # Every field a profile may fill, with type, limits and aliases (see fields.py).
    fields: tuple[FieldSpec, ...] = ()

    def __init__(self, *, profile: Profile, actor):
        self.profile = profile
        self.actor = actor
        # The file's header row, set by ``run_import`` before ``plan``: which columns this file has.
        self.headers: list[str] = []
        # What ``unpack`` found beside the table (the other files of a bundle), set before ``plan``.
        self.context: dict[str, Any] = {}

    @classmethod
    def options_for_fields(cls, field_names: list[str]) -> dict[str, Any]:
        """Target options that mapping these fields implies (the profile editor sets them unless
        the user set them by hand). None by default."""
        return {}

    @classmethod
    def unpack(cls, source, *, filename: str) -> tuple[Any, str, dict[str, Any]]:
        """The table to read from ``source``, its file name, and a context for ``plan``.

        The default reads ``source`` as it is. A target that takes a bundle (a OneRoster ZIP)
        returns the member the engine reads (users.csv) and puts the rest in the context.
        """
        return source, filename, {}

    @abstractmethod
    def plan(self, rows: Iterable[ParsedRow]) -> Plan:
        """Compare the rows with the database and decide each row's fate. Must not write."""

    @abstractmethod
    def commit(self, plan: Plan) -> None:
        """Write the plan. Runs inside a transaction; raising rolls everything back."""


_IMPORTERS: dict[str, type[Importer]] = {}


def register_importer(importer: type[Importer]) -> type[Importer]:
    _IMPORTERS[importer.target] = importer
    return importer


def importer_for(target: str) -> type[Importer]:
    try:
        return _IMPORTERS[target]
    except KeyError:
        raise ImportFileError(_("nothing can be imported as %(target)r") % {"target": target}) from None


def import_targets() -> dict[str, type[Importer]]:
    return dict(_IMPORTERS)


def may_import(actor, target: str) -> bool:
    """Whether the actor's role lets them import into ``target`` at all (rows are then checked by scope)."""
    model = importer_for(target).model
    return model is None or can(actor, Action.ADD, model) or can(actor, Action.CHANGE, model)


def file_sha256(source) -> str:
    digest = hashlib.sha256()
    if isinstance(source, (str,)) or hasattr(source, "__fspath__"):
        with open(source, "rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()
    source.seek(0)
    while chunk := source.read(1 << 20):
        digest.update(chunk)
    source.seek(0)
    return digest.hexdigest()


def _close_unpacked(source, original) -> None:
    """Close the stream ``unpack`` opened in place of the uploaded file (a member of a bundle)."""
    if source is not original and hasattr(source, "close"):
        source.close()


def run_import(
    *,
    target: str,
    source,
    profile: str | Profile,
    actor,
    filename: str = "",
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: ProgressCallback | None = None,
    overrides: dict[str, Any] | None = None,
    on_committed: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Import ``source`` into ``target``. Raises ImportFileError or ImportRejected; writes all or nothing.

    ``progress(phase, done, total)`` is called while the file is checked (phase ``"checking"``) and
    once before the writes (``"writing"``); it runs outside the write transaction, so a callback
    that saves progress is seen by other requests. ``on_committed(result)`` runs inside the write
    transaction after the importer wrote: whatever it writes commits or rolls back with the import.
    """
    importer_class = importer_for(target)
    if not may_import(actor, target):
        raise PermissionDenied(_("Your role may not import %(target)s.") % {"target": target})
    profile = profile if isinstance(profile, Profile) else get_profile(target, profile)
    if profile.target != target:
        raise ImportFileError(
            _("profile %(profile)s is for %(other)s, not %(target)s")
            % {"profile": profile.name, "other": profile.target, "target": target}
        )
    sha256 = file_sha256(source)
    original = source
    source, filename, context = importer_class.unpack(source, filename=filename)
    try:
        table = open_table(
            source,
            filename=filename,
            delimiter=profile.delimiter,
            encoding=profile.encoding,
            expected_headers=profile.expected_headers,
            header_row=profile.header_row,
            sheet=profile.sheet,
        )
    except BaseException:
        _close_unpacked(source, original)
        raise
    stats = ParseStats()
    warnings: list[RowError] = []
    try:
        total = table.estimated_rows

        def report_rows(done: int) -> None:
            if progress is not None:
                progress("checking", done, max(total, done))

        rows_seen = 0

        def counted(rows):
            nonlocal rows_seen
            for row in rows:
                rows_seen += 1
                if row.warnings:
                    warnings.extend(row.warnings)
                yield row

        importer = importer_class(profile=profile, actor=actor)
        # Headers match the profile's sources without regard to case and spacing: the importer sees
        # each header it reads spelt as its profile spells it.
        importer.headers = profile_headers(list(table.headers), profile)
        importer.context = context
        if progress is not None:
            progress("checking", 0, total)
        parsed = parse_rows(
            table, profile, progress=report_rows, overrides=overrides, fields=importer_class.fields, stats=stats
        )
        plan = importer.plan(counted(parsed))
    finally:
        table.close()
        _close_unpacked(source, original)
    if rows_seen == 0 and stats.filtered:
        raise ImportFileError(
            _("the profile's filter left out every row (%(count)s); nothing to import") % {"count": stats.filtered},
            filename=table.filename,
        )
    if rows_seen == 0:
        raise ImportFileError(
            _("the file has a header row but no data rows"), filename=table.filename, line=profile.header_row + 1
        )
    result = ImportResult(
        created=plan.created,
        updated=plan.updated,
        unchanged=plan.unchanged,
        rejected=plan.rejected_lines,
        committed=False,
        errors=sorted(plan.rejected, key=lambda e: (e.line, e.column)),
        rows=rows_seen,
        file_format=table.format,
        encoding=table.encoding,
        delimiter=table.delimiter,
        sha256=sha256,
        warnings=sorted([*warnings, *plan.warnings], key=lambda e: (e.line, e.column)),
        filtered=stats.filtered,
    )
    if dry_run:
        return result
    if plan.rejected and not skip_invalid:
        raise ImportRejected(result)
    if progress is not None:
        progress("writing", rows_seen, rows_seen)
    with transaction.atomic():
        importer.commit(plan)
        result.committed = True
        if on_committed is not None:
            on_committed(result)
    return result
