"""Funding calls at national scale (issue 12): call pages, checking and saving an application, a
grant dossier.

Run by bench/run.py (part ``funding``) with DATABASE_URL set to a fresh database, or by hand:
``DATABASE_URL=sqlite:///var/bench-funding.sqlite3 .venv/bin/python bench/funding_bench.py --scale 0.1``.

Builds, by bulk inserts (``bulk_create`` in batches; not timed, not through the services), one
authority with ``10,000 x scale`` operators and four schools each, one MV-like call (four cost
categories at 90 %, pupil devices capped per school; an MEP per operator, an MBK per school, a
technical concept) with every operator eligible and a published entitlement, one application per
operator (half approved, the rest spread over the other states) with 20 cost lines each, a decision
and a grant with 20 lines per approved application (and its commitment in the ledger), and 10 claims
per grant with an invoice and an invoice line each (40 % paid, with their payment in the ledger).
At scale 1: 10,000 operators, 40,000 schools, 10,000 applications, 200,000 cost lines, 50,000
claims. Then ANALYZE (PostgreSQL: VACUUM ANALYZE), as autovacuum would soon after a bulk load.

Times, each beside a raw baseline measured in the same run on the same data:

- the call page ``funding:call-detail``, the call overview ``funding:call-overview`` and the operator
  funding page ``funding:schooloperator-funding`` (where those routes exist), ``--requests`` times
  each after 3 warm-ups, through Django's test Client as the authority's programme owner (every
  operator) and as one operator's staff: median and p95 (aim p95 < 100 ms). Baseline: the plain
  SQL aggregates the page shows (applications and funding requested per state, entitlements,
  approved, claimed and paid, per operator), run as many times, p95;
- checking and saving an application of 40 schools and 400 lines (aim < 300 ms), through the
  services of ``digileap.funding.services.applications`` as the operator's staff: ``rules.check``
  alone (pure), ``application_check`` (loading and checking), ``cost_line_add`` of the 400th line
  (the whole application is checked before and after the entry, then the line saved and audited)
  and ``application_submit`` (every rule with the 42 documents, then a frozen version of 400 lines,
  event, audit). Baseline: ``executemany`` of the same 400 cost line rows, rolled back;
- the grant dossier of a grant of 500 lines (``dossier.build_dossier``; aim < 5 s) with its
  application version, 500 decision lines, 10 claims with an invoice scan of 200 kB each and 500
  invoice lines linked to 500 devices, and an audit trail of 1,000 entries. Baseline: the same
  files written into a ZIP with ``zipfile`` directly.

Prints one JSON line. Nothing is asserted (see bench/README.md).
"""

import argparse
import datetime
import io
import json
import os
import random
import statistics
import sys
import time
import zipfile
from decimal import Decimal

from _setup import bench_admin, migrate, setup

