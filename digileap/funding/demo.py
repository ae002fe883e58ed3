"""Demo funding for ``manage.py seed_demo``: a DigitalPakt call on the demo programme
(``programmes/demo.py``) of the demo registry's first region, where the demo users work, so that
each of them finds funding to look at or to do:

- the call ``NH-DP`` (MV's rule and categories, ``docs/funding-examples/mv-digitalpakt.json``,
  with the region's vocational schools, type ``BS``, at the vocational base), open from 150 days
  ago for 90 more days; four operators may apply (the demo operator's and three others); their
  entitlements computed and published; the demo funding administrator (``funding``) reviews it;
- the demo operator (``operator``) sees its entitlement, a **decided** application (partly
  approved: one line of displays reduced, with its German decision letter), its grant with a
  **paid claim** whose invoice lists laptops delivered to the coordinator's school (when the
  devices demo delivered some), the grant's **proof of use due** in 60 days, and a **draft**
  application for its other schools;
- the funding administrator finds applications **waiting**: one submitted (for the formal check)
  and one in review (checked by the installation, so the four-eyes rule lets them decide).

The installation (``SystemActor("seed_demo")``) does the authority's steps (it is not a person:
the declaration and four-eyes rules apply to people), the demo operator user its operator's steps.
The applications name no roll-out year, so the allocation demo's
adopted plan stays as it is. Dates run back from today (``_at`` sets the clock, as the seed scenarios do). Idempotent: when the
call exists nothing is written.
"""

import contextlib
import copy
import datetime
import json
from collections import Counter
from collections.abc import Iterator
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from digileap.core.pdf import pdf_file
from digileap.core.permissions import SystemActor

CALL_CODE = "NH-DP"
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "funding-examples" / "mv-digitalpakt.json"
VOCATIONAL_TYPE = "BS"  # the demo registry's "Berufliche Schule"
CENT = Decimal("0.01")
TITLES = {
    "en": "DigitalPakt Nordhafen: applications of the school operators",
    "de": "DigitalPakt Nordhafen: Anträge der Schulträger",
    "nl": "DigitalPakt Nordhafen: aanvragen van de schoolbesturen",
    "fr": "DigitalPakt Nordhafen : demandes des pouvoirs organisateurs",
    "lv": "DigitalPakt Nordhafen: skolu dibinātāju pieteikumi",
}
CHECKLISTS = {
    "application": (
        ("mep", {"de": "Der Medienentwicklungsplan liegt vor.", "en": "The media development plan is there."}),
        ("costs", {"de": "Die Ausgaben sind förderfähig.", "en": "The costs are eligible."}),
    ),
    "claim": (
        ("invoices", {"de": "Die Rechnungen entsprechen dem Bescheid.", "en": "The invoices match the decision."}),
    ),
    "proof_of_use": (("use", {"de": "Die Ausstattung wird genutzt.", "en": "The equipment is in use."}),),
}


@contextlib.contextmanager
def _at(moment: datetime.datetime) -> Iterator[None]:
    """Within the block ``timezone.now()`` is ``moment``, so the services stamp the demo's days
    (``seed_demo`` runs alone in its process)."""
    real = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real


def _moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _example() -> dict:
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    example = copy.deepcopy(example)
    for rule in example["entitlements"]["base_per_school"]:
        if rule.get("label") == "vocational school":
            rule["school_types"].append(VOCATIONAL_TYPE)
    return example


def _operators(programme):
    """The demo operator's operator first, then three other operators of the region with open schools."""
    from digileap.accounts.models import RoleAssignment
    from digileap.schools.models import School, SchoolOperator

    own = (
        RoleAssignment.objects.filter(user__username="operator", scope_kind="operator", operator__isnull=False)
        .select_related("operator")
        .first()
    )
    with_schools = SchoolOperator.objects.filter(
        authority=programme.authority, pk__in=School.objects.filter(status=School.Status.OPEN).values("operator_id")
    ).order_by("code")
    first = own.operator if own and own.operator.authority_id == programme.authority_id else with_schools.first()
    if first is None:
        return []
    return [first, *list(with_schools.exclude(pk=first.pk)[:3])]


def _lines(schools, categories, *, budget: Decimal) -> list[dict]:
    """Per school Wi-Fi, displays and laptops; a server for the operator. The lines' funding stays
    under ``budget`` (the tablets at most EUR 25,000 of funding per school)."""
    lines = []
    share = budget / len(schools)
    for school in schools:
        access_points = max(4, int(share * Decimal("0.4") / Decimal("0.9") / 1450))
        displays = max(2, int(share * Decimal("0.3") / Decimal("0.9") / 5200))
        laptops = max(5, min(60, int(share * Decimal("0.1") / Decimal("0.9") / 389)))
        lines += [
            {"category": categories["network"], "school": school, "quantity": Decimal(access_points),
             "unit_price": Decimal("1450.00"),
             "description": f"WLAN-Access-Points inkl. Verkabelung, {school.name}"},
            {"category": categories["displays"], "school": school, "quantity": Decimal(displays),
             "unit_price": Decimal("5200.00"), "description": f"Interaktive Displays 75 Zoll, {school.name}"},
            {"category": categories["pupil-devices"], "school": school, "quantity": Decimal(laptops),
             "unit_price": Decimal("389.00"), "description": f"Laptops für Schülerinnen und Schüler, {school.name}"},
        ]  # fmt: skip
    lines.append(
        {
            "category": categories["servers"],
            "school": None,
            "quantity": Decimal(1),
            "unit_price": Decimal("4300.00"),
            "description": "Schulserver im Rechenzentrum des Schulträgers",
        }
    )
    return lines


