"""Seed 004's funding: the DigitalPakt call of Mecklenburg-Vorpommern played through the funding
services (``digileap/funding/services``), for ``scenarios/mv.py``.

- **The call** ``DP-MV-2019`` on the programme's federal funding source, set up from
  ``docs/funding-examples/mv-digitalpakt.json`` (``call_configure``: MV's entitlement rule, the
  10 % co-financing paid by the state, four cost categories at 90 %, MEP, MBK and technical
  concept), open from 1 October 2019 to 31 December 2021; its checklists; the 207 operators
  eligible; their entitlements computed by the rule and published on 30 September 2019. The
  Landesförderinstitut (``lfi.foerderung``) runs the call and decides; eGo-MV's school IT unit
  (``egomv.schul-it``) does the formal check and the checklist (four eyes).
- **Applications**: one per operator and roll-out year, for the operator's schools the roll-out
  plan in force gives that year (so an approval finds them planned already), drafted by the
  operator's staff in the year's window with realistic lines (Wi-Fi and cabling, interactive
  displays and pupil tablets per school, servers for the operator as a whole), the MEP, an MBK per
  school and the technical concept (small generated PDFs). Every state is played: draft,
  submitted, formal check, more information, resubmitted, review, approved, partly approved (a
  line of displays reduced, with its reason), rejected and withdrawn; the later applications hold
  the states before a decision. Decisions are German letters (the shipped default text).
- **Claims**: for some grants of 2019-2021, one claim each with the suppliers' invoices (scans),
  checked, approved and paid by the LFI; the last one waits, submitted. Every grant's proof of use
  is due on 30 June 2025.
- **Targets**: funding approved and paid in the call (EUR 99,209,500, the federal sum) and the 560
  public schools funded, with snapshots from October 2019 to today.

At ``--scale small`` the same at a tenth: every state once, the rest approved.
"""

import datetime
import json
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils import timezone

from digileap.core.pdf import pdf_file

from ._e2_common import ensure_person
from .base import Run, add_working_days, clock, moment, spread_days

if TYPE_CHECKING:
    from digileap.schools.models import SchoolOperator

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "funding-examples" / "mv-digitalpakt.json"
CALL_CODE = "DP-MV-2019"
OPENS = datetime.date(2019, 10, 1)
CLOSES = datetime.date(2021, 12, 31)
PUBLISHED_ON = datetime.date(2019, 9, 30)
PROOF_OF_USE_DEADLINE = datetime.date(2025, 6, 30)
CLAIM_DEADLINE = datetime.date(2024, 12, 31)
DECISION_DEADLINE = datetime.date(2022, 6, 30)
FEDERAL_SUM = 99_209_500
PUBLIC_SCHOOLS = 560
CHECKER = "egomv.schul-it"
DECIDER = "lfi.foerderung"
HUNDRED = Decimal(100)
RATE = Decimal("0.9")
CENT = Decimal("0.01")

# The window in which the applications of each roll-out year were drafted.
LATEST_SUBMISSION = datetime.date(2021, 12, 17)
LATEST_SUBMISSION_IF_ASKED = datetime.date(2021, 11, 15)
LAST_RESUBMISSION = datetime.date(2021, 12, 30)
ASKED_DRAFTED_BY = datetime.date(2021, 10, 25)
# States reached before the formal check: no request for more information on the way.
QUIET = ("draft", "submitted", "withdrawn", "formal_check")
DRAFT_WINDOWS = {
    2019: (datetime.date(2019, 10, 7), datetime.date(2019, 12, 13)),
    2020: (datetime.date(2020, 1, 13), datetime.date(2020, 5, 29)),
    2021: (datetime.date(2020, 8, 17), datetime.date(2021, 2, 26)),
    2022: (datetime.date(2021, 3, 1), datetime.date(2021, 7, 16)),
    2023: (datetime.date(2021, 8, 16), datetime.date(2021, 10, 29)),
    2024: (datetime.date(2021, 9, 6), datetime.date(2021, 11, 19)),
}
# How many applications end in each state at full scale (the rest: approved), from the latest
# applications on: those still in progress are the latest ones.
PENDING = (
    ("draft", 6),
    ("submitted", 5),
    ("formal_check", 5),
    ("more_information", 5),
    ("resubmitted", 4),
    ("review", 6),
)
DECIDED_OTHERWISE = (("withdrawn", 3), ("rejected", 3), ("partly_approved", 20))
CLAIMS = 24
WAITING_CLAIM_ON = datetime.date(2024, 12, 16)

