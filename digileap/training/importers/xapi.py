"""Completions from xAPI statements: a target (``completions_xapi``, profile ``xapi``) of the engine.

A file holds one statement, an array of statements, or a page of a learning record store's
statements API (``{"statements": [...], "more": ...}``). ``unpack`` reads the JSON and lays the
statements out as a table, one row per statement, which the completion importer then plans and
writes like any other completion file (``completions.py``), all or nothing:

- the verbs ``http://adlnet.gov/expapi/verbs/completed`` and ``.../passed`` count; the profile's
  filter leaves the others out and the summary counts them (``filtered``);
- ``object.id``, the activity's IRI, is mapped to a course (``CourseMapping``, system ``xapi``);
- the actor is known by ``mbox`` (``mailto:``), ``mbox_sha1sum``, ``openid`` or ``account``
  ``{homePage, name}``: that identifier is a ``StaffIdentifier`` of system ``xapi``; an ``mbox``
  also finds the person by e-mail;
- ``timestamp`` (else ``stored``) gives the day in the installation's time zone;
- ``result.success`` and ``result.score.scaled`` (kept as a percentage) are kept;
- the school is the context extension ``https://digileap.eu/xapi/school`` (its number), else the
  person's only school.

Refused, nothing written: a file that is not JSON (with json's line and column), a statement that
is not an object or has no actor (its number and index), an unknown activity, a future timestamp.
Row errors carry the statement's number (from 1) as their line.
"""

import csv
import dataclasses
import datetime
import io
import json
import os
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digileap.core.tabular.engine import Plan, register_importer, run_import
from digileap.core.tabular.errors import ImportFileError
from digileap.core.tabular.fields import CHECKED, FieldSpec
from digileap.core.tabular.parsing import ParsedRow
from digileap.core.tabular.profiles import register_profile_dir

from .completions import COMPLETION_FIELDS, PROFILE_DIR, CompletionImporter, job_for_source

TARGET = "completions_xapi"
PROFILE = "xapi"
SCHOOL_EXTENSION = "https://digileap.eu/xapi/school"
COUNTED_VERBS = ("http://adlnet.gov/expapi/verbs/completed", "http://adlnet.gov/expapi/verbs/passed")
COLUMNS = (
    "statement",
    "verb.id",
    "actor",
    "actor.mbox",
    "object.id",
    "timestamp",
    "result.success",
    "result.score.scaled",
    "context.extensions",
)


