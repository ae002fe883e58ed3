"""Writes to applications: draft, schools, cost lines, documents, submission and the state machine.

Who: operator staff of the application's operator draft, edit, submit, resubmit and withdraw (they
need ``change`` on the application). The authority's states (formal check, more information,
review, decisions) need ``change`` on the application's **call**, which programme owners and
funding administrators of the call's authority hold. The administrator may do both.

Every cost line is checked on entry (``rules.check``): an entry that brings a new problem is refused
with the messages, which name the line and the rule, and nothing is written. Submitting checks every
rule, the documents too, freezes an ``ApplicationVersion`` (canonical JSON and its SHA-256) and
moves the state. Each change of state appends an ``ApplicationEvent`` and an audit event; a
transition ``TRANSITIONS`` does not allow is refused and writes nothing.
"""

import dataclasses
import datetime
import hashlib
import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.audit import _actor_fields
from digileap.core.permissions import Action, authorize, permits
from digileap.core.uploads import check_upload
from digileap.schools.models import School, SchoolOperator

from .. import rules
from ..models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationSchool,
    ApplicationState,
    ApplicationVersion,
    Call,
    CallEligibility,
    CostCategory,
    CostLine,
    RequiredDocument,
)
from ..selectors.applications import applied_elsewhere
from ..selectors.calls import published_entitlement

S = ApplicationState

# Which states may follow each state.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.FORMAL_CHECK, S.WITHDRAWN}),
    S.FORMAL_CHECK: frozenset({S.MORE_INFORMATION, S.REVIEW, S.REJECTED, S.WITHDRAWN}),
    S.MORE_INFORMATION: frozenset({S.RESUBMITTED, S.WITHDRAWN}),
    S.RESUBMITTED: frozenset({S.FORMAL_CHECK, S.REVIEW, S.MORE_INFORMATION, S.WITHDRAWN}),
    S.REVIEW: frozenset({S.MORE_INFORMATION, S.APPROVED, S.PARTLY_APPROVED, S.REJECTED, S.WITHDRAWN}),
    S.APPROVED: frozenset(),
    S.PARTLY_APPROVED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
# The states the operator moves an application into; the authority moves it into the others.
OPERATOR_STATES = frozenset({S.SUBMITTED, S.RESUBMITTED, S.WITHDRAWN})
# Reached only through ``application_submit``, which freezes a version.
SUBMISSION_STATES = frozenset({S.SUBMITTED, S.RESUBMITTED})
# The states in which the operator may change the application.
EDITABLE_STATES = frozenset({S.DRAFT, S.MORE_INFORMATION})
# Moving into these needs a reason.
REASON_REQUIRED = frozenset({S.MORE_INFORMATION, S.PARTLY_APPROVED, S.REJECTED, S.WITHDRAWN})
LINE_FIELDS = ("category", "school", "description", "quantity", "unit_price")


def allowed_next(state: str) -> list[str]:
    following = TRANSITIONS.get(state, frozenset())
    return [value for value in S.values if value in following]


def check_transition(current: str, new: str) -> None:
    if new not in S.values:
        raise ValidationError({"state": [_("Unknown state %(state)r.") % {"state": new}]})
    if new not in TRANSITIONS.get(current, frozenset()):
        raise ValidationError(
            {
                "state": [
                    _("An application that is %(current)s cannot become %(new)s.")
                    % {"current": S(current).label.lower(), "new": S(new).label.lower()}
                ]
            }
        )


def _user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("call", "operator").get(pk=application.pk)


def _authorize_operator_side(actor, application: Application) -> None:
    authorize(actor, Action.CHANGE, application)


def _authorize_authority_side(actor, application: Application) -> None:
    if not permits(actor, Action.CHANGE, application.call):
        raise PermissionDenied("the authority's states of an application need change on its call")


def _require_editable(application: Application) -> None:
    if application.state not in EDITABLE_STATES:
        raise ValidationError(
            _("The application is %(state)s: it can only be changed as a draft or when more information is requested.")
            % {"state": S(application.state).label.lower()}
        )