# (code, text in German and English) of the call's checklists.
CHECKLISTS = {
    "application": (
        ("mep", "Der Medienentwicklungsplan liegt vor und ist vom Schulträger beschlossen.",
         "The media development plan is there and adopted by the operator."),
        ("mbk", "Für jede Schule liegt ein gültiges Medienbildungskonzept vor.",
         "Every school has a valid media concept."),
        ("costs", "Die Ausgaben sind förderfähig und plausibel (Nr. 2 der Förderrichtlinie).",
         "The costs are eligible and plausible (no. 2 of the funding guideline)."),
    ),
    "claim": (
        ("invoices", "Die Rechnungen entsprechen den bewilligten Positionen.",
         "The invoices match the approved lines."),
        ("delivered", "Lieferung und Leistung sind abgenommen.", "Delivery and work are accepted."),
    ),
    "proof_of_use": (
        ("use", "Die Ausstattung wird entsprechend dem Medienbildungskonzept genutzt.",
         "The equipment is used as the media concept says."),
    ),
}  # fmt: skip
SUPPLIERS = (
    "Nordlicht Netzwerktechnik GmbH",
    "Ostsee IT-Systemhaus GmbH",
    "Mecklenburger Medientechnik GmbH & Co. KG",
    "Pommern Digital Service GmbH",
)
# Each line's unit price (EUR, before funding): a Wi-Fi access point with its share of the
# cabling and installation, an interactive 75-inch display mounted, a pupil tablet with its
# management licence, a school's server and storage in the operator's data centre.
ACCESS_POINT = Decimal("1450.00")
DISPLAY = Decimal("5200.00")
TABLET = Decimal("389.00")
SERVER = Decimal("4300.00")
PUPIL_DEVICE_CAP = Decimal("25000")
# The entitlement rule's figures (docs/funding-examples/mv-digitalpakt.json), to size the lines.
BASE = {"GS": Decimal(40000), "RBB": Decimal(75000)}
OTHER_BASE = Decimal(50000)
PER_PUPIL = Decimal(340)


def _user(username: str):
    from digileap.accounts.models import User

    return User.objects.get(username=username)


def _staff(operator):
    return _user(f"mv.{operator.code.lower()}")


def _call(run: Run):
    from digileap.funding.models import Call

    return Call.objects.get(programme=run.programme, code=CALL_CODE)


def funding(amount: Decimal) -> Decimal:
    return (amount * RATE).quantize(CENT, rounding=ROUND_DOWN)


# --- the call ---------------------------------------------------------------------------------------