def _draft(actor, call, operator, schools, day: datetime.date, categories, documents, *, budget, title):
    from digileap.funding.services import applications

    with _at(_moment(day, 9)):
        application = applications.application_draft(
            actor=actor, call=call, operator=operator, schools=schools, title=title
        )
        for line in _lines(schools, categories, budget=budget):
            applications.cost_line_add(actor=actor, application=application, data=line)
        uploads = [
            (documents["mep"], None, f"MEP-{operator.code}.pdf", f"Medienentwicklungsplan {operator.name}"),
            (documents["technical-concept"], None, f"TK-{operator.code}-{application.number}.pdf",
             f"Technisches Konzept {operator.name}"),
        ] + [
            (documents["mbk"], school, f"MBK-{school.number}.pdf", f"Medienbildungskonzept {school.name}")
            for school in schools
        ]  # fmt: skip
        for required, school, name, text in uploads:
            applications.application_document_add(
                actor=actor,
                application=application,
                required_document=required,
                file=pdf_file(name, text),
                issued_on=day - datetime.timedelta(days=30),
                school=school,
            )
    return application


def _submit(actor, application, day: datetime.date) -> None:
    from digileap.funding.services import applications

    with _at(_moment(day, 11)):
        applications.application_submit(actor=actor, application=application, declarations_confirmed=True)


def _check(system, application, day: datetime.date) -> None:
    """The installation's formal check and checklist, then review."""
    from digileap.funding.services import applications, review

    with _at(_moment(day, 9)):
        applications.application_transition(actor=system, application=application, state="formal_check")
        items = application.call.review_items.filter(stage="application").order_by("position")
        review.review_answers_save(
            actor=system, application=application, answers=[{"item": item, "answer": "yes"} for item in items]
        )
        applications.application_transition(actor=system, application=application, state="review")


def _decide_partly(system, application, day: datetime.date):
    """Approved with the first school's displays cut by one (a reduced line with its reason)."""
    from digileap.funding.services import review

    lines = {}
    reduced = False
    for line in application.cost_lines.select_related("category").order_by("position"):
        entry = {"approved": line.funding, "reason": ""}
        if not reduced and line.category.code == "displays":
            kept = line.quantity - 1
            entry = {
                "approved": (line.funding * kept / line.quantity).quantize(CENT, rounding=ROUND_DOWN),
                "reason": f"Gefördert werden {kept} statt {line.quantity} Displays (Zahl der Unterrichtsräume).",
            }
            reduced = True
        lines[line.pk] = entry
    with _at(_moment(day, 14)):
        return review.application_decide(
            actor=system,
            application=application,
            lines=lines,
            conditions="Die Ausstattung ist zu inventarisieren.",
            language="de",
        )


def _paid_claim(staff, system, grant, today: datetime.date) -> int:
    """A claim with one invoice for the first school's laptops (linking the devices delivered
    there) and Wi-Fi, checked, approved and paid 20 days ago. Returns the devices linked."""
    from digileap.devices.models import Device
    from digileap.funding.services import claims

    lines = list(grant.lines.filter(school__isnull=False).select_related("cost_line", "school").order_by("position"))
    school = lines[0].school
    chosen = [line for line in lines if line.school_id == school.pk and line.approved == line.cost_line.funding]
    laptops = next((line for line in chosen if line.category.code == "pupil-devices"), None)
    devices = list(
        Device.objects.filter(school=school, delivered_on__isnull=False, invoice_lines__isnull=True).order_by("serial")
    )
    if laptops is not None:
        devices = devices[: int(laptops.cost_line.quantity)]
    day = today - datetime.timedelta(days=40)
    with _at(_moment(day, 10)):
        claim = claims.claim_start(actor=staff, grant=grant)
        total = sum((line.amount for line in chosen), Decimal("0.00"))
        invoice = claims.invoice_add(
            actor=staff,
            claim=claim,
            supplier_name="Nordlicht IT-Service GmbH",
            number=f"NL-{day.year}-0417",
            issued_on=day - datetime.timedelta(days=7),
            total=total,
            file=pdf_file(f"NL-{day.year}-0417.pdf", f"Rechnung Nordlicht IT-Service {school.name}"),
        )
        for line in chosen:
            claims.invoice_line_add(
                actor=staff,
                invoice=invoice,
                grant_line=line,
                amount=line.amount,
                description=line.description,
                devices=devices if line is laptops else (),
            )
        claims.claim_submit(actor=staff, claim=claim)
    with _at(_moment(today - datetime.timedelta(days=30), 11)):
        for item in grant.call.review_items.filter(stage="claim"):
            claims.claim_answer(actor=system, claim=claim, item=item, answer="yes")
        claims.claim_approve(actor=system, claim=claim)
    paid_on = today - datetime.timedelta(days=20)
    with _at(_moment(paid_on, 15)):
        claims.claim_pay(actor=system, claim=claim, paid_on=paid_on, reference=f"NH-ZA-{paid_on.year}-00042")
    return len(devices) if laptops is not None else 0