def _append_event(*, application: Application, new: str, actor, reason: str, version=None) -> ApplicationEvent:
    actor_id, actor_label = _actor_fields(actor)
    return ApplicationEvent.objects.create(
        application=application,
        from_state=application.state,
        to_state=new,
        actor_id=actor_id,
        actor_label=actor_label,
        occurred_at=timezone.now(),
        reason=reason,
        version=version,
    )


def _move(*, application: Application, new: str, actor, reason: str, version=None) -> ApplicationEvent:
    """Validate, append the event, set the state, audit. ``application`` is locked by the caller."""
    check_transition(application.state, new)
    reason = (reason or "").strip()
    if new in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": [_("Give a reason.")]})
    event = _append_event(application=application, new=new, actor=actor, reason=reason, version=version)
    before = application.state
    application.state = new
    application.save(update_fields=["state", "updated_at"])
    audit.record(actor=actor, action="update", instance=application, before={"state": before}, after={"state": new})
    return event


# Drafting.


@transaction.atomic
def application_draft(
    *,
    actor,
    call: Call,
    operator: SchoolOperator,
    schools: list[School] | None = None,
    title: str = "",
    rollout_year: int | None = None,
) -> Application:
    """A new draft of ``operator`` in ``call`` for ``schools`` (default: all its open schools), with
    the registry's pupils. The operator must be one of the call's and the call open."""
    # Locking the operator's place in the call numbers its applications one after the other.
    listing = CallEligibility.objects.select_for_update().filter(call=call, operator=operator).first()
    application = Application(call=call, operator=operator, title=title[:200], rollout_year=rollout_year)
    authorize(actor, Action.ADD, application)
    if listing is None:
        raise ValidationError(
            {"operator": [_("%(operator)s may not apply to this call.") % {"operator": operator.name}]}
        )
    if not call.is_open_at(timezone.now()):
        raise ValidationError(_("The call is not open (rule: call open)."))
    if schools is None:
        schools = list(School.objects.filter(operator=operator, status=School.Status.OPEN).order_by("name", "id"))
    _check_schools(operator, schools)
    number = (Application.objects.filter(call=call, operator=operator).aggregate(last=Max("number"))["last"] or 0) + 1
    application.number = number
    application.created_by = _user_or_none(actor)
    application.full_clean()
    application.save()
    ApplicationSchool.objects.bulk_create(
        [
            ApplicationSchool(application=application, school=school, pupils=school.pupils_total or 0)
            for school in schools
        ]
    )
    actor_id, actor_label = _actor_fields(actor)
    ApplicationEvent.objects.create(
        application=application,
        from_state="",
        to_state=S.DRAFT,
        actor_id=actor_id,
        actor_label=actor_label,
        occurred_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action="create",
        instance=application,
        after={**audit.snapshot(application), "schools": sorted(school.pk for school in schools)},
    )
    return application


def _check_schools(operator: SchoolOperator, schools: list[School]) -> None:
    foreign = sorted(school.name for school in schools if school.operator_id != operator.pk)
    if foreign:
        raise ValidationError(
            {"schools": [_("These schools are not the operator's: %(names)s") % {"names": ", ".join(foreign)}]}
        )
    if not schools:
        raise ValidationError({"schools": [_("Choose at least one school.")]})