def play_call(run: Run) -> None:
    """The call, its checklists and reviewers, the operators eligible, entitlements computed and published."""
    from digileap.funding.services import calls, entitlements, review
    from digileap.schools.models import SchoolOperator

    with clock(moment(datetime.date(2019, 9, 2), 9)):
        decider = ensure_person(
            run,
            username=DECIDER,
            first_name="Förderbereich Bildung",
            last_name="Landesförderinstitut M-V",
            role="funding_administrator",
            scope_kind="authority",
            scope=run.programme.authority,
        )
    checker = _user(CHECKER)
    source = run.programme.funding_sources.order_by("position").first()  # the federal government
    assert source is not None  # the seed programme has its funding sources
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    with clock(moment(datetime.date(2019, 9, 2), 10)):
        call = calls.call_create(
            actor=decider,
            programme=run.programme,
            funding_source=source,
            data={
                "code": CALL_CODE,
                "title": {
                    "de": "DigitalPakt Schule M-V: Anträge der Schulträger 2019–2021",
                    "en": "DigitalPakt Schule M-V: applications of the school operators 2019-2021",
                },
                "opens_at": moment(OPENS, 0),
                "closes_at": moment(CLOSES, 23, 59),
                "decision_deadline": DECISION_DEADLINE,
                "claim_deadline": CLAIM_DEADLINE,
                "proof_of_use_deadline": PROOF_OF_USE_DEADLINE,
            },
        )
        call = calls.call_configure(actor=decider, call=call, example=example)
        for stage, items in CHECKLISTS.items():
            for position, (code, german, english) in enumerate(items, start=1):
                review.review_item_create(
                    actor=decider,
                    call=call,
                    data={"stage": stage, "code": code, "text": {"de": german, "en": english}, "position": position},
                )
        for user in (checker, decider):
            review.call_reviewer_assign(actor=decider, call=call, user=user)
        operators = list(SchoolOperator.objects.filter(authority=run.programme.authority).order_by("code"))
        calls.call_operators_set(actor=decider, call=call, operators=operators)
    with clock(moment(PUBLISHED_ON, 11)):
        entitlements.entitlements_compute(actor=decider, call=call)
    with clock(moment(PUBLISHED_ON, 14)):
        entitlements.entitlements_publish(actor=decider, call=call)
    run.add("funding calls", 1)
    run.add("entitlements", len(operators))


# --- applications -----------------------------------------------------------------------------------


def _school_budget(school) -> Decimal:
    return BASE.get(school.type_code, OTHER_BASE) + PER_PUPIL * (school.pupils_total or 0)


def plan_lines(rng, schools, budget: Decimal, categories: dict) -> list[dict]:
    """The cost lines of an application for ``schools`` whose funding stays within ``budget``:
    per school Wi-Fi (half of its share) and displays (three tenths), tablets for the schools beyond
    primary (an eighth, at most EUR 25,000 of funding); servers for the operator as a whole."""
    share = {school.pk: _school_budget(school) for school in schools}
    whole = sum(share.values())
    lines: list[dict] = []
    for school in schools:
        target = budget * share[school.pk] / whole
        access_points = max(4, int(target * Decimal("0.5") / RATE / ACCESS_POINT))
        displays = max(1, int(target * Decimal("0.3") / RATE / DISPLAY))
        # Pupil devices for the secondary and vocational schools (primary schools: the Wi-Fi and displays).
        tablets = 0 if school.type_code == "GS" else int(min(target / 8, PUPIL_DEVICE_CAP - 100) / RATE / TABLET)
        lines.append(
            {
                "category": categories["network"],
                "school": school,
                "description": f"WLAN-Ausleuchtung und strukturierte Verkabelung {school.name}: "
                f"{access_points} Access-Points inkl. Installation",
                "quantity": Decimal(access_points),
                "unit_price": ACCESS_POINT,
            }
        )
        lines.append(
            {
                "category": categories["displays"],
                "school": school,
                "description": f"Interaktive Displays 75 Zoll mit Wandhalterung, {school.name}",
                "quantity": Decimal(displays),
                "unit_price": DISPLAY,
            }
        )
        if tablets:
            lines.append(
                {
                    "category": categories["pupil-devices"],
                    "school": school,
                    "description": f"Tablets für Schülerinnen und Schüler mit MDM-Lizenz, {school.name}",
                    "quantity": Decimal(tablets),
                    "unit_price": TABLET,
                }
            )
    lines.append(
        {
            "category": categories["servers"],
            "school": None,
            "description": "Schulserver und zentraler Speicher im Rechenzentrum des Schulträgers",
            "quantity": Decimal(len(schools)),
            "unit_price": SERVER,
        }
    )
    # Within the budget: fewer access points, then fewer displays, where the rounding went over.
    while sum(funding(line["quantity"] * line["unit_price"]) for line in lines) > budget:
        line = max(
            (line for line in lines if line["quantity"] > 1 and line["category"] is not categories["servers"]),
            key=lambda line: line["quantity"] * line["unit_price"],
        )
        line["quantity"] -= 1
        if line["category"] is categories["network"]:
            line["description"] = line["description"].rsplit(": ", 1)[0] + (
                f": {line['quantity']} Access-Points inkl. Installation"
            )
    return lines


