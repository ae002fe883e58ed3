"""Decision letters (Zuwendungsbescheid) as PDF, with WeasyPrint.

The text comes from the call's ``LetterTemplate`` in the letter's language or, when the call has
none, from the shipped default (``templates/funding/letters/default_<language>_<kind>.txt``, kind
``approval`` or ``rejection``). Placeholders are written ``{name}`` (a brace itself ``{{``/``}}``);
the names are ``PLACEHOLDERS`` below (documented in docs/funding-review.md). A paragraph that is
exactly ``{lines}`` becomes the table of cost lines; without one, the table follows the text.

Amounts and dates are written in the letter's language (``12.345,67``, ``7. Dezember 2026``).
The letter's fixed words (headings of the table, "Total", the outcome) are shipped per language in
``LETTER_WORDS``, like the default texts: a letter is a legal document in one language, whatever
the interface language, and must not depend on the state of the translation catalogues.

As in devices/agreements_pdf.py: DejaVu fonts, inline CSS, and WeasyPrint fetches nothing (every
URL is refused).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from digileap.core.formatting import format_money, format_number
from digileap.devices.agreements_pdf import paragraphs, url_fetcher

from .models import Call, Decision, LetterTemplate

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "funding" / "letters"

PLACEHOLDERS = {
    "authority": "the call's authority (sender of the letter)",
    "programme": "the programme's name",
    "call": "the call's title",
    "call_code": "the call's code",
    "operator": "the applying school operator",
    "operator_code": "the operator's code",
    "application_number": "the application's number in the call",
    "application_title": "the application's title",
    "submitted_on": "the day the application was first submitted",
    "grant_number": "the grant's number (empty on a rejection)",
    "decision_number": "1 for the decision, 2, 3 ... for amendments",
    "date": "the day of the decision",
    "outcome": "approved, partly approved or rejected, in the letter's language",
    "cost_total": "the eligible costs of all lines (EUR)",
    "requested_total": "the funding requested (EUR)",
    "approved_total": "the funding approved (EUR)",
    "cofinancing": "the co-financing: eligible costs minus the funding requested (EUR)",
    "cofinancing_rate": "the call's co-financing rate (%)",
    "cofinancing_payer": "who pays the co-financing (the applicant or the state)",
    "conditions": "the conditions of the decision",
    "reason": "the reason (rejection, reductions, amendment)",
    "claim_deadline": "the call's deadline for claims",
    "proof_of_use_deadline": "the call's deadline for the proof of use",
    "lines": "alone on a paragraph: the table of cost lines",
}

LETTER_WORDS = {
    "en": {
        "title": "Funding decision",
        "title_amendment": "Amended funding decision no. %(number)s",
        "reference": "Reference",
        "grant": "Grant",
        "date": "Date",
        "line": "Line",
        "category": "Cost category",
        "school": "School",
        "operator_wide": "whole operator",
        "description": "Description",
        "cost": "Eligible cost",
        "requested": "Requested",
        "approved": "Approved",
        "reason": "Reason",
        "total": "Total",
        "page": "Page",
        "approved_outcome": "approved",
        "partly_approved_outcome": "partly approved",
        "rejected_outcome": "rejected",
        "applicant": "the applicant",
        "state": "the state",
        "none": "none",
    },
    "de": {
        "title": "Zuwendungsbescheid",
        "title_amendment": "Änderungsbescheid Nr. %(number)s zum Zuwendungsbescheid",
        "reference": "Aktenzeichen",
        "grant": "Förderkennzeichen",
        "date": "Datum",
        "line": "Pos.",
        "category": "Kostenart",
        "school": "Schule",
        "operator_wide": "Schulträger insgesamt",
        "description": "Beschreibung",
        "cost": "Zuwendungsfähige Ausgaben",
        "requested": "Beantragt",
        "approved": "Bewilligt",
        "reason": "Begründung",
        "total": "Summe",
        "page": "Seite",
        "approved_outcome": "bewilligt",
        "partly_approved_outcome": "teilweise bewilligt",
        "rejected_outcome": "abgelehnt",
        "applicant": "der Antragsteller",
        "state": "das Land",
        "none": "keine",
    },
    "nl": {
        "title": "Subsidiebeschikking",
        "title_amendment": "Gewijzigde subsidiebeschikking nr. %(number)s",
        "reference": "Kenmerk",
        "grant": "Subsidie",
        "date": "Datum",
        "line": "Regel",
        "category": "Kostensoort",
        "school": "School",
        "operator_wide": "hele schoolbestuur",
        "description": "Omschrijving",
        "cost": "Subsidiabele kosten",
        "requested": "Aangevraagd",
        "approved": "Toegekend",
        "reason": "Reden",
        "total": "Totaal",
        "page": "Pagina",
        "approved_outcome": "toegekend",
        "partly_approved_outcome": "gedeeltelijk toegekend",
        "rejected_outcome": "afgewezen",
        "applicant": "de aanvrager",
        "state": "de overheid",
        "none": "geen",
    },
    "fr": {
        "title": "Décision d'attribution de subvention",
        "title_amendment": "Décision modificative n° %(number)s",
        "reference": "Référence",
        "grant": "Subvention",
        "date": "Date",
        "line": "Ligne",
        "category": "Catégorie de coûts",
        "school": "École",
        "operator_wide": "pouvoir organisateur",
        "description": "Description",
        "cost": "Coût éligible",
        "requested": "Demandé",
        "approved": "Accordé",
        "reason": "Motif",
        "total": "Total",
        "page": "Page",
        "approved_outcome": "accordée",
        "partly_approved_outcome": "partiellement accordée",
        "rejected_outcome": "refusée",
        "applicant": "le demandeur",
        "state": "l'État",
        "none": "aucune",
    },
    "lv": {
        "title": "Lēmums par finansējuma piešķiršanu",
        "title_amendment": "Lēmuma grozījumi Nr. %(number)s",
        "reference": "Atsauce",
        "grant": "Finansējums",
        "date": "Datums",
        "line": "Rinda",
        "category": "Izmaksu kategorija",
        "school": "Skola",
        "operator_wide": "viss dibinātājs",
        "description": "Apraksts",
        "cost": "Attiecināmās izmaksas",
        "requested": "Pieprasīts",
        "approved": "Piešķirts",
        "reason": "Pamatojums",
        "total": "Kopā",
        "page": "Lapa",
        "approved_outcome": "piešķirts",
        "partly_approved_outcome": "piešķirts daļēji",
        "rejected_outcome": "noraidīts",
        "applicant": "pieteicējs",
        "state": "valsts",
        "none": "nav",
    },
}


def words(language: str) -> dict[str, str]:
    return LETTER_WORDS.get(language) or LETTER_WORDS["en"]


def default_body(language: str, *, rejected: bool) -> str:
    """The shipped default text of a letter in ``language`` (English when none is shipped)."""
    kind = "rejection" if rejected else "approval"
    for code in (language, "en"):
        path = TEMPLATE_DIR / f"default_{code}_{kind}.txt"
        if path.exists():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(f"no default decision letter for {language}")


def letter_body(call: Call, language: str, *, rejected: bool) -> str:
    template = LetterTemplate.objects.filter(call=call, language=language).first()
    return template.body if template is not None else default_body(language, rejected=rejected)


def fill(body: str, values: dict[str, str]) -> str:
    pieces = []
    for literal, name, _spec, _conversion in string.Formatter().parse(body):
        pieces.append(literal)
        if name is not None:
            pieces.append(str(values.get(name, "")))
    return "".join(pieces)


@dataclass
class LetterLine:
    position: int
    category: str
    school: str
    description: str
    cost: str
    requested: str
    approved: str
    reason: str
    is_reduced: bool


def _day(value, language: str) -> str:
    if value is None:
        return words(language)["none"]
    with translation.override(language):
        return formats.date_format(value, "DATE_FORMAT")


def letter_values(decision: Decision, plans) -> tuple[dict[str, str], list[LetterLine], dict[str, str]]:
    """The placeholders' values, the table's rows and its totals, in the decision's language."""
    from .services.grants import grant_number

    language = decision.language
    said = words(language)
    application = decision.application
    call = application.call
    with translation.override(language):
        cost_total = sum((plan.cost_line.amount for plan in plans), Decimal("0.00"))
        requested = sum((plan.requested for plan in plans), Decimal("0.00"))
        approved = sum((plan.approved for plan in plans), Decimal("0.00"))
        rows = [
            LetterLine(
                position=plan.cost_line.position,
                category=plan.cost_line.category.name.get(language)
                or plan.cost_line.category.name.get("en")
                or plan.cost_line.category.code,
                school=plan.cost_line.school.name if plan.cost_line.school_id else said["operator_wide"],
                description=plan.cost_line.description,
                cost=format_money(plan.cost_line.amount),
                requested=format_money(plan.requested),
                approved=format_money(plan.approved),
                reason=plan.reason if plan.is_reduced or decision.outcome == Decision.Outcome.REJECTED else "",
                is_reduced=plan.is_reduced,
            )
            for plan in plans
        ]
        first_submission = application.events.filter(to_state="submitted").order_by("occurred_at").first()
        values = {
            "authority": call.programme.authority.name,
            "programme": call.programme.name.get(language) or call.programme.display_name,
            "call": call.title.get(language) or call.display_title,
            "call_code": call.code,
            "operator": application.operator.name,
            "operator_code": application.operator.code,
            "application_number": str(application.number),
            "application_title": application.title,
            "submitted_on": _day(timezone.localdate(first_submission.occurred_at), language)
            if first_submission
            else said["none"],
            "grant_number": "" if decision.outcome == Decision.Outcome.REJECTED else grant_number(application),
            "decision_number": str(decision.number),
            "date": _day(timezone.localdate(decision.decided_at), language),
            "outcome": said[f"{decision.outcome}_outcome"],
            "cost_total": format_money(cost_total),
            "requested_total": format_money(requested),
            "approved_total": format_money(approved),
            "cofinancing": format_money(cost_total - requested),
            "cofinancing_rate": format_number(call.cofinancing_rate, -2),
            "cofinancing_payer": said[
                "state" if call.cofinancing_payer == Call.CofinancingPayer.STATE else "applicant"
            ],
            "conditions": decision.conditions or said["none"],
            "reason": decision.reason,
            "claim_deadline": _day(call.claim_deadline, language),
            "proof_of_use_deadline": _day(call.proof_of_use_deadline, language),
            "lines": "",
        }
        totals = {
            "cost": values["cost_total"],
            "requested": values["requested_total"],
            "approved": values["approved_total"],
        }
    return values, rows, totals


def render_html(decision: Decision, plans) -> str:
    values, rows, totals = letter_values(decision, plans)
    language = decision.language
    body = letter_body(decision.application.call, language, rejected=decision.outcome == Decision.Outcome.REJECTED)
    blocks: list[dict[str, object]] = []
    table_placed = False
    for paragraph in paragraphs(body):
        if paragraph == "{lines}":
            blocks.append({"table": True})
            table_placed = True
        else:
            blocks.append({"text": fill(paragraph, values)})
    if not table_placed:
        blocks.append({"table": True})
    said = words(language)
    title = said["title"] if decision.number == 1 else said["title_amendment"] % {"number": decision.number}
    return render_to_string(
        "funding/letters/letter.html",
        {
            "language": language,
            "title": title,
            "words": said,
            "values": values,
            "blocks": blocks,
            "rows": rows,
            "totals": totals,
            "moment": decision.decided_at.replace(microsecond=0).isoformat(),
        },
    )


def decision_letter_pdf(decision: Decision, plans) -> bytes:
    """The letter of an (unsaved) decision with its checked lines (``services.review.LinePlan``)."""
    from weasyprint import HTML

    return HTML(string=render_html(decision, plans), url_fetcher=url_fetcher()).write_pdf()