@transaction.atomic
def application_update(*, actor, application: Application, data: dict[str, Any]) -> Application:
    """Change a draft's title, roll-out year, or schools (``schools``: the full list). A school that
    a cost line names cannot be taken out."""
    application = _lock(application)
    _authorize_operator_side(actor, application)
    _require_editable(application)
    unknown = set(data) - {"title", "rollout_year", "schools"}
    if unknown:
        raise ValidationError(_("These fields cannot be set here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    before = {**audit.snapshot(application, ["title", "rollout_year"]), "schools": _school_ids(application)}
    for name in ("title", "rollout_year"):
        if name in data:
            setattr(application, name, data[name])
    application.full_clean()
    application.save()
    if "schools" in data:
        schools = list(data["schools"])
        _check_schools(application.operator, schools)
        wanted = {school.pk: school for school in schools}
        used = set(application.cost_lines.exclude(school=None).values_list("school_id", flat=True))
        kept_out = sorted(School.objects.filter(pk__in=used - set(wanted)).values_list("name", flat=True))
        if kept_out:
            raise ValidationError(
                {"schools": [_("Cost lines name these schools: %(names)s") % {"names": ", ".join(kept_out)}]}
            )
        application.application_schools.exclude(school_id__in=wanted).delete()
        current = set(application.application_schools.values_list("school_id", flat=True))
        ApplicationSchool.objects.bulk_create(
            [
                ApplicationSchool(application=application, school=school, pupils=school.pupils_total or 0)
                for school_id, school in wanted.items()
                if school_id not in current
            ]
        )
    after = {**audit.snapshot(application, ["title", "rollout_year"]), "schools": _school_ids(application)}
    changed_before, changed_after = audit.changed_fields(before, after)
    if changed_after:
        audit.record(actor=actor, action="update", instance=application, before=changed_before, after=changed_after)
    return application


def _school_ids(application: Application) -> list[int]:
    return sorted(application.application_schools.values_list("school_id", flat=True))


# Checking.


def load_terms(call: Call) -> rules.Terms:
    categories = {
        category.code: rules.Category(
            code=category.code,
            name=category.display_name,
            funding_rate=category.funding_rate,
            cap_absolute=category.cap_absolute,
            cap_per_school=category.cap_per_school,
            cap_per_pupil=category.cap_per_pupil,
            cap_share_of_application=category.cap_share_of_application,
            cap_share_of_entitlement=category.cap_share_of_entitlement,
        )
        for category in call.cost_categories.all()
    }
    requirements = tuple(
        rules.Requirement(
            code=document.code,
            name=document.display_name,
            scope=document.scope,
            validity_months=document.validity_months,
        )
        for document in call.required_documents.all()
    )
    return rules.Terms(
        opens_at=call.opens_at,
        closes_at=call.closes_at,
        cofinancing_rate=call.cofinancing_rate,
        categories=categories,
        requirements=requirements,
        uses_entitlements=call.uses_entitlements,
    )


# A stored line as ``_stored_lines`` reads it: the rules' fields, then the stored amount and funding.
LINE_COLUMNS = ("position", "category__code", "school_id", "description", "quantity", "unit_price")


def _stored_lines(application: Application) -> list[rules.Line]:
    """The application's lines as the rules read them: one query of plain rows, no model instances."""
    return [rules.Line(*row) for row in application.cost_lines.order_by().values_list(*LINE_COLUMNS)]


def _draft_base(application: Application) -> rules.Draft:
    """The application without lines: its schools, the entitlement, what the operator applied for
    elsewhere and the uploads; each read with one query of plain rows."""
    schools = {
        school_id: rules.School(name=name, pupils=pupils)
        for school_id, name, pupils in application.application_schools.order_by().values_list(
            "school_id", "school__name", "pupils"
        )
    }
    entitlement = published_entitlement(application.call, application.operator_id)
    uploads = tuple(
        rules.Upload(requirement=code, school=school_id, issued_on=issued_on)
        for code, school_id, issued_on in application.documents.order_by("id").values_list(
            "required_document__code", "school_id", "issued_on"
        )
    )
    return rules.Draft(
        schools=schools,
        lines=(),
        entitlement=entitlement.amount if entitlement else None,
        applied_elsewhere=applied_elsewhere(application.call, application.operator_id, exclude=application.pk),
        uploads=uploads,
    )


def load_draft(application: Application, lines: list[rules.Line] | None = None) -> rules.Draft:
    """The application as the rules read it; ``lines`` replaces its stored lines (an entry being checked)."""
    if lines is None:
        lines = _stored_lines(application)
    return dataclasses.replace(_draft_base(application), lines=tuple(lines))


def application_check(
    application: Application, *, at: datetime.datetime | None = None, submission: bool = True
) -> rules.Result:
    """Every rule on the stored application (with the documents unless ``submission`` is False)."""
    return rules.check(
        load_terms(application.call), load_draft(application), at=at or timezone.now(), submission=submission
    )


def _problem_key(problem: rules.Problem) -> tuple:
    return (problem.rule, problem.line, problem.field)


def _refuse_new_problems(before: rules.Result, after: rules.Result, entered: int) -> None:
    """Raise with the problems of the line ``entered`` and those the entry brought to other lines."""
    known = {_problem_key(problem) for problem in before.problems}
    new = [problem for problem in after.problems if problem.line == entered or _problem_key(problem) not in known]
    if not new:
        return
    errors: dict[str, list[str]] = {}
    for problem in new:
        errors.setdefault(problem.field or "__all__", []).append(problem.message)
    raise ValidationError(errors)


# Cost lines.


def _category(call: Call, value) -> CostCategory:
    category_id = value.pk if isinstance(value, CostCategory) else value
    category = CostCategory.objects.filter(call=call, pk=category_id).first() if category_id not in (None, "") else None
    if category is None:
        raise ValidationError({"category": [_("Choose a cost category of this call.")]})
    return category


def _school(value) -> School | None:
    if value in (None, ""):
        return None
    school_id = value.pk if isinstance(value, School) else value
    school = School.objects.filter(pk=school_id).first()
    if school is None:
        raise ValidationError({"school": [_("Choose one of the application's schools, or none for the operator.")]})
    return school


def _entry(application: Application, data: dict[str, Any], *, existing: CostLine | None = None):
    """The typed line as the rules read it, its category and school; unknown fields are refused."""
    unknown = set(data) - set(LINE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be set here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    values = {name: getattr(existing, name) for name in LINE_FIELDS} if existing else {}
    values.update(data)
    category = _category(application.call, values.get("category"))
    school = _school(values.get("school"))
    description = str(values.get("description") or "").strip()
    if not description:
        raise ValidationError({"description": [_("Describe the cost.")]})
    position = (
        existing.position if existing else (application.cost_lines.aggregate(last=Max("position"))["last"] or 0) + 1
    )
    line = rules.Line(
        position,
        category.code,
        school.pk if school else None,
        description[:300],
        values.get("quantity"),
        values.get("unit_price"),
    )
    return line, category, school


def _checked_entry(application: Application, line: rules.Line, *, replacing: int | None) -> rules.Figures:
    """Check the application with ``line`` added (or in place of line ``replacing``); refuse what
    the entry newly breaks. Returns the line's figures."""
    terms = load_terms(application.call)
    stored = _stored_lines(application)
    base = _draft_base(application)  # read once: only the lines differ between before and after
    now = timezone.now()
    before = rules.check(terms, dataclasses.replace(base, lines=tuple(stored)), at=now)
    proposed = [row for row in stored if row.position != replacing] + [line]
    after = rules.check(terms, dataclasses.replace(base, lines=tuple(proposed)), at=now)
    # The call closed, or no entitlement: refused whatever was there before.
    blocking = [problem for problem in after.problems if problem.line is None]
    if blocking:
        raise ValidationError({"__all__": [problem.message for problem in blocking]})
    _refuse_new_problems(before, after, line.position)
    return after.figures[line.position]


@transaction.atomic
def cost_line_add(*, actor, application: Application, data: dict[str, Any]) -> CostLine:
    """Add a cost line: ``category`` (a category of the call, or its id), ``school`` (one of the
    application's, its id, or None for the operator), ``description``, ``quantity``, ``unit_price``."""
    application = _lock(application)
    _authorize_operator_side(actor, application)
    _require_editable(application)
    line, category, school = _entry(application, data)
    authorize(actor, Action.ADD, CostLine(application=application, category=category))
    figures = _checked_entry(application, line, replacing=None)
    row = CostLine(
        application=application,
        position=line.position,
        category=category,
        school=school,
        description=line.description,
        quantity=Decimal(str(line.quantity)),
        unit_price=Decimal(str(line.unit_price)),
        amount=figures.amount,
        funding=figures.funding,
    )
    row.full_clean()
    row.save()
    audit.record(actor=actor, action="create", instance=row, after=audit.snapshot(row))
    return row


@transaction.atomic
def cost_line_update(*, actor, line: CostLine, data: dict[str, Any]) -> CostLine:
    application = _lock(line.application)
    _authorize_operator_side(actor, application)
    _require_editable(application)
    row = CostLine.objects.select_for_update().select_related("category").get(pk=line.pk)
    authorize(actor, Action.CHANGE, row)
    before = audit.snapshot(row)
    typed, category, school = _entry(application, data, existing=row)
    figures = _checked_entry(application, typed, replacing=row.position)
    row.category, row.school, row.description = category, school, typed.description
    row.quantity, row.unit_price = Decimal(str(typed.quantity)), Decimal(str(typed.unit_price))
    row.amount, row.funding = figures.amount, figures.funding
    row.full_clean()
    row.save()
    changed_before, changed_after = audit.changed_fields(before, audit.snapshot(row))
    if changed_after:
        audit.record(actor=actor, action="update", instance=row, before=changed_before, after=changed_after)
    return row


@transaction.atomic
def cost_line_delete(*, actor, line: CostLine) -> None:
    application = _lock(line.application)
    _authorize_operator_side(actor, application)
    _require_editable(application)
    row = CostLine.objects.select_for_update().get(pk=line.pk)
    authorize(actor, Action.DELETE, row)
    before = audit.snapshot(row)
    row.delete()
    audit.record(actor=actor, action="delete", instance=line, before=before)


# Documents.


@transaction.atomic
def application_document_add(
    *,
    actor,
    application: Application,
    required_document: RequiredDocument,
    file,
    issued_on: datetime.date,
    school: School | None = None,
) -> ApplicationDocument:
    """Upload a document the call requires: for a school of the application (school documents), or
    for the operator or the application. The content must be a PDF, an image or an office file."""
    application = _lock(application)
    _authorize_operator_side(actor, application)
    _require_editable(application)
    if required_document.call_id != application.call_id:
        raise ValidationError({"required_document": [_("Choose a document this call requires.")]})
    if required_document.scope == RequiredDocument.Scope.SCHOOL:
        if school is None or not application.application_schools.filter(school=school).exists():
            raise ValidationError({"school": [_("Choose one of the application's schools.")]})
    elif school is not None:
        raise ValidationError({"school": [_("This document is not per school.")]})
    if not isinstance(issued_on, datetime.date):
        raise ValidationError({"issued_on": [_("Give the date the document was issued.")]})
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": [_("The date cannot be in the future.")]})
    kind = check_upload(file, field="file")
    file.seek(0)
    content = file.read()
    file.seek(0)
    digest = hashlib.sha256(content).hexdigest()
    name = (getattr(file, "name", "") or "document").rsplit("/", 1)[-1][:255]
    document = ApplicationDocument(
        application=application,
        required_document=required_document,
        school=school,
        original_filename=name,
        content_type=kind.content_type,
        size_bytes=len(content),
        sha256=digest,
        issued_on=issued_on,
        uploaded_by=_user_or_none(actor),
    )
    authorize(actor, Action.ADD, document)
    document.file.save(f"{digest[:16]}-{name}", ContentFile(content), save=False)
    document.save()
    audit.record(actor=actor, action="create", instance=document, after=audit.snapshot(document))
    return document


# Submission and versions.


def canonical_json(content: dict) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same content gives the same bytes, and so the same hash."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_sha256(content: dict) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def frozen_content(
    application: Application, result: rules.Result, number: int, lines: list[tuple] | None = None
) -> dict:
    """What a version keeps: the application, its schools, lines with their figures, documents and totals.

    ``lines``: the stored lines as ``_line_rows`` reads them, if the caller has them already."""
    schools = sorted(
        application.application_schools.order_by().values_list("school__number", "school_id", "school__name", "pupils")
    )
    if lines is None:
        lines = _line_rows(application)
    documents = application.documents.order_by("id").values_list(
        "required_document__code", "school_id", "original_filename", "sha256", "issued_on"
    )
    return {
        "application": {
            "id": application.pk,
            "call": application.call.code,
            "operator": {
                "id": application.operator_id,
                "code": application.operator.code,
                "name": application.operator.name,
            },
            "number": application.number,
            "title": application.title,
            "rollout_year": application.rollout_year,
        },
        "version": number,
        "schools": [
            {"id": school_id, "number": school_number, "name": name, "pupils": pupils}
            for school_number, school_id, name, pupils in schools
        ],
        "lines": [
            {
                "position": position,
                "category": category,
                "school": school_id,
                "description": description,
                "quantity": str(quantity),
                "unit_price": str(unit_price),
                "amount": str(amount),
                "funding": str(funding),
                "cofinancing": str(amount - funding),
            }
            for position, category, school_id, description, quantity, unit_price, amount, funding in lines
        ],
        "documents": [
            {
                "requirement": code,
                "school": school_id,
                "file": filename,
                "sha256": sha256,
                "issued_on": issued_on.isoformat(),
            }
            for code, school_id, filename, sha256, issued_on in documents
        ],
        "totals": {
            "amount": str(result.total_amount),
            "funding": str(result.total_funding),
            "cofinancing": str(result.total_cofinancing),
        },
    }


def _line_rows(application: Application) -> list[tuple]:
    """The stored lines in position order: the rules' fields (``LINE_COLUMNS``), then amount and funding."""
    return list(application.cost_lines.order_by("position").values_list(*LINE_COLUMNS, "amount", "funding"))


@transaction.atomic
def application_submit(
    *, actor, application: Application, declarations_confirmed: bool, reason: str = ""
) -> ApplicationVersion:
    """Check every rule, freeze a version and move a draft to submitted (or an application asked for
    more information to resubmitted). Any problem refuses it, with every message, and writes nothing."""
    application = _lock(application)
    _authorize_operator_side(actor, application)
    new = S.SUBMITTED if application.state == S.DRAFT else S.RESUBMITTED
    check_transition(application.state, new)
    if not declarations_confirmed:
        raise ValidationError({"declarations_confirmed": [_("Confirm the declarations to submit.")]})
    # The lines are read once, for the rules and for the frozen version.
    rows = _line_rows(application)
    draft = dataclasses.replace(
        _draft_base(application), lines=tuple(rules.Line(*row[: len(LINE_COLUMNS)]) for row in rows)
    )
    result = rules.check(load_terms(application.call), draft, at=timezone.now(), submission=True)
    if not rows:
        raise ValidationError({"__all__": [_("Add at least one cost line.")]})
    if result.problems:
        raise ValidationError({"__all__": [problem.message for problem in result.problems]})
    number = (application.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    content = frozen_content(application, result, number, rows)
    now = timezone.now()
    version = ApplicationVersion.objects.create(
        application=application,
        number=number,
        content=content,
        sha256=content_sha256(content),
        created_by=_user_or_none(actor),
        created_at=now,
    )
    application.declarations_confirmed_at = now
    application.save(update_fields=["declarations_confirmed_at", "updated_at"])
    _move(application=application, new=new, actor=actor, reason=reason, version=version)
    return version


@transaction.atomic
def application_transition(*, actor, application: Application, state: str, reason: str = "") -> ApplicationEvent:
    """Move an application to ``state``: the operator withdraws; the authority takes it into formal
    check, asks for more information, reviews and decides. Submitting goes through ``application_submit``."""
    application = _lock(application)
    if state in SUBMISSION_STATES:
        raise ValidationError({"state": [_("Submit the application to freeze a version.")]})
    if state in OPERATOR_STATES:
        _authorize_operator_side(actor, application)
    else:
        _authorize_authority_side(actor, application)
    return _move(application=application, new=state, actor=actor, reason=reason)


def application_withdraw(*, actor, application: Application, reason: str) -> ApplicationEvent:
    """Withdraw an application before its decision."""
    return application_transition(actor=actor, application=application, state=S.WITHDRAWN, reason=reason)


def version_compare(older: ApplicationVersion, newer: ApplicationVersion) -> dict[str, list]:
    """The lines added, removed and changed between two versions of one application (by position)."""
    if older.application_id != newer.application_id:
        raise ValidationError(_("Compare versions of the same application."))
    before = {line["position"]: line for line in older.content.get("lines", [])}
    after = {line["position"]: line for line in newer.content.get("lines", [])}
    changed = []
    for position in sorted(before.keys() & after.keys()):
        fields = sorted(
            name
            for name in before[position].keys() | after[position].keys()
            if before[position].get(name) != after[position].get(name)
        )
        if fields:
            changed.append(
                {"position": position, "fields": fields, "before": before[position], "after": after[position]}
            )
    return {
        "added": [after[position] for position in sorted(after.keys() - before.keys())],
        "removed": [before[position] for position in sorted(before.keys() - after.keys())],
        "changed": changed,
    }
