"""Seed 002, "De Digisprong in het Stedelijk Onderwijs Gent", at its real size (``load_seed_scenario ghent``).

What the seed states, and how it is played:

- **The registry**: the city's own schools, one school board (Stad Gent, Stedelijk Onderwijs Gent):
  34 primary schools (nursery and primary), 4 special primary schools, 12 secondary schools and 3
  special secondary schools in Ghent and its districts. Names and addresses are invented.
- **About 6,000 laptops from one supplier** (Signpost): a laptop for every pupil of the third stage
  of primary school (grades 5 and 6) and of secondary school, and, paid by the city, for their
  teachers; exactly 6,000 in all (5,355 for pupils, 645 for teachers).
- **Preparation, until the autumn holiday 2021** (1 to 7 November): the counts are declared per
  school (September), the class lists loaded, the software image chosen per school type, the user
  agreement drawn up (a Dutch agreement text) and the management rules agreed; every school is on
  the roll-out board and ticks its preparation steps; the document "User agreement and management
  rules" is uploaded by the project lead and approved by the director on 29 October 2021, so the
  preparation milestone is met.
- **Delivery, between the autumn holiday 2021 and the Carnival holiday 2022**: one delivery note a
  school, ready to use, from 8 November 2021 to 25 February 2022 (none in the Christmas holidays),
  imported as the supplier's delivery files and accepted by the school's ICT coordinator the next
  working day; the laptops are handed out to the pupils and teachers one to three working days
  later, and the user agreements are accepted (in the app, a few on paper, a few still open). All
  6,000 are delivered by 25 February 2022: the delivery target is met.
- **Aftercare, from delivery to the end of the school year 2022** (30 June): about 3 % of the
  laptops get a ticket (hardware, software, damage), answered and solved by the supplier within the
  contract's service levels; every school moves to aftercare and its board closes on 30 June 2022,
  when the aftercare closing report is approved: the aftercare milestone is met.
- **History**: snapshots every Monday and month end from 1 September 2021 to today.

``--scale small`` plays the same at a tenth (6 schools, 600 laptops: 530 for pupils, 70 for
teachers) against the delivery target
scaled the same way.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone

from digileap.core.pdf import pdf_file

from . import ghent_training  # issue 14: the training part
from ._e2_common import ensure_person, hand_out_in_bulk, import_rows, load_schools
from .base import (
    Operator,
    RegistrySpec,
    Run,
    Scenario,
    SchoolKind,
    add_working_days,
    clock,
    ensure_device_model,
    ensure_supplier,
    generate_registry,
    history_days,
    moment,
    record_history,
    split_total,
    working_days,
)

SCHOOL_YEAR = "2021/22"
LAPTOPS = 6_000
TEACHER_LAPTOPS_AT_LEAST = 400
TICKET_SHARE = 0.03
CLASS_SIZE = 22
SUPPLIER = "Signpost"
CONTRACT = "SOG-DIGISPRONG-2021"
NOTE_PREFIX = "SP-GNT-"

PREPARATION_STARTS = datetime.date(2021, 9, 1)
AUTUMN_HOLIDAY = (datetime.date(2021, 11, 1), datetime.date(2021, 11, 7))
CHRISTMAS_HOLIDAY = (datetime.date(2021, 12, 27), datetime.date(2022, 1, 9))
DELIVERY_STARTS = datetime.date(2021, 11, 8)
DELIVERY_ENDS = datetime.date(2022, 2, 25)  # the Friday before the Carnival holiday
CARNIVAL_HOLIDAY = (datetime.date(2022, 2, 28), datetime.date(2022, 3, 6))
SCHOOL_YEAR_ENDS = datetime.date(2022, 6, 30)
PREPARATION_APPROVED = datetime.date(2021, 10, 29)

DISTRICTS = (
    ("Gent", "9000"),
    ("Ledeberg", "9050"),
    ("Gentbrugge", "9050"),
    ("Mariakerke", "9030"),
    ("Drongen", "9031"),
    ("Wondelgem", "9032"),
    ("Sint-Amandsberg", "9040"),
    ("Oostakker", "9041"),
    ("Sint-Kruis-Winkel", "9042"),
    ("Sint-Denijs-Westrem", "9051"),
    ("Zwijnaarde", "9052"),
)
PRIMARY = ("BAO", "BUBAO")
SPECIAL = ("BUBAO", "BUSO")

REGISTRY = RegistrySpec(
    authority_code="BE-GENT",
    number_prefix="GNT",
    school_year=SCHOOL_YEAR,
    language="nl",
    kinds=(
        SchoolKind("BAO", "Stedelijke Basisschool", (0, 1), count=34, size=(150, 430), pupils_per_teacher=13),
        SchoolKind(
            "BUBAO",
            "Stedelijke School voor Buitengewoon Basisonderwijs",
            (1,),
            count=4,
            size=(60, 170),
            pupils_per_teacher=5,
        ),
        SchoolKind("SO", "Stedelijk Secundair Onderwijs", (2, 3), count=12, size=(150, 480), pupils_per_teacher=9),
        SchoolKind(
            "BUSO",
            "Stedelijke School voor Buitengewoon Secundair Onderwijs",
            (2, 3),
            count=3,
            size=(80, 220),
            pupils_per_teacher=5,
        ),
    ),  # fmt: skip
    operators=(Operator("SOG", "Stad Gent – Stedelijk Onderwijs Gent"),),
    places=DISTRICTS,
    bbox=(51.01, 3.66, 51.11, 3.79),
    streets=(
        "Sint-Pietersnieuwstraat",
        "Brusselsesteenweg",
        "Kortrijksesteenweg",
        "Dendermondsesteenweg",
        "Wondelgemstraat",
        "Meulestedekaai",
        "Oude Houtlei",
        "Francisco Ferrerlaan",
    ),
    name_pattern="{label} {city} {index}",
)

# kind: (code, manufacturer, name, device type, price, warranty months), serial prefix
CATALOGUE = {
    "pupil": ("lenovo-300w-g3", "Lenovo", "300w Yoga Gen 3", "laptop", Decimal("429.00"), 48),
    "teacher": ("lenovo-l14-g2", "Lenovo", "ThinkPad L14 Gen 2", "laptop", Decimal("789.00"), 48),
}
SERIAL_PREFIX = {"pupil": "PF3WGNT", "teacher": "PF14GNT"}
OS_PROFILES = {
    "BAO": "Windows 11 Education – basisonderwijs",
    "BUBAO": "Windows 11 Education – buitengewoon onderwijs",
    "SO": "Windows 11 Education – secundair onderwijs",
    "BUSO": "Windows 11 Education – buitengewoon onderwijs",
}
AGREEMENT_TITLE = "Gebruikersovereenkomst laptop Stedelijk Onderwijs Gent"
AGREEMENT_BODY = (
    "In het kader van {programme} stelt {school} vanaf {date} de laptop {device} (serienummer {serial}) "
    "met {kit} ter beschikking van {recipient}. De laptop blijft eigendom van Stad Gent. Je meldt je aan "
    "met je onderwijs-account; de software wordt centraal beheerd en op afstand bijgewerkt. Je gaat "
    "zorgvuldig met de laptop om, installeert geen software buiten het beheersysteem en geeft de laptop "
    "terug wanneer je de school verlaat. Schade, verlies of diefstal meld je meteen aan de ICT-coördinator "
    "van de school."
)
TICKETS = (
    # category, weight, description, resolution
    ("hardware", 45, "Het toestel start niet op; het laadlampje knippert.", "Moederbord vervangen onder garantie."),
    ("software", 30, "Aanmelden met het onderwijs-account lukt niet na de laatste update.",
     "Profiel opnieuw uitgerold via het centrale beheersysteem."),
    ("damage", 25, "Scherm gebarsten na een val.", "Scherm vervangen; toestel schoongemaakt en getest."),
)  # fmt: skip


class Ghent(Scenario):
    """Seed 002: the city's 53 schools, 6,000 laptops from Signpost in three phases (preparation,
    delivery, aftercare) with agreements, hand-outs and tickets."""

    name = "ghent"
    programme_code = "ghent-digisprong"
    seed = 2021

    def steps(self):
        return [
            self.registry,
            self.people,
            self.preparation,
            self.deliveries,
            self.hand_outs,
            self.aftercare,
            self.training,  # issue 14: ghent_training.py
            self.history,
        ]

    # -- the steps -------------------------------------------------------------------------------

    def registry(self, run: Run) -> None:
        schools = generate_registry(REGISTRY, run.scale, run.rng("registry"))
        with clock(moment(datetime.date(2021, 8, 30))):
            run.add("schools", load_schools(run, REGISTRY, schools))

    def people(self, run: Run) -> None:
        """The project lead and the director (programme owners), the supplier's service desk and an
        ICT coordinator for every school."""
        authority = run.programme.authority
        with clock(moment(datetime.date(2021, 8, 31))):
            supplier = ensure_supplier(run, SUPPLIER, vat_number="BE0899999999", email="support@signpost.example.org")
            ensure_person(run, username="gent.projectleider", first_name="Projectleider", last_name="Digisprong",
                          role="programme_owner", scope_kind="authority", scope=authority)  # fmt: skip
            ensure_person(run, username="gent.directeur", first_name="Directeur", last_name="Stedelijk Onderwijs",
                          role="programme_owner", scope_kind="authority", scope=authority)  # fmt: skip
            ensure_person(run, username="signpost.servicedesk", first_name="Service desk", last_name="Signpost",
                          role="supplier", scope_kind="supplier", scope=supplier)  # fmt: skip
            for school in run.schools():
                ensure_person(
                    run,
                    username=f"gent.ict.{school.number.lower()}",
                    first_name="ICT-coördinator",
                    last_name=school.number,
                    role="school_coordinator",
                    scope_kind="school",
                    scope=school,
                )

    def preparation(self, run: Run) -> None:
        """September and October 2021: contract and catalogue, the counts, the class lists, the
        software image per school type, the agreement, the management rules, the approved document."""
        from digileap.allocation.services.needs import need_declare
        from digileap.devices.services.agreements import agreement_template_create
        from digileap.devices.services.board import checklist_tick, rollout_move_phase, rollout_start
        from digileap.devices.services.catalogue import contract_create, contract_item_add
        from digileap.programmes.services import evidence_document_approve, evidence_document_upload

        programme = run.programme
        supplier = ensure_supplier(run, SUPPLIER)
        with clock(moment(datetime.date(2021, 9, 1), 9)):
            models = {kind: self._model(run, kind) for kind in CATALOGUE}
            contract = contract_create(
                actor=run.actor,
                authority=programme.authority,
                supplier=supplier,
                reference=CONTRACT,
                title="Digisprong: laptops voor leerlingen en leerkrachten, kant-en-klaar geleverd, met nazorg",
                starts_on=datetime.date(2021, 9, 1),
                ends_on=datetime.date(2025, 8, 31),
                response_hours=8,
                repair_hours=72,
            )
            for kind, model in models.items():
                contract_item_add(actor=run.actor, contract=contract, device_model=model, unit_price=CATALOGUE[kind][4])
        schools = list(run.schools())
        plan = self._laptops(run)
        # The roll-out board: every school in preparation, with the image of its school type.
        with clock(moment(datetime.date(2021, 9, 6), 9)):
            for school in schools:
                rollout_start(
                    programme=programme, school=school, actor=run.actor, os_profile=OS_PROFILES[school.type_code]
                )
        run.add("schools on the board", len(schools))
        # The counts: each school declares its laptops (pupils of grades 5-6 or secondary, teachers).
        days = working_days(datetime.date(2021, 9, 13), datetime.date(2021, 9, 30))
        for position, school in enumerate(schools):
            pupils, teachers = plan[school.pk]
            coordinator = self._coordinator(school)
            with clock(moment(days[position % len(days)], 10, position % 60)):
                need_declare(
                    actor=coordinator,
                    school=school,
                    school_year=SCHOOL_YEAR,
                    note="Digisprong: leerlingen derde graad / secundair en hun leerkrachten",
                    lines=[{"device_type": "laptop", "needed": pupils + teachers}],
                )
                checklist_tick(item=self._step(school, "counts_confirmed"), actor=coordinator)
        run.add("need declarations", len(schools))
        # The class lists of the pupils and teachers who get a laptop.
        rows = []
        for school in schools:
            pupils, teachers = plan[school.pk]
            rows += self._class_list(school, pupils, teachers)
        with clock(moment(datetime.date(2021, 10, 4), 8)):
            result = import_rows(run, target="recipients", profile="class-list", rows=rows, filename="klaslijsten.csv")
        run.add("recipients", result.created)
        # The software image per school type; the agreement and the management rules.
        with clock(moment(datetime.date(2021, 10, 8), 14)):
            for school in schools:
                checklist_tick(item=self._step(school, "os_profile_chosen"), actor=run.actor)
        owner, director = self._person("gent.projectleider"), self._person("gent.directeur")
        from digileap.devices.models import AgreementTemplate

        # The demo (seed_demo) may have given the programme its Dutch agreement already: it is used.
        if not AgreementTemplate.objects.filter(programme=programme, language="nl", is_active=True).exists():
            with clock(moment(datetime.date(2021, 10, 12), 11)):
                agreement_template_create(
                    actor=owner, programme=programme, language="nl", title=AGREEMENT_TITLE, body=AGREEMENT_BODY
                )
            run.add("agreement templates", 1)
        with clock(moment(datetime.date(2021, 10, 20), 16)):
            for school in schools:
                checklist_tick(item=self._step(school, "agreements_sent"), actor=run.actor)
                checklist_tick(item=self._step(school, "management_rules_agreed"), actor=run.actor)
        target = programme.targets.get(position=1)
        with clock(moment(datetime.date(2021, 10, 25), 15)):
            document = evidence_document_upload(
                actor=owner,
                programme=programme,
                title="Gebruikersovereenkomst en beheersregels",
                file=pdf_file("gebruikersovereenkomst-en-beheersregels.pdf", "Gebruikersovereenkomst en beheersregels"),
                target=target,
            )
        with clock(moment(PREPARATION_APPROVED, 11)):
            evidence_document_approve(actor=director, document=document)
        run.add("evidence documents", 1)
        # Every school leaves preparation before the autumn holiday.
        with clock(moment(datetime.date(2021, 10, 29), 17)):
            for school in schools:
                rollout_move_phase(rollout=school.rollouts.get(programme=programme), phase="delivery", actor=run.actor)

    def deliveries(self, run: Run) -> None:
        """One delivery a school between the autumn and the Carnival holidays, accepted the next
        working day by the school's ICT coordinator."""
        from digileap.devices.models import Delivery
        from digileap.devices.services.board import checklist_tick
        from digileap.devices.services.deliveries import delivery_accept

        plan = self._laptops(run)
        models = {kind: self._model(run, kind) for kind in CATALOGUE}
        days = self._delivery_days()
        schools = list(run.schools())
        serials: defaultdict[str, int] = defaultdict(int)
        for position, school in enumerate(schools):
            day = days[position * len(days) // len(schools)]
            note = f"{NOTE_PREFIX}{position + 1:04d}"
            rows = []
            for kind, count in zip(("pupil", "teacher"), plan[school.pk], strict=True):
                for _ in range(count):
                    serials[kind] += 1
                    rows.append(
                        {
                            "serial": f"{SERIAL_PREFIX[kind]}{serials[kind]:05d}",
                            "model": models[kind].code,
                            "school": school.number,
                            "delivery_note": note,
                            "delivered_on": day.isoformat(),
                            "programme": run.programme.code,
                            "condition": "new",
                        }
                    )
            with clock(moment(day, 8)):
                result = import_rows(
                    run,
                    target="deliveries",
                    profile="generic",
                    rows=rows,
                    filename=f"signpost-{note.lower()}.csv",
                    overrides={"supplier": SUPPLIER},
                )
            run.add("devices", result.created)
            delivery = Delivery.objects.get(programme=run.programme, note_number=note, school=school)
            coordinator = self._coordinator(school)
            accepted_on = add_school_days(day, 1)
            with clock(moment(accepted_on, 15)):
                delivery_accept(delivery=delivery, actor=coordinator, note="Kant-en-klaar geleverd, volledig.")
                checklist_tick(item=self._step(school, "delivery_received"), actor=coordinator)
                checklist_tick(item=self._step(school, "delivery_accepted"), actor=coordinator)
            run.add("deliveries", 1)

    def hand_outs(self, run: Run) -> None:
        """Each school hands its laptops out one to three working days after accepting them, a class
        after the other: the first class through the hand-out service (one device at a time, as the
        scan loop does), the others in bulk (``hand_out_in_bulk``: the same rows and audit events).
        The agreements are accepted in the app (most), on paper (a few) or are still open (1 %)."""
        from digileap.devices.models import AgreementTemplate, Delivery, Device, Recipient, UserAgreement
        from digileap.devices.services.agreements import agreement_accept_in_app, agreement_accept_paper
        from digileap.devices.services.assignments import device_assign
        from digileap.devices.services.board import checklist_tick

        rng = run.rng("hand_outs")
        template = AgreementTemplate.objects.get(programme=run.programme, language="nl", is_active=True)
        in_app, on_paper = [], []
        # The registry's schools only (the demo may have delivered devices of the programme elsewhere).
        deliveries = (
            Delivery.objects.filter(programme=run.programme, school__authority_id=run.programme.authority_id)
            .select_related("school")
            .order_by("delivered_on", "note_number")
        )
        for delivery in deliveries:
            school = delivery.school
            coordinator = self._coordinator(school)
            assert delivery.accepted_at is not None  # accepted in the deliveries step
            day = add_school_days(timezone_day(delivery.accepted_at), rng.randint(1, 3))
            pairs: list[tuple[Device, Recipient]] = []
            for kind in ("pupil", "teacher"):
                recipients = Recipient.objects.filter(school=school, kind=kind).order_by("reference")
                devices = Device.objects.filter(delivery=delivery, device_model__code=CATALOGUE[kind][0])
                pairs += zip(devices.order_by("serial"), recipients, strict=True)
            classes = [pairs[start : start + CLASS_SIZE] for start in range(0, len(pairs), CLASS_SIZE)]
            for number, group in enumerate(classes):
                at = moment(day, 8, 30) + datetime.timedelta(minutes=50 * number)
                answers = {}
                for device, recipient in group:
                    draw = rng.random()
                    signer = "teacher" if recipient.kind == "teacher" else ("parent" if rng.random() < 0.9 else "pupil")
                    if draw < 0.95:
                        when = moment(add_working_days(day, rng.randint(0, 6)), 19, rng.randint(0, 59))
                        answers[device.pk] = ("app", when, signer)
                    elif draw < 0.99:
                        when = moment(add_working_days(day, rng.randint(2, 8)), 12, rng.randint(0, 59))
                        answers[device.pk] = ("paper", when, signer)
                if number == 0:
                    for index, (device, recipient) in enumerate(group):
                        moment_ = at + datetime.timedelta(seconds=40 * index)
                        with clock(moment_):
                            device_assign(device=device, recipient=recipient, actor=coordinator, at=moment_)
                    in_app += [(a[1], device_id, a[2]) for device_id, a in answers.items() if a[0] == "app"]
                else:
                    with clock(at):
                        hand_out_in_bulk(
                            pairs=[(device.pk, recipient.pk) for device, recipient in group],
                            at=at,
                            by=coordinator,
                            template=template,
                            accepted={d: (a[1], a[2]) for d, a in answers.items() if a[0] == "app"},
                        )
                    run.add("agreements accepted (app)", sum(1 for a in answers.values() if a[0] == "app"))
                on_paper += [
                    (a[1], device_id, a[2], coordinator) for device_id, a in answers.items() if a[0] == "paper"
                ]
                run.add("hand-outs", len(group))
            with clock(moment(day, 16)):
                checklist_tick(item=self._step(school, "devices_handed_out"), actor=coordinator)
        for when, device_id, signer in sorted(in_app):
            agreement = UserAgreement.objects.get(assignment__device_id=device_id)
            with clock(when):
                agreement_accept_in_app(token=agreement.token, signed_by=signer)
            run.add("agreements accepted (app)", 1)
        for when, device_id, signer, coordinator in sorted(on_paper, key=lambda item: item[:2]):
            agreement = UserAgreement.objects.get(assignment__device_id=device_id)
            with clock(when):
                agreement_accept_paper(
                    actor=coordinator,
                    agreement=agreement,
                    signed_by=signer,
                    scan=pdf_file(f"overeenkomst-{agreement.pk}.pdf", f"Ondertekende overeenkomst {agreement.pk}"),
                )
            run.add("agreements accepted (paper)", 1)

    def aftercare(self, run: Run) -> None:
        """From delivery to 30 June 2022: tickets solved with the supplier, the schools' boards in
        aftercare and closed at the end of the school year, the closing report approved."""
        from digileap.devices.models import Assignment
        from digileap.devices.services.board import checklist_tick, rollout_move_phase
        from digileap.devices.services.tickets import (
            ticket_acknowledge,
            ticket_close,
            ticket_open,
            ticket_resolve,
            ticket_start_repair,
        )
        from digileap.programmes.services import evidence_document_approve, evidence_document_upload

        rng = run.rng("aftercare")
        programme = run.programme
        desk = self._person("signpost.servicedesk")
        schools = list(run.schools())
        # Every school goes into aftercare once its laptops are out, until the end of the school year.
        ours = Assignment.objects.filter(
            device__programme=programme, recipient__school__authority_id=programme.authority_id
        )
        first_hand_out = dict(
            ours.order_by()
            .values_list("recipient__school_id")
            .annotate(first=Min("assigned_at"))
            .values_list("recipient__school_id", "first")
        )
        for school in sorted(schools, key=lambda s: first_hand_out[s.pk]):
            coordinator = self._coordinator(school)
            day = add_working_days(timezone_day(first_hand_out[school.pk]), 1)
            with clock(moment(day, 16)):
                rollout_move_phase(
                    rollout=school.rollouts.get(programme=programme),
                    phase="aftercare",
                    actor=coordinator,
                    aftercare_until=SCHOOL_YEAR_ENDS,
                )
                checklist_tick(item=self._step(school, "aftercare_contact_known"), actor=coordinator)
            with clock(moment(add_working_days(day, 10), 10)):
                checklist_tick(item=self._step(school, "first_check_in_done"), actor=coordinator)
        # Tickets: about 3 % of the laptops, from a week after the hand-out to mid-June.
        assignments = list(ours.select_related("device", "recipient__school").order_by("device__serial"))
        chosen = rng.sample(assignments, run.count(round(LAPTOPS * TICKET_SHARE)))
        plans = []
        for assignment in chosen:
            earliest = add_working_days(timezone_day(assignment.assigned_at), 5)
            latest = datetime.date(2022, 6, 10)
            days = working_days(earliest, latest) or [latest]
            opened = moment(rng.choice(days), 9, rng.randint(0, 59))
            category, _weight, description, resolution = rng.choices(TICKETS, weights=[t[1] for t in TICKETS])[0]
            plans.append((opened, assignment, category, description, resolution))
        for opened, assignment, category, description, resolution in sorted(plans, key=lambda p: (p[0], p[1].pk)):
            coordinator = self._coordinator(assignment.recipient.school)
            with clock(opened):
                ticket = ticket_open(
                    device=assignment.device, category=category, description=description, actor=coordinator, at=opened
                )
            acknowledged = opened + datetime.timedelta(hours=rng.randint(1, 6))
            with clock(acknowledged):
                ticket_acknowledge(ticket=ticket, actor=desk, at=acknowledged)
            if category in ("hardware", "damage"):
                started = acknowledged + datetime.timedelta(hours=20)
                with clock(started):
                    ticket_start_repair(ticket=ticket, actor=desk, at=started)
                resolved = moment(add_working_days(timezone_day(started), rng.randint(1, 2)), 14)
            else:
                resolved = acknowledged + datetime.timedelta(hours=rng.randint(2, 30))
            with clock(resolved):
                ticket_resolve(ticket=ticket, resolution=resolution, actor=desk, at=resolved)
            closed = moment(add_working_days(timezone_day(resolved), 1), 11)
            with clock(closed):
                ticket_close(ticket=ticket, actor=coordinator, at=closed)
            run.add("tickets", 1)
        # The end of the school year: the boards close, the closing report is approved.
        with clock(moment(SCHOOL_YEAR_ENDS, 12)):
            for school in schools:
                rollout_move_phase(rollout=school.rollouts.get(programme=programme), phase="closed", actor=run.actor)
        owner, director = self._person("gent.projectleider"), self._person("gent.directeur")
        with clock(moment(datetime.date(2022, 6, 27), 10)):
            document = evidence_document_upload(
                actor=owner,
                programme=programme,
                title="Eindrapport nazorg",
                file=pdf_file("eindrapport-nazorg.pdf", "Eindrapport nazorg Digisprong Stedelijk Onderwijs Gent"),
                target=programme.targets.get(position=3),
            )
        with clock(moment(SCHOOL_YEAR_ENDS, 15)):
            evidence_document_approve(actor=director, document=document)
        run.add("evidence documents", 1)

    def training(self, run: Run) -> None:
        """The free ICT courses of the Signpost Academy (issue 14): ``ghent_training.training``."""
        ghent_training.training(run)

    def history(self, run: Run) -> None:
        due_dates = list(run.programme.targets.values_list("due_date", flat=True))
        record_history(
            run,
            history_days(PREPARATION_STARTS, run.today, extra=[*due_dates, PREPARATION_APPROVED, DELIVERY_ENDS]),
        )

    # -- helpers ----------------------------------------------------------------------------------

    def _model(self, run: Run, kind: str):
        code, manufacturer, name, device_type, price, warranty = CATALOGUE[kind]
        return ensure_device_model(
            run,
            code=code,
            manufacturer=manufacturer,
            name=name,
            device_type=device_type,
            unit_price=price,
            warranty_months=warranty,
        )

    @staticmethod
    def _person(username: str):
        from digileap.accounts.models import User

        return User.objects.get(username=username)

    def _coordinator(self, school):
        return self._person(f"gent.ict.{school.number.lower()}")

    @staticmethod
    def _step(school, code: str):
        from digileap.devices.models import ChecklistItem

        return ChecklistItem.objects.get(
            rollout__school=school, rollout__programme__code=Ghent.programme_code, code=code
        )

    @staticmethod
    def _delivery_days() -> list[datetime.date]:
        """The working days between the autumn and the Carnival holidays, without the Christmas holidays."""
        start, end = CHRISTMAS_HOLIDAY
        return [day for day in working_days(DELIVERY_STARTS, DELIVERY_ENDS) if not start <= day <= end]

    @staticmethod
    def _laptops(run: Run) -> dict[int, tuple[int, int]]:
        """School id -> (laptops for pupils, laptops for teachers): every pupil of grades 5 and 6
        (a third of the primary pupils) and of secondary school, as far as the total allows, and
        the rest for the teachers, in proportion to each school's teachers; exactly ``LAPTOPS`` at
        full scale."""
        from digileap.schools.models import Enrolment, StaffCount

        schools = list(run.schools())
        enrolled: dict[int, dict[int | None, int]] = defaultdict(dict)
        for school_id, level, pupils in Enrolment.objects.filter(
            school__in=schools, school_year=SCHOOL_YEAR
        ).values_list("school_id", "level", "pupils"):
            enrolled[school_id][level] = enrolled[school_id].get(level, 0) + pupils
        teachers = dict(
            StaffCount.objects.filter(school__in=schools, school_year=SCHOOL_YEAR).values_list("school_id", "teachers")
        )
        eligible = []
        for school in schools:
            levels = enrolled[school.pk]
            if school.type_code in PRIMARY:
                eligible.append(round(levels.get(1, 0) / 3))
            else:
                eligible.append(levels.get(2, 0) + levels.get(3, 0))
        total = run.count(LAPTOPS)
        for_pupils = min(sum(eligible), total - run.count(TEACHER_LAPTOPS_AT_LEAST))
        pupil_parts = split_total(for_pupils, eligible)
        teacher_parts = split_total(total - for_pupils, [teachers.get(school.pk, 1) for school in schools])
        return {
            school.pk: (pupils, staff)
            for school, pupils, staff in zip(schools, pupil_parts, teacher_parts, strict=True)
        }

    @staticmethod
    def _class_list(school, pupils: int, teachers: int) -> list[dict[str, str]]:
        """Pupils in classes of at most 22 (grades 5-6, or the six secondary years) and teachers."""
        if school.type_code in PRIMARY:
            grades = [(5, 1), (6, 1)]
        else:
            grades = [(7, 2), (8, 2), (9, 2), (10, 2), (11, 3), (12, 3)]
        per_grade = split_total(pupils, [1] * len(grades))
        rows: list[dict[str, str]] = []
        for (grade, level), count in zip(grades, per_grade, strict=True):
            classes = max(1, -(-count // 22))
            for n in range(count):
                group = f"{grade}{'ABCDEFGHIJKL'[n % classes]}"
                rows.append(
                    {
                        "reference": f"LL{len(rows) + 1:04d}",
                        "grade": str(grade),
                        "class": group,
                        "level": str(level),
                        "role": "pupil",
                        "school": school.number,
                    }
                )
        for n in range(teachers):
            rows.append(
                {"reference": f"LK{n + 1:03d}", "grade": "", "class": "", "level": "", "role": "teacher",
                 "school": school.number}
            )  # fmt: skip
        return rows

    def extra_summary(self, run: Run) -> dict:
        from digileap.devices.models import Assignment, Delivery, Device, Ticket, UserAgreement

        devices = Device.objects.filter(programme=run.programme)
        deliveries = Delivery.objects.filter(programme=run.programme)
        first = deliveries.order_by("delivered_on").values_list("delivered_on", flat=True).first()
        last = deliveries.order_by("-delivered_on").values_list("delivered_on", flat=True).first()
        return {
            "laptops_for_pupils": devices.filter(device_model__code=CATALOGUE["pupil"][0]).count(),
            "laptops_for_teachers": devices.filter(device_model__code=CATALOGUE["teacher"][0]).count(),
            "deliveries": deliveries.count(),
            "delivered_from": first.isoformat() if first else None,
            "delivered_until": last.isoformat() if last else None,
            "handed_out": Assignment.objects.filter(device__programme=run.programme).count(),
            "agreements_accepted": UserAgreement.objects.filter(
                assignment__device__programme=run.programme, status="accepted"
            ).count(),
            "tickets": Ticket.objects.filter(device__programme=run.programme).count(),
        }


def add_school_days(day: datetime.date, count: int) -> datetime.date:
    """The school day ``count`` school days after ``day``: Monday to Friday outside the Christmas
    and Carnival holidays (schools receive and hand out nothing while they are closed)."""
    while count > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5 and not any(start <= day <= end for start, end in (CHRISTMAS_HOLIDAY, CARNIVAL_HOLIDAY)):
            count -= 1
    return day


def timezone_day(at: datetime.datetime) -> datetime.date:
    """The local day of ``at``."""
    return timezone.localdate(at)
