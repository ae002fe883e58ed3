"""Writes to calls: the call itself, the operators that may apply, cost categories and required documents.

Programme owners and funding administrators of the programme's authority make them (grants in
``permissions.py``); every write checks ``authorize`` and records an audit event
(``core.services.create_audited``/``update_audited``).
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, authorize
from digileap.core.services import create_audited, update_audited
from digileap.programmes.models import FundingSource, Programme

from ..entitlements import DefinitionError, parse_definition
from ..models import Call, CallEligibility, CostCategory, RequiredDocument
from ..rules import percent

CALL_FIELDS = (
    "code",
    "title",
    "opens_at",
    "closes_at",
    "cofinancing_rate",
    "cofinancing_payer",
    "uses_entitlements",
    "entitlement_definition",
    "decision_deadline",
    "claim_deadline",
    "proof_of_use_deadline",
)
CATEGORY_FIELDS = (
    "code",
    "name",
    "position",
    "funding_rate",
    "cap_absolute",
    "cap_per_school",
    "cap_per_pupil",
    "cap_share_of_application",
    "cap_share_of_entitlement",
)
DOCUMENT_FIELDS = ("code", "scope", "name", "template", "validity_months", "position")


def _decimal_or_none(value) -> Decimal | None:
    """A number typed as text or a number; None when it is not one (``full_clean`` then names it)."""
    try:
        return Decimal(str(value)) if value is not None and value != "" else None
    except InvalidOperation:
        return None


def _check_call(call: Call) -> None:
    errors: dict[str, list[str]] = {}
    if call.funding_source_id is not None and call.funding_source.programme_id != call.programme_id:
        errors["funding_source"] = [_("The funding source must be one of the programme's.")]
    if not any(text.strip() for text in (call.title or {}).values() if isinstance(text, str)):
        errors["title"] = [_("Give the call a title in at least one language.")]
    if call.entitlement_definition:
        try:
            parse_definition(call.entitlement_definition)
        except DefinitionError as error:
            errors["entitlement_definition"] = [str(error)]
    if call.opens_at and call.closes_at and call.closes_at <= call.opens_at:
        errors["closes_at"] = [_("The call must close after it opens.")]
    cofinancing = _decimal_or_none(call.cofinancing_rate)
    if call.pk is not None and cofinancing is not None:
        # The categories' funding rates must still leave the co-financing.
        too_high = [
            category.display_name
            for category in call.cost_categories.all()
            if category.funding_rate + cofinancing > 100
        ]
        if too_high:
            errors["cofinancing_rate"] = [
                _("With this co-financing these categories would fund more than 100 %%: %(names)s")
                % {"names": ", ".join(too_high)}
            ]
    if errors:
        raise ValidationError(errors)


def call_create(*, actor, programme: Programme, funding_source: FundingSource, data: dict[str, Any]) -> Call:
    """A new call of ``programme`` under ``funding_source`` (one of the programme's)."""
    return create_audited(
        actor=actor,
        instance=Call(programme=programme, funding_source=funding_source),
        data=data,
        allowed=CALL_FIELDS,
        check=_check_call,
    )


def call_update(*, actor, call: Call, data: dict[str, Any]) -> Call:
    return update_audited(
        actor=actor, instance=call, data=data, allowed=(*CALL_FIELDS, "funding_source"), check=_check_call
    )


@transaction.atomic
def call_operators_set(*, actor, call: Call, operators) -> list[CallEligibility]:
    """Exactly ``operators`` may apply to ``call``: missing ones are added, others removed (unless
    they have applied). Operators must belong to the programme's authority."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    authorize(actor, Action.CHANGE, call)
    wanted = {operator.pk: operator for operator in operators}
    outside = sorted(
        operator.name for operator in wanted.values() if operator.authority_id != call.programme.authority_id
    )
    if outside:
        raise ValidationError(
            {
                "operators": [
                    _("These operators are not of the programme's authority: %(names)s") % {"names": ", ".join(outside)}
                ]
            }
        )
    current = {row.operator_id: row for row in call.eligibilities.all()}
    removed = [row for operator_id, row in current.items() if operator_id not in wanted]
    applied = sorted(
        row.operator.name for row in removed if call.applications.filter(operator_id=row.operator_id).exists()
    )
    if applied:
        raise ValidationError(
            {
                "operators": [
                    _("These operators have applied and stay in the call: %(names)s") % {"names": ", ".join(applied)}
                ]
            }
        )
    added = [
        CallEligibility(call=call, operator=wanted[operator_id]) for operator_id in wanted if operator_id not in current
    ]
    CallEligibility.objects.bulk_create(added)
    CallEligibility.objects.filter(pk__in=[row.pk for row in removed]).delete()
    if added or removed:
        audit.record(
            actor=actor,
            action="update",
            instance=call,
            before={"operators": sorted(current)},
            after={"operators": sorted(wanted)},
        )
    return list(call.eligibilities.select_related("operator"))


def _check_category(category: CostCategory) -> None:
    rate = _decimal_or_none(category.funding_rate)
    if rate is not None and rate + category.call.cofinancing_rate > 100:
        raise ValidationError(
            {
                "funding_rate": [
                    _("The funding rate and the call's co-financing of %(rate)s add up to more than 100 %%.")
                    % {"rate": percent(category.call.cofinancing_rate)}
                ]
            }
        )


def cost_category_create(*, actor, call: Call, data: dict[str, Any]) -> CostCategory:
    return create_audited(
        actor=actor, instance=CostCategory(call=call), data=data, allowed=CATEGORY_FIELDS, check=_check_category
    )


def cost_category_update(*, actor, category: CostCategory, data: dict[str, Any]) -> CostCategory:
    if "code" in data and data["code"] != category.code and category.cost_lines.exists():
        raise ValidationError({"code": [_("Cost lines use this category: its code cannot change.")]})
    return update_audited(actor=actor, instance=category, data=data, allowed=CATEGORY_FIELDS, check=_check_category)


def required_document_create(*, actor, call: Call, data: dict[str, Any]) -> RequiredDocument:
    return create_audited(actor=actor, instance=RequiredDocument(call=call), data=data, allowed=DOCUMENT_FIELDS)


def required_document_update(*, actor, document: RequiredDocument, data: dict[str, Any]) -> RequiredDocument:
    return update_audited(actor=actor, instance=document, data=data, allowed=DOCUMENT_FIELDS)


@transaction.atomic
def call_configure(*, actor, call: Call, example: dict[str, Any]) -> Call:
    """Set a call up from an example file such as docs/funding-examples/mv-digitalpakt.json: its
    entitlement rule, co-financing, cost categories and required documents."""
    data: dict[str, Any] = {}
    if "entitlements" in example:
        data["entitlement_definition"] = example["entitlements"]
    if "cofinancing" in example:
        data["cofinancing_rate"] = Decimal(str(example["cofinancing"]["rate"]))
        data["cofinancing_payer"] = example["cofinancing"]["payer"]
    if data:
        call = call_update(actor=actor, call=call, data=data)
    for position, category in enumerate(example.get("cost_categories", []), start=1):
        values = {
            key: Decimal(str(value)) if key.startswith(("cap_", "funding_rate")) else value
            for key, value in category.items()
        }
        cost_category_create(actor=actor, call=call, data={"position": position, **values})
    for position, document in enumerate(example.get("required_documents", []), start=1):
        required_document_create(actor=actor, call=call, data={"position": position, **document})
    return call