def _read(source) -> bytes:
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as stream:
            return stream.read()
    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def statements_of(data: bytes, filename: str) -> list:
    """The statements of an xAPI JSON file; ImportFileError naming line and column of bad JSON."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("the file is not UTF-8 text (byte %(position)s); xAPI statements are JSON in UTF-8")
            % {"position": error.start + 1},
            filename=filename,
        ) from None
    if not text.strip():
        raise ImportFileError(_("the file is empty"), filename=filename)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            _("not valid JSON: %(reason)s (column %(column)s)") % {"reason": error.msg, "column": error.colno},
            filename=filename,
            line=error.lineno,
        ) from None
    if isinstance(document, dict) and isinstance(document.get("statements"), list):
        return document["statements"]
    if isinstance(document, dict):
        return [document]
    if isinstance(document, list):
        return document
    raise ImportFileError(
        _('the file holds no xAPI statement: expected an object, an array of them or a {"statements": [...]} page'),
        filename=filename,
    )


def _actor_identifier(actor: dict) -> tuple[str, str]:
    """(identifier, e-mail) of an actor by its inverse functional identifier; ("", "") when it has none."""
    mbox = actor.get("mbox")
    if isinstance(mbox, str) and mbox.strip():
        mbox = mbox.strip()
        email = mbox[len("mailto:") :] if mbox.lower().startswith("mailto:") else mbox
        return "mailto:" + email.lower(), email
    sha1 = actor.get("mbox_sha1sum")
    if isinstance(sha1, str) and sha1.strip():
        return "sha1:" + sha1.strip().lower(), ""
    openid = actor.get("openid")
    if isinstance(openid, str) and openid.strip():
        return openid.strip(), ""
    account = actor.get("account")
    if isinstance(account, dict) and account.get("name"):
        return f"{str(account.get('homePage', '')).strip()}|{str(account['name']).strip()}", ""
    return "", ""


def _day(text: Any) -> str:
    """The local day (ISO) of an xAPI timestamp; the text as given when it is no timestamp."""
    if not isinstance(text, str):
        return "" if text is None else str(text)
    value = text.strip()
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return value
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=datetime.UTC)
    return timezone.localtime(moment).date().isoformat()


def _percent(result: Any) -> str:
    score = result.get("score") if isinstance(result, dict) else None
    scaled = score.get("scaled") if isinstance(score, dict) else None
    if scaled is None or isinstance(scaled, bool):
        return ""
    try:
        return str((Decimal(str(scaled)) * 100).quantize(Decimal("0.01")))
    except InvalidOperation:
        return str(scaled)


def _one_line(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def statement_rows(statements: list, filename: str) -> Iterable[list[str]]:
    """One table row per statement; a statement without an actor refuses the whole file."""
    for index, statement in enumerate(statements):
        number = index + 1
        if not isinstance(statement, dict):
            raise ImportFileError(
                _("statement %(number)s (index %(index)s) is not a JSON object") % {"number": number, "index": index},
                filename=filename,
            )
        actor = statement.get("actor")
        if not isinstance(actor, dict) or not actor:
            raise ImportFileError(
                _("statement %(number)s (index %(index)s) has no actor") % {"number": number, "index": index},
                filename=filename,
            )
        identifier, email = _actor_identifier(actor)
        if not identifier:
            raise ImportFileError(
                _(
                    "statement %(number)s (index %(index)s): the actor has no mbox, mbox_sha1sum, openid or account"
                    " to know them by"
                )
                % {"number": number, "index": index},
                filename=filename,
            )
        verb = _mapping(statement.get("verb"))
        target = _mapping(statement.get("object"))
        result = _mapping(statement.get("result"))
        context = _mapping(statement.get("context"))
        extensions = _mapping(context.get("extensions"))
        success = result.get("success")
        yield [
            str(number),
            _one_line(verb.get("id")),
            _one_line(identifier),
            _one_line(email),
            _one_line(target.get("id")),
            _day(statement.get("timestamp") or statement.get("stored")),
            "" if not isinstance(success, bool) else ("true" if success else "false"),
            _percent(result),
            _one_line(extensions.get(SCHOOL_EXTENSION)),
        ]


def _mapping(value: object) -> dict:
    """A JSON object of the statement, or an empty one when it is missing or not an object."""
    return value if isinstance(value, dict) else {}


XAPI_FIELDS = (
    *COMPLETION_FIELDS,
    FieldSpec("statement", gettext_lazy("Statement number"), type="integer", kept=CHECKED),
)


class XapiImporter(CompletionImporter):
    target = TARGET
    label = gettext_lazy("Course completions from xAPI statements (JSON)")
    fields = XAPI_FIELDS
    default_system = "xapi"

    @classmethod
    def unpack(cls, source, *, filename: str):
        name = filename or os.path.basename(getattr(source, "name", "") or str(source))
        statements = statements_of(_read(source), name)
        if not statements:
            raise ImportFileError(_("the file holds no statements"), filename=name)
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(statement_rows(statements, name))
        table = io.BytesIO(buffer.getvalue().encode("utf-8"))
        return table, name, {"filename": name, "job_id": job_for_source(source), "statements": len(statements)}

    def plan(self, rows: Iterable[ParsedRow]) -> Plan:
        return super().plan(_renumbered(rows))


def _renumbered(rows: Iterable[ParsedRow]) -> Iterable[ParsedRow]:
    """Rows whose line is the statement's number (the table has its header on line 1)."""
    for row in rows:
        line = row.line - 1
        row.errors = [dataclasses.replace(error, line=line) for error in row.errors]
        row.line = line
        yield row


def import_xapi(*, actor, file, filename: str, dry_run: bool = False) -> dict:
    """Import the xAPI statements in ``file`` as completions; the engine's summary (created, updated,
    unchanged, rejected, and filtered: the statements with other verbs). Raises ImportFileError or
    ImportRejected (nothing written) and PermissionDenied."""
    result = run_import(target=TARGET, source=file, profile=PROFILE, actor=actor, filename=filename, dry_run=dry_run)
    return result.summary()


def register() -> None:
    register_profile_dir(TARGET, PROFILE_DIR / TARGET)
    register_importer(XapiImporter)
