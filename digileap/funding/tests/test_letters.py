# ruff: noqa: F811 (the review fixtures are imported from review_fixtures and used as arguments)
"""Decision letters: the German default (Zuwendungsbescheid), the call's own template, amounts
and dates in the letter's language, the stored file and its SHA-256."""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.utils import timezone

from .. import letters
from ..models import Decision, LetterTemplate
from ..services import review as review_services
from ..services.review import LinePlan
from .review_fixtures import in_review, lines_of  # noqa: F401

pytestmark = pytest.mark.django_db


def unsaved_decision(application, *, language="de", outcome="partly_approved", reason="", conditions=""):
    lines = list(application.cost_lines.order_by("position"))
    plans = [
        LinePlan(lines[0], Decimal("9000.00"), Decimal("9000.00"), ""),
        LinePlan(lines[1], Decimal("4500.00"), Decimal("3600.00"), "Vier Displays genügen."),
    ]
    decision = Decision(
        application=application,
        number=1,
        outcome=outcome,
        conditions=conditions,
        reason=reason,
        requested_total=Decimal("13500.00"),
        approved_total=Decimal("12600.00"),
        language=language,
        decided_at=timezone.make_aware(datetime.datetime(2026, 12, 7, 10, 0)),
    )
    return decision, plans


def test_the_german_default_is_a_zuwendungsbescheid(in_review, mv_call, world):
    decision, plans = unsaved_decision(in_review, conditions="Beschaffung über den Rahmenvertrag.")
    html = letters.render_html(decision, plans)
    for text in (
        "<h1>Zuwendungsbescheid</h1>",
        "INSIDE authority",
        "INSIDE operator",
        "DigitalPakt 2026",
        f"DP-2026 / {world.operator.code} / 1",
        f"DP-2026-{world.operator.code}-1",
        "7. Dezember 2026",
        "9.000,00",
        "3.600,00",
        "12.600,00",
        "13.500,00",
        "15.000,00",  # eligible costs
        "Der Eigenanteil (Kofinanzierung) von 1.500,00 EUR (10 %) wird getragen durch: das Land.",
        "Vier Displays genügen.",
        "Nebenbestimmungen: Beschaffung über den Rahmenvertrag.",
        "Rechtsbehelfsbelehrung: Gegen diesen Bescheid kann innerhalb eines Monats",
        "30. Juni 2028",
        "Vernetzung und WLAN",
        "teilweise bewilligt",
        '<th class="num">Bewilligt</th>',
    ):
        assert text in html, text
    assert "http" not in html.split("<body>")[1]


def test_english_amounts_and_dates(in_review):
    decision, plans = unsaved_decision(in_review, language="en")
    html = letters.render_html(decision, plans)
    assert "<h1>Funding decision</h1>" in html
    assert "7 December 2026" in html
    assert "EUR 12,600.00" in html
    assert "is paid by the state" in html


def test_every_language_has_a_default_for_both_outcomes():
    for language in ("en", "de", "nl", "fr", "lv"):
        for rejected in (False, True):
            body = letters.default_body(language, rejected=rejected)
            assert review_services.placeholder_errors(body) == []
            assert "{lines}" in body and "{authority}" in body
        assert set(letters.LETTER_WORDS[language]) == set(letters.LETTER_WORDS["en"])


def test_the_calls_template_wins_and_the_table_follows_the_text(in_review, mv_call):
    LetterTemplate.objects.create(call=mv_call, language="de", body="Bescheid für {operator}: {approved_total} EUR.")
    decision, plans = unsaved_decision(in_review)
    html = letters.render_html(decision, plans)
    assert "<p>Bescheid für INSIDE operator: 12.600,00 EUR.</p>" in html
    assert html.index("Bescheid für") < html.index('<table class="lines">')
    assert "Rechtsbehelfsbelehrung" not in html


def test_the_letter_is_stored_with_its_hash(in_review, funding_admin):
    review_services.conflict_declare(actor=funding_admin, application=in_review, has_conflict=False)
    decision = review_services.application_decide(
        actor=funding_admin, application=in_review, lines=lines_of(in_review, p2=("3600.00", "Vier genügen."))
    )
    content = decision.letter.read()
    assert content.startswith(b"%PDF-")
    assert decision.letter_sha256 == hashlib.sha256(content).hexdigest()
    assert decision.letter.name.endswith(f"decision-DP-2026-{in_review.operator.code}-1-1.pdf")


def test_a_rejection_letter(in_review):
    decision, plans = unsaved_decision(in_review, outcome="rejected", reason="Kein Medienbildungskonzept.")
    plans = [LinePlan(plan.cost_line, plan.requested, Decimal("0.00"), decision.reason) for plan in plans]
    html = letters.render_html(decision, plans)
    assert "wird abgelehnt." in html
    assert "Begründung: Kein Medienbildungskonzept." in html
    assert "Förderkennzeichen" not in html