def _pairs(run: Run) -> list[tuple["SchoolOperator", int, list]]:
    """(operator, roll-out year, its schools planned that year) from the plan in force, by year and
    operator code."""
    from digileap.allocation.models import RolloutEntry, RolloutPlan
    from digileap.allocation.services.change_requests import version_in_force

    from .mv import PLAN_CODE

    plan = RolloutPlan.objects.get(programme=run.programme, code=PLAN_CODE)
    entries = (
        RolloutEntry.objects.filter(version=version_in_force(plan), period__isnull=False)
        .select_related("school__operator", "period")
        .order_by("school__number")
    )
    groups: dict[tuple, list] = defaultdict(list)
    operators = {}
    for entry in entries:
        assert entry.period is not None  # filtered above
        key = (entry.school.operator.code, int(entry.period.label))
        groups[key].append(entry.school)
        operators[key[0]] = entry.school.operator
    return [(operators[code], year, groups[(code, year)]) for code, year in sorted(groups, key=lambda k: (k[1], k[0]))]


def _states(run: Run, count: int) -> list[str]:
    """The final state of each of ``count`` applications (in the order of their drafting): the last
    ones still in progress, withdrawn, rejected and partly approved ones spread among the rest."""
    rng = run.rng("application_states")
    pending = [state for state, n in PENDING for _ in range(run.count(n))]
    others = [state for state, n in DECIDED_OTHERWISE for _ in range(run.count(n))]
    early = others + ["approved"] * (count - len(pending) - len(others))
    rng.shuffle(early)
    rng.shuffle(pending)
    return early + pending


def play_applications(run: Run) -> None:
    """Every application from its draft to its final state, in the order of the drafting days."""
    from digileap.funding.models import RequiredDocument

    rng = run.rng("applications")
    call = _call(run)
    categories = {category.code: category for category in call.cost_categories.all()}
    documents = {document.code: document for document in call.required_documents.all()}
    assert documents["mbk"].scope == RequiredDocument.Scope.SCHOOL
    pairs = _pairs(run)
    states = _states(run, len(pairs))
    stories = []
    for (operator, year, schools), state in zip(pairs, states, strict=True):
        first, last = DRAFT_WINDOWS[year]
        drafted = spread_days(rng, first, last, 1)[0]
        stories.append((drafted, operator, year, schools, state))
    # Played day by day, so that each operator's entitlement already holds its earlier applications.
    for drafted, operator, year, schools, state in sorted(stories, key=lambda story: (story[0], story[1].code)):
        _play(run, rng, call, categories, documents, drafted, operator, year, schools, state)
    run.add("applications", len(stories))


def _documents(run, rng, application, documents, drafted, staff, schools) -> None:
    from digileap.funding.services.applications import application_document_add

    operator = application.operator
    uploads = [
        (documents["mep"], None, drafted - datetime.timedelta(days=rng.randint(60, 200)),
         f"MEP-{operator.code}.pdf", f"Medienentwicklungsplan {operator.name}"),
        (documents["technical-concept"], None, drafted - datetime.timedelta(days=rng.randint(5, 20)),
         f"TK-{operator.code}-{application.number}.pdf", f"Technisch-paedagogisches Einsatzkonzept {operator.name}"),
    ] + [
        (documents["mbk"], school, drafted - datetime.timedelta(days=rng.randint(30, 300)),
         f"MBK-{school.number}.pdf", f"Medienbildungskonzept {school.name}")
        for school in schools
    ]  # fmt: skip
    for required, school, issued_on, name, title in uploads:
        application_document_add(
            actor=staff,
            application=application,
            required_document=required,
            file=pdf_file(name, title),
            issued_on=issued_on,
            school=school,
        )