def seed_demo_funding(*, today: datetime.date | None = None) -> Counter:
    """The demo call with its applications, a decision, a grant, a paid claim and a proof of use
    due. Returns what it created; nothing when the call exists (or the demo programme does not)."""
    from digileap.accounts.models import User
    from digileap.funding.models import Call, Entitlement
    from digileap.funding.services import calls, entitlements, review
    from digileap.programmes.demo import DEMO_CODE
    from digileap.programmes.models import Programme
    from digileap.schools.models import School

    created: Counter = Counter()
    programme = Programme.objects.filter(code=DEMO_CODE).first()
    if programme is None or Call.objects.filter(programme=programme, code=CALL_CODE).exists():
        return created
    operators = _operators(programme)
    if not operators:
        return created
    today = today or timezone.localdate()
    system = SystemActor("seed_demo")
    staff = User.objects.filter(username="operator").first() or system
    reviewer = User.objects.filter(username="funding").first()
    with transaction.atomic():
        opened = today - datetime.timedelta(days=150)
        source = programme.funding_sources.order_by("position").first()
        assert source is not None  # the demo programme has its funding sources
        with _at(_moment(opened - datetime.timedelta(days=10), 9)):
            call = calls.call_create(
                actor=system,
                programme=programme,
                funding_source=source,
                data={
                    "code": CALL_CODE,
                    "title": TITLES,
                    "opens_at": _moment(opened, 0),
                    "closes_at": _moment(today + datetime.timedelta(days=90), 0),
                    "decision_deadline": today + datetime.timedelta(days=120),
                    "claim_deadline": today + datetime.timedelta(days=365),
                    "proof_of_use_deadline": today + datetime.timedelta(days=60),
                },
            )
            call = calls.call_configure(actor=system, call=call, example=_example())
            for stage, items in CHECKLISTS.items():
                for position, (code, text) in enumerate(items, start=1):
                    review.review_item_create(
                        actor=system, call=call, data={"stage": stage, "code": code, "text": text, "position": position}
                    )
            if reviewer is not None:
                review.call_reviewer_assign(actor=system, call=call, user=reviewer)
            calls.call_operators_set(actor=system, call=call, operators=operators)
            entitlements.entitlements_compute(actor=system, call=call)
            entitlements.entitlements_publish(actor=system, call=call)
        created["funding calls"] += 1
        created["entitlements"] += len(operators)
        categories = {category.code: category for category in call.cost_categories.all()}
        documents = {document.code: document for document in call.required_documents.all()}

        def budget(operator, schools) -> Decimal:
            entitlement = Entitlement.objects.get(call=call, operator=operator).amount
            whole = School.objects.filter(operator=operator, status=School.Status.OPEN).count()
            return (entitlement * len(schools) / whole * Decimal("0.6")).quantize(CENT)

        own, *others = operators
        schools = list(School.objects.filter(operator=own, status=School.Status.OPEN).order_by("number"))
        decided_schools, draft_schools = schools[:2], schools[2:4]
        # The demo operator: a decided application with a grant, a paid claim and a proof of use due.
        application = _draft(staff, call, own, decided_schools, today - datetime.timedelta(days=100), categories,
                             documents, budget=budget(own, decided_schools), title="Ausstattung der Schulen, 1. Antrag")  # fmt: skip
        _submit(staff, application, today - datetime.timedelta(days=95))
        _check(system, application, today - datetime.timedelta(days=90))
        decision = _decide_partly(system, application, today - datetime.timedelta(days=80))
        created["applications"] += 1
        created["decisions"] += 1
        created["devices linked"] += _paid_claim(staff, system, decision.application.grant, today)
        created["claims paid"] += 1
        if draft_schools:
            _draft(staff, call, own, draft_schools, today - datetime.timedelta(days=5), categories, documents,
                   budget=budget(own, draft_schools), title="Ausstattung der Schulen, 2. Antrag")  # fmt: skip
            created["applications"] += 1
        # Waiting for the funding administrator: one submitted, one in review.
        for index, operator in enumerate(others[:2]):
            schools = list(School.objects.filter(operator=operator, status=School.Status.OPEN).order_by("number"))[:2]
            drafted = today - datetime.timedelta(days=40 - 25 * index)
            application = _draft(system, call, operator, schools, drafted, categories, documents,
                                 budget=budget(operator, schools), title=f"DigitalPakt: {operator.name}")  # fmt: skip
            _submit(system, application, drafted + datetime.timedelta(days=3))
            if index == 0:
                _check(system, application, drafted + datetime.timedelta(days=10))
            created["applications"] += 1
    return created


__all__ = ["CALL_CODE", "seed_demo_funding"]