STATE_SHARES = [  # of the applications that are not approved
    ("draft", 20),
    ("submitted", 20),
    ("formal_check", 16),
    ("more_information", 10),
    ("resubmitted", 4),
    ("review", 16),
    ("rejected", 10),
    ("withdrawn", 4),
]
CLAIM_STATES = ["paid", "paid", "paid", "paid", "approved", "approved", "submitted", "submitted", "draft", "returned"]
LINES_PER_APPLICATION = 20
CLAIMS_PER_GRANT = 10
BATCH = 10_000
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] funding_bench: {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def chunks(items, size: int = BATCH):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert(model, objects) -> list:
    """bulk_create in batches; returns the objects with their keys."""
    made = []
    for batch in chunks(objects):
        made += model.objects.bulk_create(batch, batch_size=2000)
    return made


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


# --- the national data --------------------------------------------------------------------------


def build(scale: float, admin) -> dict:
    from django.utils import timezone

    from digileap.accounts.models import RoleAssignment, User
    from digileap.funding.models import (
        Application,
        ApplicationSchool,
        CallEligibility,
        Claim,
        CostLine,
        Decision,
        Entitlement,
        Grant,
        GrantLine,
        Invoice,
        InvoiceLine,
    )
    from digileap.funding.services.calls import call_create, cost_category_create, required_document_create
    from digileap.programmes import services as programme_services
    from digileap.programmes.models import FundingTransaction
    from digileap.schools.models import Authority, School, SchoolOperator

    rng = random.Random(12)
    operators_count = max(10, round(10_000 * scale))
    now = timezone.now()
    today = timezone.localdate()
    authority = Authority.objects.create(
        code="BENCH-FUND", name="Bench funding authority", kind="ministry", country="DE"
    )
    operators = insert(
        SchoolOperator,
        (SchoolOperator(authority=authority, code=f"OP{n:05d}", name=f"Bench operator {n:05d}") for n in range(operators_count)),
    )  # fmt: skip
    schools = insert(
        School,
        (
            School(
                authority=authority,
                operator=operators[n // 4],
                number=f"{70_000_000 + n}",
                name=f"Bench school {n:05d}",
                type_code="GS" if n % 3 else "Gy",
                pupils_total=rng.randint(80, 900),
            )
            for n in range(operators_count * 4)
        ),
    )
    programme = programme_services.programme_create(
        actor=admin,
        data={
            "code": "bench-funding",
            "name": {"en": "Bench funding programme"},
            "authority": authority,
            "country": "DE",
            "period_start": today - datetime.timedelta(days=400),
            "period_end": today + datetime.timedelta(days=800),
            "status": "in_progress",
            "is_public": False,
            "sdgs": [4],
            "climate_contribution": Decimal("0"),
            "digital_contribution": Decimal("100"),
        },
    )
    source = programme_services.funding_source_create(
        actor=admin, programme=programme, data={"kind": "national", "amount": Decimal("5000000000.00"), "position": 1}
    )
    call = call_create(
        actor=admin,
        programme=programme,
        funding_source=source,
        data={
            "code": "DP-BENCH",
            "title": {"en": "DigitalPakt bench", "de": "DigitalPakt Bench"},
            "opens_at": now - datetime.timedelta(days=30),
            "closes_at": now + datetime.timedelta(days=300),
            "cofinancing_rate": Decimal("10"),
        },
    )
    categories = [
        cost_category_create(actor=admin, call=call, data={"code": code, "name": {"en": code}, "funding_rate": Decimal("90"), **caps})
        for code, caps in (
            ("network", {}),
            ("displays", {}),
            ("servers", {}),
            ("pupil-devices", {"cap_per_school": Decimal("25000")}),
        )
    ]  # fmt: skip
    for code, scope in (("mep", "operator"), ("mbk", "school"), ("concept", "application")):
        required_document_create(
            actor=admin, call=call, data={"code": code, "scope": scope, "name": {"en": code}, "validity_months": 36}
        )
    insert(CallEligibility, (CallEligibility(call=call, operator=operator) for operator in operators))
    insert(
        Entitlement,
        (
            Entitlement(call=call, operator=operator, amount=Decimal("250000.00"), source="typed", published_at=now)
            for operator in operators
        ),
    )
    # Applications: every second one approved, the rest spread over the other states.
    weights = [share for _state, share in STATE_SHARES]
    states = [
        "approved" if n % 2 == 0 else rng.choices([s for s, _w in STATE_SHARES], weights)[0]
        for n in range(operators_count)
    ]
    applications = insert(
        Application,
        (
            Application(call=call, operator=operator, number=1, title=f"Application {n}", state=states[n], rollout_year=2027)
            for n, operator in enumerate(operators)
        ),
    )  # fmt: skip
    insert(
        ApplicationSchool,
        (
            ApplicationSchool(application=application, school=schools[n * 4 + k], pupils=schools[n * 4 + k].pupils_total)
            for n, application in enumerate(applications)
            for k in range(4)
        ),
    )  # fmt: skip
    lines = insert(
        CostLine,
        (
            CostLine(
                application=application,
                position=position + 1,
                category=categories[position % 4],
                school=schools[n * 4 + position % 4],
                description=f"Cost {position + 1}",
                quantity=Decimal("2"),
                unit_price=Decimal("500.00"),
                amount=Decimal("1000.00"),
                funding=Decimal("900.00"),
            )
            for n, application in enumerate(applications)
            for position in range(LINES_PER_APPLICATION)
        ),
    )
    approved = [(n, application) for n, application in enumerate(applications) if application.state == "approved"]
    approved_total = Decimal("900.00") * LINES_PER_APPLICATION
    decisions = insert(
        Decision,
        (
            Decision(
                application=application, number=1, outcome="approved", requested_total=approved_total,
                approved_total=approved_total, language="de", decided_by=admin, decided_at=now,
            )
            for _n, application in approved
        ),
    )  # fmt: skip
    commitments = insert(
        FundingTransaction,
        (
            FundingTransaction(programme=programme, source=source, kind="committed", amount=approved_total,
                               date=today, reference=f"GRANT-{n}", recorded_at=now)
            for n, _application in approved
        ),
    )  # fmt: skip
    grants = insert(
        Grant,
        (
            Grant(
                application=application, call=call, operator_id=application.operator_id, number=f"G-{n:05d}",
                decision=decision, approved_amount=approved_total, commitment=commitment, created_at=now,
            )
            for (n, application), decision, commitment in zip(approved, decisions, commitments, strict=True)
        ),
    )  # fmt: skip
    grant_lines = insert(
        GrantLine,
        (
            GrantLine(
                grant=grant, cost_line=line, category_id=line.category_id, school_id=line.school_id,
                position=line.position, description=line.description, amount=line.amount, approved=line.funding,
            )
            for (n, _application), grant in zip(approved, grants, strict=True)
            for line in lines[n * LINES_PER_APPLICATION : (n + 1) * LINES_PER_APPLICATION]
        ),
    )  # fmt: skip
    claim_rows = []
    for index, grant in enumerate(grants):
        for number in range(CLAIMS_PER_GRANT):
            state = CLAIM_STATES[number]
            claim_rows.append(
                Claim(
                    grant=grant, number=number + 1, state=state, amount=Decimal("900.00"),
                    submitted_at=None if state == "draft" else now,
                    paid_on=today if state == "paid" else None,
                    payment_reference=f"PAY-{index}-{number}" if state == "paid" else "",
                    created_at=now,
                )
            )  # fmt: skip
    claims = insert(Claim, claim_rows)
    paid = [claim for claim in claims if claim.state == "paid"]
    payments = insert(
        FundingTransaction,
        (
            FundingTransaction(programme=programme, source=source, kind="paid", amount=claim.amount, date=today,
                               reference=claim.payment_reference, recorded_at=now)
            for claim in paid
        ),
    )  # fmt: skip
    for claim, payment in zip(paid, payments, strict=True):
        claim.payment = payment
    for batch in chunks(paid):
        Claim.objects.bulk_update(batch, ["payment"], batch_size=2000)
    invoices = insert(
        Invoice,
        (
            Invoice(
                claim=claim, operator_id=claim.grant.operator_id, supplier_name="ACME GmbH", supplier_key="acme gmbh",
                number=f"R-{index:06d}", number_key=f"r-{index:06d}", issued_on=today, total=Decimal("1000.00"),
                uploaded_at=now,
            )
            for index, claim in enumerate(claims)
        ),
    )  # fmt: skip
    insert(
        InvoiceLine,
        (
            InvoiceLine(
                invoice=invoice, grant_line=grant_lines[(index // CLAIMS_PER_GRANT) * LINES_PER_APPLICATION + index % CLAIMS_PER_GRANT],
                description="Invoice line", amount=Decimal("1000.00"), claimed=Decimal("900.00"),
            )
            for index, invoice in enumerate(invoices)
        ),
    )  # fmt: skip
    owner, _created = User.objects.get_or_create(username="bench-funding-owner")
    RoleAssignment.objects.get_or_create(
        user=owner, role="programme_owner", scope_kind="authority", authority=authority
    )
    probe = operators[0]
    staff, _created = User.objects.get_or_create(username="bench-funding-staff")
    RoleAssignment.objects.get_or_create(user=staff, role="operator_staff", scope_kind="operator", operator=probe)
    return {
        "authority": authority,
        "programme": programme,
        "source": source,
        "call": call,
        "categories": categories,
        "owner": owner,
        "staff": staff,
        "probe": probe,
        "counts": {
            "operators": len(operators),
            "schools": len(schools),
            "applications": len(applications),
            "cost_lines": len(lines),
            "grants": len(grants),
            "grant_lines": len(grant_lines),
            "claims": len(claims),
            "invoices": len(invoices),
            "ledger_rows": len(commitments) + len(payments),
        },
    }


# --- pages ---------------------------------------------------------------------------------------


def series(client, url: str, requests: int, budget: float) -> dict:
    """``requests`` requests after warm-ups; a page slower than ``budget`` seconds in all stops
    early (at least 3 requests), so that a page that does not scale cannot hold up the run."""
    started = time.perf_counter()
    client.get(url)
    if time.perf_counter() - started < 1:
        for _ in range(2):
            client.get(url)
    statuses: dict[int, int] = {}
    timings: list[float] = []
    begun = time.perf_counter()
    while len(timings) < requests and (len(timings) < 3 or time.perf_counter() - begun < budget):
        started = time.perf_counter()
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        timings.append((time.perf_counter() - started) * 1000)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    return {"url": url, "requests": len(timings), "median_ms": statistics.median(timings), "p95_ms": percentile(timings, 0.95), "statuses": statuses}  # fmt: skip


def aggregate_queries(call_id: int, operator_id: int | None) -> list[tuple[str, list]]:
    """The plain SQL sums a funding page shows: applications and funding requested per state,
    entitlements, approved, claimed and paid, and (for the whole call) the same per operator."""
    where, params = ("a.call_id = %s", [call_id]) if operator_id is None else ("a.call_id = %s AND a.operator_id = %s", [call_id, operator_id])  # fmt: skip
    grant_where = where.replace("a.", "g.")
    queries = [
        (
            f"SELECT a.state, COUNT(*), SUM((SELECT SUM(l.funding) FROM funding_costline l WHERE l.application_id = a.id)) FROM funding_application a WHERE {where} GROUP BY a.state",
            params,
        ),  # noqa: E501
        (f"SELECT SUM(a.amount) FROM funding_entitlement a WHERE {where}", params),
        (f"SELECT SUM(g.approved_amount), COUNT(*) FROM funding_grant g WHERE {grant_where}", params),
        (
            f"SELECT c.state, SUM(c.amount), COUNT(*) FROM funding_claim c JOIN funding_grant g ON g.id = c.grant_id WHERE {grant_where} GROUP BY c.state",
            params,
        ),  # noqa: E501
    ]
    if operator_id is None:
        queries += [
            (
                "SELECT a.operator_id, SUM(l.funding) FROM funding_application a JOIN funding_costline l ON l.application_id = a.id WHERE a.call_id = %s GROUP BY a.operator_id",
                [call_id],
            ),  # noqa: E501
            (
                "SELECT g.operator_id, SUM(g.approved_amount) FROM funding_grant g WHERE g.call_id = %s GROUP BY g.operator_id",
                [call_id],
            ),  # noqa: E501
            (
                "SELECT g.operator_id, SUM(c.amount) FROM funding_claim c JOIN funding_grant g ON g.id = c.grant_id WHERE g.call_id = %s AND c.state = 'paid' GROUP BY g.operator_id",
                [call_id],
            ),  # noqa: E501
        ]
    return queries


def baseline_series(queries: list[tuple[str, list]], requests: int) -> dict:
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            for sql, params in queries:
                cursor.execute(sql, params)
                cursor.fetchall()

    for _ in range(3):
        run()
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return {"median_ms": statistics.median(timings), "p95_ms": percentile(timings, 0.95)}


def pages(data: dict, requests: int, budget: float) -> list[dict]:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    call, probe = data["call"], data["probe"]
    runs = []
    for role, user in (("programme owner", data["owner"]), ("operator staff", data["staff"])):
        client = Client()
        client.force_login(user)
        # The call page shows its tables 50 rows a page: page 1, the second pages, and a filtered page.
        for page, route, pk, operator_scope, query in (
            ("call page", "funding:call-detail", call.pk, None, ""),
            ("call page 2", "funding:call-detail", call.pk, None, "?entitlement_page=2&application_page=2"),
            ("call page filtered", "funding:call-detail", call.pk, None,
             f"?entitlement_q={probe.code}&application_q={probe.code}&application_state=submitted"),
            ("call overview", "funding:call-overview", call.pk, None, ""),
            ("operator funding page", "funding:schooloperator-funding", probe.pk, probe.pk, ""),
        ):  # fmt: skip
            try:
                url = reverse(route, kwargs={"pk": pk}) + query
            except NoReverseMatch:
                runs.append({"what": f"{page} as {role}", "route": route, "missing": True})
                continue
            run = series(client, url, requests, budget)
            # Operator staff read their own operator's figures; the owner the whole call's.
            scope = operator_scope if operator_scope is not None else (probe.pk if role == "operator staff" else None)
            base = baseline_series(aggregate_queries(call.pk, scope), max(run["requests"], 20))
            runs.append(
                {
                    "what": f"{page} as {role}",
                    "route": route,
                    **run,
                    "seconds": run["p95_ms"] / 1000,
                    "baseline_seconds": base["p95_ms"] / 1000,
                    "ratio": run["p95_ms"] / base["p95_ms"] if base["p95_ms"] else None,
                    "baseline_median_ms": base["median_ms"],
                }
            )
    return runs


# --- checking and saving an application of 40 schools and 400 lines ------------------------------


def application_figures(data: dict, repeat: int) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction
    from django.utils import timezone

    from digileap.accounts.models import RoleAssignment, User
    from digileap.funding import rules
    from digileap.funding.models import CallEligibility, CostLine, Entitlement, RequiredDocument
    from digileap.funding.services import applications as services
    from digileap.schools.models import School, SchoolOperator

    call, categories, owner = data["call"], data["categories"], data["owner"]
    now = timezone.now()
    operator = SchoolOperator.objects.create(
        authority=data["authority"], code="OP-BIG", name="Bench operator with 40 schools"
    )
    School.objects.bulk_create(
        School(authority=data["authority"], operator=operator, number=f"{79_000_000 + n}", name=f"Big school {n:02d}",
               type_code="GS", pupils_total=400 + n)
        for n in range(40)
    )  # fmt: skip
    CallEligibility.objects.create(call=call, operator=operator)
    Entitlement.objects.create(
        call=call, operator=operator, amount=Decimal("5000000.00"), source="typed", published_at=now
    )
    staff, _created = User.objects.get_or_create(username="bench-funding-big-staff")
    RoleAssignment.objects.get_or_create(user=staff, role="operator_staff", scope_kind="operator", operator=operator)
    started = time.perf_counter()
    application = services.application_draft(actor=staff, call=call, operator=operator, title="40 schools")
    draft_seconds = time.perf_counter() - started
    schools = list(School.objects.filter(operator=operator).order_by("number"))
    figures = rules.line_figures(Decimal("2"), Decimal("500.00"), Decimal("90"))

    def row(position: int) -> CostLine:
        return CostLine(
            application=application, position=position, category=categories[position % 4],
            school=schools[position % 40], description=f"Cost {position}", quantity=Decimal("2"),
            unit_price=Decimal("500.00"), amount=figures.amount, funding=figures.funding,
        )  # fmt: skip

    CostLine.objects.bulk_create([row(position) for position in range(1, 400)])
    documents = {document.code: document for document in RequiredDocument.objects.filter(call=call)}
    issued = timezone.localdate() - datetime.timedelta(days=30)
    services.application_document_add(actor=staff, application=application, required_document=documents["mep"],
                                      file=SimpleUploadedFile("mep.pdf", PDF, "application/pdf"), issued_on=issued)  # fmt: skip
    services.application_document_add(actor=staff, application=application, required_document=documents["concept"],
                                      file=SimpleUploadedFile("concept.pdf", PDF, "application/pdf"), issued_on=issued)  # fmt: skip
    for school in schools:
        services.application_document_add(actor=staff, application=application, required_document=documents["mbk"],
                                          file=SimpleUploadedFile(f"mbk-{school.number}.pdf", PDF, "application/pdf"),
                                          issued_on=issued, school=school)  # fmt: skip
    entry = {"category": categories[0].pk, "school": schools[0].pk, "description": "Cost 400", "quantity": "2", "unit_price": "500.00"}  # fmt: skip

    add_ms = []
    for _ in range(repeat):
        started = time.perf_counter()
        line = services.cost_line_add(actor=staff, application=application, data=entry)
        add_ms.append((time.perf_counter() - started) * 1000)
        services.cost_line_delete(actor=staff, line=line)
    services.cost_line_add(actor=staff, application=application, data=entry)  # the 400th line stays
    terms, draft = services.load_terms(call), services.load_draft(application)
    check_ms, load_check_ms = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        result = rules.check(terms, draft, at=timezone.now(), submission=True)
        check_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        services.application_check(application)
        load_check_ms.append((time.perf_counter() - started) * 1000)
    problems = [problem.message for problem in result.problems]
    submit_ms = []
    for round_number in range(3):
        started = time.perf_counter()
        services.application_submit(actor=staff, application=application, declarations_confirmed=True)
        submit_ms.append((time.perf_counter() - started) * 1000)
        if round_number < 2:  # back to "more information", to resubmit
            services.application_transition(actor=owner, application=application, state="formal_check")
            services.application_transition(
                actor=owner, application=application, state="more_information", reason="bench"
            )

    # Baseline: the same 400 rows with executemany, rolled back.
    columns = ["application_id", "position", "category_id", "school_id", "description", "quantity", "unit_price", "amount", "funding"]  # fmt: skip
    rows = [
        (application.pk, 1000 + position, categories[position % 4].pk, schools[position % 40].pk, f"Cost {position}",
         "2.00", "500.00", str(figures.amount), str(figures.funding))
        for position in range(1, 401)
    ]  # fmt: skip
    baseline_ms = []
    for _ in range(repeat):
        started = time.perf_counter()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO funding_costline ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                    rows,
                )
            transaction.set_rollback(True)
        baseline_ms.append((time.perf_counter() - started) * 1000)
    baseline = statistics.median(baseline_ms) / 1000

    def figure(timings: list[float]) -> dict:
        seconds = statistics.median(timings) / 1000
        return {"seconds": seconds, "max_seconds": max(timings) / 1000, "baseline_seconds": baseline, "ratio": seconds / baseline}  # fmt: skip

    return {
        "schools": application.application_schools.count(),
        "lines": application.cost_lines.count(),
        "documents": application.documents.count(),
        "versions": application.versions.count(),
        "problems": problems,
        "draft_seconds": draft_seconds,
        "rules_check": figure(check_ms),
        "application_check": figure(load_check_ms),
        "cost_line_add": figure(add_ms),
        "application_submit": figure(submit_ms),
    }


# --- a grant dossier of 500 lines ---------------------------------------------------------------


def dossier_figures(data: dict, repeat: int) -> dict:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from digileap.core import audit
    from digileap.devices.models import Device, DeviceModel
    from digileap.funding import dossier, rules
    from digileap.funding.models import (
        Application,
        ApplicationVersion,
        Claim,
        CostLine,
        Decision,
        DecisionLine,
        Grant,
        GrantLine,
        Invoice,
        InvoiceLine,
    )
    from digileap.funding.services.applications import application_check, content_sha256, frozen_content
    from digileap.schools.models import School, SchoolOperator

    call, categories = data["call"], data["categories"]
    now = timezone.now()
    today = timezone.localdate()
    rng = random.Random(5)
    operator = SchoolOperator.objects.create(
        authority=data["authority"], code="OP-DOSSIER", name="Bench dossier operator"
    )
    schools = School.objects.bulk_create(
        School(authority=data["authority"], operator=operator, number=f"{78_000_000 + n}", name=f"Dossier school {n}",
               type_code="GS", pupils_total=500)
        for n in range(10)
    )  # fmt: skip
    application = Application.objects.create(
        call=call, operator=operator, number=1, title="500 lines", state="approved"
    )
    figures = rules.line_figures(Decimal("2"), Decimal("500.00"), Decimal("90"))
    lines = CostLine.objects.bulk_create(
        CostLine(application=application, position=position, category=categories[position % 3],
                 school=schools[position % 10], description=f"Cost {position}", quantity=Decimal("2"),
                 unit_price=Decimal("500.00"), amount=figures.amount, funding=figures.funding)
        for position in range(1, 501)
    )  # fmt: skip
    result = application_check(application, submission=False)
    content = frozen_content(application, result, 1)
    ApplicationVersion.objects.create(application=application, number=1, content=content, sha256=content_sha256(content), created_at=now)  # fmt: skip
    total = figures.funding * 500
    letter = b"%PDF-1.4\n" + bytes(rng.getrandbits(8) for _ in range(60_000))
    decision = Decision.objects.create(
        application=application, number=1, outcome="approved", requested_total=total, approved_total=total,
        language="de", letter=ContentFile(letter, name="bescheid.pdf"), letter_sha256=dossier.sha256(letter), decided_at=now,
    )  # fmt: skip
    DecisionLine.objects.bulk_create(
        DecisionLine(decision=decision, cost_line=line, requested=line.funding, approved=line.funding) for line in lines
    )
    grant = Grant.objects.create(application=application, call=call, operator=operator, number="G-DOSSIER-500",
                                 decision=decision, approved_amount=total, created_at=now)  # fmt: skip
    grant_lines = GrantLine.objects.bulk_create(
        GrantLine(grant=grant, cost_line=line, category_id=line.category_id, school_id=line.school_id,
                  position=line.position, description=line.description, amount=line.amount, approved=line.funding)
        for line in lines
    )  # fmt: skip
    found = DeviceModel.objects.filter(authority=data["authority"]).first()
    if found is None:
        from digileap.devices.tests.factories import DeviceModelFactory

        found = DeviceModelFactory.create(authority=data["authority"])
    device_model: DeviceModel = found
    devices = Device.objects.bulk_create(
        Device(serial=f"BENCH-SN-{n:05d}", manufacturer=device_model.manufacturer, device_model=device_model,
               device_type=device_model.device_type, programme=data["programme"], school=schools[n % 10],
               status="delivered", status_changed_at=now, delivered_on=today, created_at=now)
        for n in range(500)
    )  # fmt: skip
    through = InvoiceLine.devices.through
    invoice_lines = []
    for number in range(10):
        claim = Claim.objects.create(grant=grant, number=number + 1, state="submitted", amount=figures.funding * 50,
                                     submitted_at=now, created_at=now)  # fmt: skip
        scan = b"%PDF-1.4\n" + bytes(rng.getrandbits(8) for _ in range(200_000))
        invoice = Invoice(claim=claim, operator=operator, supplier_name="ACME GmbH", supplier_key="acme gmbh",
                          number=f"D-{number}", number_key=f"d-{number}", issued_on=today, total=figures.amount * 50,
                          original_filename=f"invoice-{number}.pdf", content_type="application/pdf",
                          size_bytes=len(scan), sha256=dossier.sha256(scan), uploaded_at=now)  # fmt: skip
        invoice.file.save(f"invoice-{number}.pdf", ContentFile(scan), save=True)
        invoice_lines += InvoiceLine.objects.bulk_create(
            InvoiceLine(invoice=invoice, grant_line=grant_lines[number * 50 + k], amount=figures.amount, claimed=figures.funding)
            for k in range(50)
        )  # fmt: skip
    through.objects.bulk_create(
        through(invoiceline_id=line.pk, device_id=device.pk)
        for line, device in zip(invoice_lines, devices, strict=True)
    )
    audit.record_many(
        actor=None,
        changes=[audit.change_for("create", line, after=audit.snapshot(line)) for line in lines]
        + [audit.change_for("create", line, after=audit.snapshot(line)) for line in grant_lines],
    )
    analyze()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        made = dossier.build_dossier(grant)
        timings.append(time.perf_counter() - started)
    same = dossier.build_dossier(grant) == made
    with zipfile.ZipFile(io.BytesIO(made)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    baseline_timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content_bytes in files.items():
                archive.writestr(name, content_bytes)
        baseline_timings.append(time.perf_counter() - started)
    seconds, baseline = statistics.median(timings), statistics.median(baseline_timings)
    verified = dossier.verify_dossier(io.BytesIO(made)).ok
    return {
        "lines": len(grant_lines),
        "files": len(files),
        "bytes": len(made),
        "audit_entries": json.loads(files["manifest.json"])["counts"]["audit_entries"],
        "seconds": seconds,
        "max_seconds": max(timings),
        "baseline_seconds": baseline,
        "ratio": seconds / baseline if baseline else None,
        "same_bytes": same,
        "verifies": verified,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_FUNDING_SCALE", "1")))
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--page-budget", dest="page_budget", type=float, default=30.0, help="seconds per page at most")
    args = parser.parse_args()
    setup()
    migrate()
    admin = bench_admin()
    started = time.perf_counter()
    data = build(args.scale, admin)
    analyze()
    build_seconds = time.perf_counter() - started
    log(f"built in {build_seconds:.0f} s: {data['counts']}")
    runs = pages(data, args.requests, args.page_budget)
    log("pages timed")
    application = application_figures(data, args.repeat)
    log("application timed")
    dossier = dossier_figures(data, max(3, args.repeat // 2))
    print(
        json.dumps(
            {
                "scale": args.scale,
                "counts": data["counts"],
                "build_seconds": build_seconds,
                "pages": runs,
                "application": application,
                "dossier": dossier,
            }
        )
    )


if __name__ == "__main__":
    main()


def report_lines(results: list[dict], table) -> list[str]:
    """The funding figures as run.py prints them (``table`` is run.py's table function)."""
    results = [r for r in results if "funding" in r]
    if not results:
        return []

    def ratio(figure: dict) -> str:
        return f"{figure['ratio']:.1f}x" if figure.get("ratio") else "-"

    page_rows, work_rows = [], []
    for r in results:
        f = r["funding"]
        for run in f["pages"]:
            if run.get("missing"):
                page_rows.append([f"{r['backend']}: {run['what']}", "-", "-", "-", "-", "-", "route missing", "-"])
                continue
            statuses = ", ".join(f"{code}x{n}" for code, n in sorted(run["statuses"].items()))
            page_rows.append(
                [
                    f"{r['backend']}: {run['what']}",
                    f"{run['requests']}",
                    f"{run['median_ms']:.1f}",
                    f"{run['p95_ms']:.1f}",
                    f"{run['baseline_seconds'] * 1000:.1f}",
                    ratio(run),
                    statuses,
                    "met" if run["p95_ms"] < 100 else "MISSED",
                ]
            )
        a = f["application"]
        for label, key, aim in (
            ("rules.check (pure), 40 schools, 400 lines", "rules_check", 0.3),
            ("application_check (load + check)", "application_check", 0.3),
            ("cost_line_add of the 400th line (check + save)", "cost_line_add", 0.3),
            ("application_submit (check + freeze 400 lines)", "application_submit", 0.3),
        ):
            figure = a[key]
            work_rows.append(
                [
                    f"{r['backend']}: {label}",
                    f"{figure['seconds'] * 1000:.0f} ms",
                    f"{figure['baseline_seconds'] * 1000:.1f} ms",
                    ratio(figure),
                    f"< {aim * 1000:.0f} ms",
                    "met" if figure["seconds"] < aim else "MISSED",
                ]
            )
        d = f["dossier"]
        work_rows.append(
            [
                f"{r['backend']}: grant dossier, {d['lines']} lines, {d['files']} files, {d['bytes'] / 1e6:.1f} MB",
                f"{d['seconds']:.2f} s",
                f"{d['baseline_seconds']:.2f} s",
                ratio(d),
                "< 5 s",
                "met" if d["seconds"] < 5 else "MISSED",
            ]
        )
    first = results[0]["funding"]
    counts = first["counts"]
    checks = ", ".join(
        f"{r['backend']}: same bytes {'yes' if r['funding']['dossier']['same_bytes'] else 'NO'}, "
        f"verifies {'yes' if r['funding']['dossier']['verifies'] else 'NO'}, "
        f"{r['funding']['application']['versions']} versions, problems {len(r['funding']['application']['problems'])}"
        for r in results
    )
    return [
        "",
        f"Funding at scale {first['scale']:g}: {counts['operators']:,} operators, {counts['schools']:,} schools, "
        f"{counts['applications']:,} applications, {counts['cost_lines']:,} cost lines, {counts['grants']:,} grants, "
        f"{counts['claims']:,} claims (aim: p95 < 100 ms)",
        table(
            page_rows,
            ["page", "requests", "median ms", "p95 ms", "baseline p95 ms", "ratio", "HTTP status x count", "aim"],
        ),  # fmt: skip
        "(Django test Client, server time per request; raw baseline: the plain SQL aggregates the page shows, p95)",
        "",
        "Funding: an application of 40 schools and 400 lines (median of the repeats), a grant dossier of 500 lines",
        table(work_rows, ["what", "measured", "baseline", "ratio", "aim", "met?"]),
        "(raw baselines: executemany of the same 400 cost line rows, rolled back; the dossier's files written "
        f"with zipfile directly) ({checks})",
    ]