def _play(run, rng, call, categories, documents, drafted, operator, year, schools, state) -> None:
    from digileap.funding.models import Entitlement
    from digileap.funding.selectors.applications import applied_elsewhere
    from digileap.funding.services import applications as services

    if state in ("more_information", "resubmitted"):
        drafted = min(drafted, ASKED_DRAFTED_BY)
    staff = _staff(operator)
    entitlement = Entitlement.objects.get(call=call, operator=operator).amount
    available = entitlement - applied_elsewhere(call, operator.pk)
    planned = sum(_school_budget(school) for school in schools)
    whole = sum(_school_budget(school) for school in operator.schools.all())
    budget = (min(available, entitlement * planned / whole) * Decimal(str(rng.uniform(0.7, 0.95)))).quantize(CENT)
    moment_of = iter(range(9, 17))
    with clock(moment(drafted, next(moment_of))):
        application = services.application_draft(
            actor=staff,
            call=call,
            operator=operator,
            schools=list(schools),
            title=f"DigitalPakt Schule {year}: {operator.name}",
            rollout_year=year,
        )
        for line in plan_lines(rng, schools, budget, categories):
            services.cost_line_add(actor=staff, application=application, data=line)
        _documents(run, rng, application, documents, drafted, staff, schools)
    run.add("cost lines", application.cost_lines.count())
    if state == "draft":
        return
    # Asked for more information (and resubmitted before the call closed): submitted by mid-November.
    early = drafted <= ASKED_DRAFTED_BY
    asked = state in ("more_information", "resubmitted") or (state not in QUIET and early and rng.random() < 0.1)
    latest = LATEST_SUBMISSION_IF_ASKED if asked else LATEST_SUBMISSION
    day = max(min(add_working_days(drafted, rng.randint(8, 20)), latest), drafted)
    with clock(moment(day, 11)):
        services.application_submit(actor=staff, application=application, declarations_confirmed=True)
    if state == "submitted":
        return
    if state == "withdrawn":
        with clock(moment(add_working_days(day, rng.randint(5, 15)), 15)):
            services.application_withdraw(
                actor=staff,
                application=application,
                reason="Der Schulträger zieht den Antrag zurück: die Maßnahme wird mit dem Schulneubau neu beantragt.",
            )
        return
    checker, decider = _user(CHECKER), _user(DECIDER)
    from digileap.funding.services import review

    day = add_working_days(day, rng.randint(3, 8))
    with clock(moment(day, 9)):
        review.conflict_declare(actor=checker, application=application, has_conflict=False)
        services.application_transition(actor=checker, application=application, state="formal_check")
    if state == "formal_check":
        return
    if asked:
        school = schools[0]
        day = add_working_days(day, rng.randint(2, 6))
        with clock(moment(day, 10)):
            services.application_transition(
                actor=checker,
                application=application,
                state="more_information",
                reason=f"Das Medienbildungskonzept der Schule {school.name} ist nicht von der Schulkonferenz "
                "beschlossen. Bitte reichen Sie das beschlossene Konzept nach.",
            )
        if state == "more_information":
            return
        day = min(add_working_days(day, rng.randint(8, 20)), LAST_RESUBMISSION)
        with clock(moment(day, 13)):
            services.application_document_add(
                actor=staff,
                application=application,
                required_document=documents["mbk"],
                file=pdf_file(f"MBK-{school.number}-beschlossen.pdf", f"Medienbildungskonzept {school.name}"),
                issued_on=day - datetime.timedelta(days=3),
                school=school,
            )
            services.application_submit(
                actor=staff,
                application=application,
                declarations_confirmed=True,
                reason="Beschlossenes Medienbildungskonzept nachgereicht.",
            )
        if state == "resubmitted":
            return
        day = add_working_days(day, rng.randint(2, 5))
        with clock(moment(day, 9)):
            services.application_transition(actor=checker, application=application, state="formal_check")
    day = add_working_days(day, rng.randint(3, 8))
    items = list(call.review_items.filter(stage="application").order_by("position"))
    with clock(moment(day, 14)):
        review.review_answers_save(
            actor=checker, application=application, answers=[{"item": item, "answer": "yes"} for item in items]
        )
        services.application_transition(actor=checker, application=application, state="review")
    if state == "review":
        return
    day = add_working_days(day, rng.randint(10, 25))
    with clock(moment(day, 10)):
        review.conflict_declare(actor=decider, application=application, has_conflict=False)
        _decide(decider, application, state)
    run.add("decisions", 1)


def _decide(decider, application, state: str) -> None:
    from digileap.funding.services import review

    if state == "rejected":
        review.application_decide(
            actor=decider,
            application=application,
            reject=True,
            reason="Die Maßnahmen sind im Medienentwicklungsplan des Schulträgers nicht begründet; die "
            "Fördervoraussetzungen nach Nr. 4 der Förderrichtlinie liegen nicht vor.",
        )
        return
    lines = {}
    reduced = False
    for line in application.cost_lines.select_related("category").order_by("position"):
        entry = {"approved": line.funding, "reason": ""}
        if state == "partly_approved" and not reduced and line.category.code == "displays" and line.quantity > 1:
            kept = line.quantity - 1
            entry = {
                "approved": (line.funding * kept / line.quantity).quantize(CENT, rounding=ROUND_DOWN),
                "reason": f"Gefördert werden {int(kept)} statt {int(line.quantity)} Displays: die Zahl der "
                "Unterrichtsräume im Medienentwicklungsplan ist kleiner.",
            }
            reduced = True
        lines[line.pk] = entry
    if state == "partly_approved" and not reduced:
        # No school with two displays: the servers line is cut by a tenth instead.
        line = application.cost_lines.get(school=None)
        lines[line.pk] = {
            "approved": (line.funding * Decimal("0.9")).quantize(CENT, rounding=ROUND_DOWN),
            "reason": "Der Speicher ist nur für den Bedarf der beantragten Schulen förderfähig.",
        }
    review.application_decide(
        actor=decider,
        application=application,
        lines=lines,
        conditions="Die geförderte Ausstattung ist bis zum Ende der Zweckbindungsfrist (5 Jahre) zu inventarisieren.",
        language="de",
    )


# --- claims -----------------------------------------------------------------------------------------


def play_claims(run: Run) -> None:
    """For some grants of the roll-out years 2019 to 2021, one claim each: the suppliers' invoices
    for the Wi-Fi and the displays of up to three schools; checked, approved and paid, the last one
    waiting, submitted."""
    from digileap.funding.models import Grant
    from digileap.funding.services import claims as services

    rng = run.rng("claims")
    checker, decider = _user(CHECKER), _user(DECIDER)
    grants = list(
        Grant.objects.filter(call__programme=run.programme, application__rollout_year__lte=2021)
        .select_related("application", "operator", "decision")
        .order_by("created_at", "number")
    )
    chosen = sorted(rng.sample(grants, min(len(grants), run.count(CLAIMS))), key=lambda grant: grant.created_at)
    items = list(_call(run).review_items.filter(stage="claim").order_by("position"))
    invoice_number = 0
    for index, grant in enumerate(chosen):
        staff = _staff(grant.operator)
        decided = timezone.localdate(grant.created_at)
        day = min(add_working_days(decided, rng.randint(40, 140)), run.today)
        waits = index == len(chosen) - 1 and len(chosen) > 1
        if waits:  # the latest claim, filed shortly before the claims' deadline, waits for its check
            day = max(min(run.today, WAITING_CLAIM_ON), decided)
        lines = list(
            grant.lines.filter(category__code__in=["network", "displays"], school__isnull=False)
            .select_related("cost_line", "school")
            .order_by("position")
        )
        lines = [line for line in lines if line.approved == line.cost_line.funding]  # not the reduced ones
        by_school: dict[int, list] = defaultdict(list)
        for line in lines:
            assert line.school_id is not None  # filtered above
            by_school[line.school_id].append(line)
        with clock(moment(day, 10)):
            claim = services.claim_start(actor=staff, grant=grant)
            for school_lines in list(by_school.values())[:3]:
                invoice_number += 1
                supplier = rng.choice(SUPPLIERS)
                total = sum((line.amount for line in school_lines), Decimal("0.00"))
                issued_on = day - datetime.timedelta(days=rng.randint(5, 40))
                number = f"RE-{issued_on.year}-{invoice_number:05d}"
                invoice = services.invoice_add(
                    actor=staff,
                    claim=claim,
                    supplier_name=supplier,
                    number=number,
                    issued_on=issued_on,
                    total=total,
                    file=pdf_file(f"{number}.pdf", f"Rechnung {number} {supplier}"),
                )
                for line in school_lines:
                    services.invoice_line_add(
                        actor=staff, invoice=invoice, grant_line=line, amount=line.amount, description=line.description
                    )
            services.claim_submit(actor=staff, claim=claim)
        run.add("claims", 1)
        if waits:
            continue
        day = add_working_days(day, rng.randint(4, 10))
        with clock(moment(day, 11)):
            for item in items:
                services.claim_answer(actor=checker, claim=claim, item=item, answer="yes")
        day = add_working_days(day, rng.randint(1, 3))
        with clock(moment(day, 9)):
            services.claim_approve(actor=decider, claim=claim)
        paid_on = add_working_days(day, rng.randint(3, 8))
        with clock(moment(paid_on, 15)):
            services.claim_pay(
                actor=decider, claim=claim, paid_on=paid_on, reference=f"LFI-{paid_on.year}-{index + 1:06d}"
            )
        run.add("claims paid", 1)


# --- targets ----------------------------------------------------------------------------------------


def play_targets(run: Run) -> None:
    """Funding approved and paid in the call, and the public schools funded."""
    from digileap.programmes import services

    specs = [
        (
            {"de": "Bewilligte Fördermittel (DigitalPakt Schule)", "en": "Funding approved (DigitalPakt Schule)"},
            "funding_money",
            {"stage": "approved", "call": CALL_CODE},
            Decimal(run.count(FEDERAL_SUM)),
            "EUR",
            datetime.date(2022, 12, 31),
        ),
        (
            {"de": "Ausgezahlte Fördermittel (DigitalPakt Schule)", "en": "Funding paid (DigitalPakt Schule)"},
            "funding_money",
            {"stage": "paid", "call": CALL_CODE},
            Decimal(run.count(FEDERAL_SUM)),
            "EUR",
            datetime.date(2024, 12, 31),
        ),
        (
            {"de": "Geförderte Schulen", "en": "Schools funded"},
            "schools_funded",
            {"call": CALL_CODE},
            Decimal(run.count(PUBLIC_SCHOOLS)),
            "Schulen",
            datetime.date(2024, 12, 31),
        ),
    ]
    verification = {
        "de": "Aus den Bescheiden und Auszahlungen des Förderaufrufs DP-MV-2019 berechnet.",
        "en": "Computed from the decisions and payments of the call DP-MV-2019.",
    }
    with clock(moment(datetime.date(2019, 9, 2), 12)):
        for position, (title, kind, parameters, value, unit, due) in enumerate(specs, start=1):
            target = services.target_create(
                actor=run.actor,
                programme=run.programme,
                data={
                    "kind": "target",
                    "position": position,
                    "title": title,
                    "target_value": value,
                    "unit": unit,
                    "due_date": due,
                    "verification": verification,
                },
            )
            services.indicator_define(actor=run.actor, target=target, kind=kind, parameters=parameters)
    run.add("targets", len(specs))


# --- the summary ------------------------------------------------------------------------------------


def summary(run: Run) -> dict:
    """The call's figures for the scenario's summary: applications by state, grants, and the money
    requested, approved, claimed and paid with the schools funded, as the indicators count them today."""
    from collections import Counter

    from digileap.funding.indicators import FundingMoney, funded_schools
    from digileap.funding.models import Application, Call, Grant
    from digileap.programmes.models import IndicatorDefinition, Target

    call = Call.objects.filter(programme=run.programme, code=CALL_CODE).first()
    if call is None:
        return {}
    states = Counter(Application.objects.filter(call=call).values_list("state", flat=True))
    money = {}
    for stage in ("requested", "approved", "claimed", "paid"):
        target = Target(
            programme=run.programme,
            indicator=IndicatorDefinition(programme=run.programme, kind="funding_money", parameters={"stage": stage}),
        )
        money[stage] = str(FundingMoney().compute(target, run.today))
    return {
        "funding": {
            "applications": dict(sorted(states.items())),
            "grants": Grant.objects.filter(call=call).count(),
            **money,
            "schools_funded": funded_schools(run.programme.pk, None, run.today).count(),
        }
    }
