"""Demo data: a deterministic, realistic school registry and one demo user per role.

``generate(schools=N, seed=S)`` builds the registry in memory (same seed, same data), spread over
three fictional authorities with German, Flemish and Latvian flavour. ``registry_csv`` writes one
school year of it in the generic import profile's columns, and ``seed_demo`` loads it through the
import engine (so the demo also exercises the importer), adds second buildings, a demo supplier
and the demo users. Running ``seed_demo`` again changes nothing. Every place, operator and school
is invented; the demo users are role names, not persons.
"""

import csv
import io
import itertools
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, TypedDict

from django.db import transaction
from django.utils.translation import gettext_noop

from digileap.core import audit
from digileap.devices.demo import SUPPLIER_NAME

DEMO_PASSWORD = "digileap-demo"
DEFAULT_SCHOOLS = 240
DEFAULT_SEED = 2024
SCHOOL_YEARS = ("2023/24", "2024/25")

# Names are stored in English and shown in the reader's language (marked here for the catalogues).
ELIGIBILITY_GROUPS = [
    (
        "low-income",
        gettext_noop("Pupils from low-income families"),
        "Families receiving means-tested social assistance or a low-income status.",
    ),
    ("large-family", gettext_noop("Pupils from large families"), "Families raising three or more children."),
    ("foster-care", gettext_noop("Pupils in foster or guardianship care"), "Children in out-of-family care."),
]


# -- what the generator knows about each flavour ------------------------------------------------


@dataclass(frozen=True)
class SchoolType:
    """A national school type: its levels, the grades it splits into, its usual size."""

    code: str
    label: str
    levels: tuple[int, ...]
    grades: dict[int, tuple[int, ...]]  # level -> grades; a level missing here is given as a total
    size: tuple[int, int]
    pupils_per_teacher: float
    weight: int
    operated_by: str = "municipality"  # or "district"
    private_share: float = 0.1


@dataclass(frozen=True)
class Flavour:
    """One fictional authority and the national habits of its registry."""

    key: str
    authority_code: str
    authority_name: str
    authority_kind: str
    country: str
    language: str
    ses_scale: str
    share: float
    bbox: tuple[float, float, float, float]  # south, west, north, east
    types: tuple[SchoolType, ...]
    number_base: int
    number_width: int


G = range  # grade ranges read better below
DE_TYPES = (
    SchoolType("GS", "Grundschule", (1,), {1: tuple(G(1, 5))}, (60, 420), 15.0, 44),
    SchoolType("RegS", "Regionale Schule", (2,), {2: tuple(G(5, 11))}, (150, 550), 12.5, 12),
    SchoolType("GY", "Gymnasium", (2, 3), {2: tuple(G(5, 11)), 3: (11, 12)}, (420, 1100), 13.0, 10, private_share=0.12),
    SchoolType(
        "GRS", "Grund- und Regionalschule", (1, 2), {1: tuple(G(1, 5)), 2: tuple(G(5, 11))}, (200, 620), 13.5, 8
    ),
    SchoolType(
        "IGS",
        "Integrierte Gesamtschule",
        (1, 2, 3),
        {1: tuple(G(1, 5)), 2: tuple(G(5, 11)), 3: (11, 12, 13)},
        (500, 1300),
        12.5,
        4,
    ),
    SchoolType(
        "FS", "Förderschule", (1, 2), {1: tuple(G(1, 5)), 2: tuple(G(5, 10))}, (40, 160), 5.5, 8, "district", 0.15
    ),
    SchoolType("BS", "Berufliche Schule", (3, 4), {}, (400, 2200), 18.0, 5, "district", 0.08),
)
NL_TYPES = (
    SchoolType("BaO", "Basisschool", (0, 1), {1: tuple(G(1, 7))}, (110, 520), 15.0, 52, private_share=0.6),
    SchoolType("MS", "Middenschool", (2,), {2: (7, 8)}, (180, 620), 11.0, 6, private_share=0.3),
    SchoolType(
        "SO", "Secundaire school", (2, 3), {2: (7, 8), 3: tuple(G(9, 13))}, (350, 1400), 10.5, 16, private_share=0.65
    ),
    SchoolType("BuBaO", "Buitengewoon basisonderwijs", (1,), {1: tuple(G(1, 7))}, (40, 180), 5.0, 6, "district", 0.5),
    SchoolType("BuSO", "Buitengewoon secundair onderwijs", (2, 3), {}, (60, 260), 5.0, 4, "district", 0.5),
    SchoolType(
        "CAMP",
        "Scholencampus",
        (0, 1, 2, 3),
        {1: tuple(G(1, 7)), 2: (7, 8), 3: tuple(G(9, 13))},
        (600, 1600),
        12.0,
        3,
        private_share=0.5,
    ),
)
LV_TYPES = (
    SchoolType("PII", "pirmsskolas izglītības iestāde", (0,), {}, (40, 300), 9.0, 14, private_share=0.1),
    SchoolType("SAK", "sākumskola", (1,), {1: tuple(G(1, 7))}, (20, 160), 11.0, 8, private_share=0.15),
    SchoolType("PAM", "pamatskola", (1, 2), {1: tuple(G(1, 7)), 2: (7, 8, 9)}, (60, 420), 10.0, 28, private_share=0.05),
    SchoolType(
        "VID",
        "vidusskola",
        (1, 2, 3),
        {1: tuple(G(1, 7)), 2: (7, 8, 9), 3: (10, 11, 12)},
        (250, 1100),
        11.5,
        24,
        private_share=0.06,
    ),
    SchoolType("GIM", "ģimnāzija", (2, 3), {2: (7, 8, 9), 3: (10, 11, 12)}, (300, 900), 12.0, 8),
    SchoolType(
        "SPEC", "speciālā pamatskola", (1, 2), {1: tuple(G(1, 7)), 2: (7, 8, 9)}, (30, 140), 4.5, 8, "district", 0.0
    ),
    SchoolType("PROF", "profesionālā vidusskola", (3, 4), {}, (250, 900), 14.0, 6, "district", 0.05),
)

FLAVOURS = {
    "de": Flavour(
        "de",
        "DEMO-NH",
        "Land Nordhafen (demo)",
        "ministry",
        "DE",
        "de",
        "de-hh-sozialindex",
        0.5,
        (53.15, 10.70, 54.55, 14.30),
        DE_TYPES,
        75_100_000,
        8,
    ),
    "nl": Flavour(
        "nl",
        "DEMO-BM",
        "Regio Brabant-Midden (demo)",
        "region",
        "BE",
        "nl",
        "be-vl-disadvantaged-share",
        0.3,
        (50.70, 3.60, 51.30, 5.10),
        NL_TYPES,
        110_000,
        6,
    ),
    "lv": Flavour(
        "lv",
        "DEMO-VZ",
        "Vidzemes reģions (demo)",
        "region",
        "LV",
        "lv",
        "generic-disadvantage-0-1",
        0.2,
        (56.60, 24.40, 57.80, 27.40),
        LV_TYPES,
        4_310_000_000,
        10,
    ),
}

# Syllables for invented place names: plausible, but (by construction, mostly) no real town.
PLACE_PARTS = {
    "de": (
        "Lin Ros Hel Bir Wen Kar Mel Sten Dar Gro Bra Fal Hol Kren Lud Mar Nien Ost Pel Quer Rib Sal Tes Ul Wal Zie "
        "Bal Eich Fin Gah Ham Isen Jar Lau".split(),
        "denau stedt hagen kow dorf ow in itz hausen beck werder feld brück hof mühl rade tin see wald berg".split(),
    ),
    "nl": (
        "Lin Ros Hel Bie Wen Kor Mel Sten Der Gro Bra Val Hol Kren Lu Mar Nie Oos Pel Ker Rib Sal Tes Ul Wal Zie "
        "Bal Eik Fin Gan Ham Ise Jan Lau".split(),
        "dele loo gem kerke donk hout beek zele rode broek inge ham hove mere dries veld akker laar".split(),
    ),
    "lv": (
        "Aiz Bir Cel Dzir Egl Galv Jaun Kal Lauk Mež Priež Rub Sil Sprūd Stir Tīr Vec Zīl Krast Lej Ozol Pur Rām "
        "Skuj Upm".split(),
        "kalne ciema lauki muiža krasti ezeri pļava grava sala vieta mala strauti".split(),
    ),
}
PLACE_QUALIFIERS = {
    "de": ["", " an der Elde", " am See", "-Nord", "-Süd", " an der Peene", " bei Nordhafen", "-Ost", "-West"],
    "nl": ["", "-Noord", "-Zuid", " aan de Dijle", "-Oost", "-West", " aan de Nete", "-Dorp", "-Heide"],
    "lv": ["", " Augšējā", " Lejas", " Jaunā", " Vecā", " Ziemeļu", " Dienvidu", " Ezera", " Meža"],
}
STREETS = {
    "de": [
        "Lindenweg",
        "Schulstraße",
        "Am Markt",
        "Bahnhofstraße",
        "Kirchplatz",
        "Gartenstraße",
        "Dorfstraße",
        "Ringstraße",
        "Am Wall",
        "Feldweg",
        "Mühlenstraße",
        "Seestraße",
        "Parkallee",
        "Birkenweg",
        "Lange Straße",
        "Friedensstraße",
        "Hafenstraße",
        "Rosenweg",
        "Waldstraße",
        "Am Sportplatz",
    ],
    "nl": [
        "Schoolstraat",
        "Kerkstraat",
        "Dorpsstraat",
        "Stationsstraat",
        "Molenstraat",
        "Markt",
        "Nieuwstraat",
        "Lindelaan",
        "Beekstraat",
        "Veldstraat",
        "Heidestraat",
        "Kapelstraat",
        "Parkstraat",
        "Zandstraat",
        "Ringlaan",
        "Bosstraat",
        "Leopoldlaan",
        "Brugstraat",
    ],
    "lv": [
        "Skolas",
        "Brīvības",
        "Rīgas",
        "Dzirnavu",
        "Parka",
        "Ezera",
        "Baznīcas",
        "Liepu",
        "Meža",
        "Stacijas",
        "Pils",
        "Upes",
        "Saules",
        "Dārza",
        "Lauku",
        "Jaunā",
        "Kalna",
        "Tirgus",
    ],
}
SCHOOL_THEMES = {
    "de": [
        "Am Lindenweg",
        "Am Markt",
        "An der Mühle",
        "Am Park",
        "Am Wall",
        "Regenbogen",
        "Sonnenblick",
        "Seeblick",
        "Am Mühlenteich",
        "Kastanienhof",
        "Am Sportforum",
        "Zum Leuchtturm",
    ],
    "nl": [
        "De Regenboog",
        "De Vlinder",
        "Het Klavertje",
        "De Linde",
        "Sint-Jozef",
        "Sint-Maria",
        "De Zonnebloem",
        "Het Molentje",
        "De Horizon",
        "De Sleutel",
        "Klimop",
        "De Wegwijzer",
    ],
    "lv": [],  # Latvian schools carry the place's name and a number
}


class OperatorNames(TypedDict):
    """How a flavour names its school operators (``{place}`` is the place's name)."""

    municipality: str
    village: str
    district: str
    private: list[str]


OPERATOR_NAMES: dict[str, OperatorNames] = {
    "de": {
        "municipality": "Stadt {place}",
        "village": "Gemeinde {place}",
        "district": "Landkreis {place}",
        "private": [
            "Evangelische Schulstiftung {place}",
            "Katholischer Schulverein {place}",
            "Freie Schule {place} e.V.",
            "Schulverein Waldorf {place} e.V.",
        ],
    },
    "nl": {
        "municipality": "Stad {place}",
        "village": "Gemeente {place}",
        "district": "GO! Scholengroep {place}",
        "private": [
            "Katholiek Onderwijs {place} vzw",
            "Scholengemeenschap Sint-{place} vzw",
            "Vrije Scholen {place} vzw",
        ],
    },
    "lv": {
        "municipality": "{place} pilsētas pašvaldība",
        "village": "{place} pagasta pārvalde",
        "district": "{place} novada pašvaldība",
        "private": ["Privātskola {place} SIA", "Nodibinājums Izglītība {place}"],
    },
}
SECOND_SITE = {"de": "Außenstelle {street}", "nl": "Vestiging {street}", "lv": "{street} ielas korpuss"}


# -- the generated registry ---------------------------------------------------------------------


@dataclass
class YearFigures:
    """One school year of a school: pupils by level (and grade), teachers, index, eligible pupils."""

    levels: dict[int, int]
    grades: dict[tuple[int, int], int] | None
    teachers: int
    ses_value: Decimal
    eligible: dict[str, int] = field(default_factory=dict)


@dataclass
class DemoSchool:
    authority_code: str
    operator_code: str
    operator_name: str
    sector: str
    number: str
    name: str
    type_code: str
    type_label: str
    levels: tuple[int, ...]
    language: str
    status: str
    street: str
    postal_code: str
    city: str
    email: str
    website: str
    latitude: Decimal
    longitude: Decimal
    ses_scale: str
    years: dict[str, YearFigures] = field(default_factory=dict)
    second_site: tuple[str, str, Decimal, Decimal] | None = None  # name, street, latitude, longitude


@dataclass
class DemoRegistry:
    flavours: list[Flavour]
    schools: list[DemoSchool]

    @property
    def operator_codes(self) -> set[tuple[str, str]]:
        return {(s.authority_code, s.operator_code) for s in self.schools}


@dataclass
class _Place:
    name: str
    postal_code: str
    latitude: float
    longitude: float
    spread: float
    weight: float
    district: int
    ses_mean: float


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, by largest remainder: the parts add up exactly."""
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    parts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _places(rng: random.Random, flavour: Flavour, count: int) -> list[_Place]:
    first, second = PLACE_PARTS[flavour.key]
    qualifiers = PLACE_QUALIFIERS[flavour.key]
    names = [a + b.lower() if flavour.key != "lv" else a + b for a in first for b in second]
    rng.shuffle(names)
    candidates = [name + q for q in qualifiers for name in names]
    south, west, north, east = flavour.bbox
    places = []
    used_postal: set[str] = set()
    for rank in range(count):
        name = (
            candidates[rank]
            if rank < len(candidates)
            else f"{candidates[rank % len(candidates)]} {rank // len(candidates) + 1}"
        )
        while True:
            if flavour.key == "de":
                postal = f"{rng.randint(17000, 19999):05d}"
            elif flavour.key == "nl":
                postal = f"{rng.randint(1500, 3999)}"
            else:
                postal = f"LV-{rng.randint(4100, 5399)}"
            if postal not in used_postal or len(used_postal) > 2000:
                used_postal.add(postal)
                break
        weight = 1.0 / (rank + 1) ** 0.9  # a few towns, many villages
        places.append(
            _Place(
                name=name,
                postal_code=postal,
                latitude=rng.uniform(south + 0.05, north - 0.05),
                longitude=rng.uniform(west + 0.05, east - 0.05),
                spread=0.035 if rank < max(2, count // 20) else 0.008,
                weight=weight,
                district=0,
                ses_mean=min(0.75, max(0.08, rng.gauss(0.42 if rank < count // 10 else 0.3, 0.1))),
            )
        )
    return places


def _genitive(place: str) -> str:
    """Latvian school names use the place in the genitive: Aizkalne -> Aizkalnes."""
    head, _sep, tail = place.rpartition(" ")
    word = tail or place
    if word.endswith("e") or word.endswith("a"):
        word += "s"
    elif word.endswith("i"):
        word = word[:-1] + "u"
    elif word.endswith("s"):
        word = word[:-1] + "u"
    return f"{head} {word}".strip() if head else word


def _ses_value(rng: random.Random, flavour: Flavour, disadvantage: float) -> Decimal:
    """The index on the flavour's scale for a school whose disadvantage is 0 (none) .. 1 (most)."""
    if flavour.ses_scale == "de-hh-sozialindex":
        # Whole numbers 1 (most disadvantaged) to 6, centred like Hamburg's: every value occurs.
        return Decimal(min(6, max(1, round(3.5 + (0.33 - disadvantage) * 9))))
    if flavour.ses_scale == "be-vl-disadvantaged-share":
        return Decimal(f"{min(100.0, max(0.0, disadvantage * 100)):.1f}")
    return Decimal(f"{min(1.0, max(0.0, disadvantage)):.3f}")


def _year_figures(
    rng: random.Random, flavour: Flavour, kind: SchoolType, size: int, disadvantage: float, with_grades: bool
) -> YearFigures:
    grade_weights: list[tuple[int, int, float]] = []
    for level in kind.levels:
        grades = kind.grades.get(level)
        if grades:
            grade_weights += [(level, grade, max(0.5, rng.gauss(1.0, 0.1))) for grade in grades]
        else:
            share = 2.5 if level == 0 and len(kind.levels) > 1 else 4.0
            grade_weights.append((level, 0, share * max(0.5, rng.gauss(1.0, 0.1))))
    parts = _split(size, [w for _l, _g, w in grade_weights])
    pupils_by_grade = {(level, grade): n for (level, grade, _w), n in zip(grade_weights, parts, strict=True)}
    levels: dict[int, int] = {}
    for (level, _grade), pupils in pupils_by_grade.items():
        levels[level] = levels.get(level, 0) + pupils
    teachers = max(3, round(size / kind.pupils_per_teacher * rng.uniform(0.9, 1.1)))
    eligible: dict[str, int] = {}
    if flavour.key in ("de", "lv") and size:
        eligible["low-income"] = round(size * disadvantage * rng.uniform(0.25, 0.45))
    if flavour.key == "lv" and size:
        eligible["large-family"] = round(size * rng.uniform(0.06, 0.16))
        eligible["foster-care"] = round(size * rng.uniform(0.0, 0.02))
    return YearFigures(
        levels=levels,
        grades={k: v for k, v in pupils_by_grade.items() if k[1]}
        if with_grades and any(g for _l, g in pupils_by_grade)
        else None,
        teachers=teachers,
        ses_value=_ses_value(rng, flavour, disadvantage),
        eligible=eligible,
    )


def _authority_schools(rng: random.Random, flavour: Flavour, count: int) -> list[DemoSchool]:
    places = _places(rng, flavour, max(3, round(count / 9)))
    districts = max(1, round(count / 90))
    for index, place in enumerate(places):
        place.district = index % districts
    district_seats = [places[d] for d in range(districts)]
    private_count = max(1, round(count / 45))
    private_operators = []
    for index in range(private_count):
        seat = places[index % len(places)]
        template = OPERATOR_NAMES[flavour.key]["private"][index % len(OPERATOR_NAMES[flavour.key]["private"])]
        private_operators.append((f"P{index + 1:04d}", template.format(place=seat.name)))
    type_weights = list(itertools.accumulate(t.weight for t in flavour.types))
    place_weights = list(itertools.accumulate(p.weight for p in places))
    place_indices = range(len(places))
    themes = SCHOOL_THEMES[flavour.key]
    names_used: dict[str, int] = {}
    schools = []
    number = flavour.number_base
    for _index in range(count):
        kind = rng.choices(flavour.types, cum_weights=type_weights)[0]
        place_index = rng.choices(place_indices, cum_weights=place_weights)[0]
        place = places[place_index]
        is_private = rng.random() < kind.private_share
        if is_private:
            operator_code, operator_name = private_operators[rng.randrange(private_count)]
        elif kind.operated_by == "district" or (flavour.key == "lv" and place_index >= 5):
            seat = district_seats[place.district]
            operator_code = f"D{place.district + 1:03d}"
            operator_name = OPERATOR_NAMES[flavour.key]["district"].format(
                place=_genitive(seat.name) if flavour.key == "lv" else seat.name
            )
        else:
            operator_code = f"M{place_index + 1:04d}"
            place_kind: Literal["municipality", "village"] = (
                "municipality" if place_index < max(2, len(places) // 10) else "village"
            )
            operator_name = OPERATOR_NAMES[flavour.key][place_kind].format(
                place=_genitive(place.name) if flavour.key == "lv" else place.name
            )
        number += rng.randint(1, 4)
        # A school's name: its type and place, with a theme or a number where the place has several.
        if flavour.key == "lv":
            base = f"{_genitive(place.name)} {kind.label}"
            seen = names_used.get(base, 0)
            name = base if not seen else f"{_genitive(place.name)} {seen + 1}. {kind.label}"
        else:
            prefix = kind.label
            if is_private and flavour.key == "nl":
                prefix = "Vrije " + kind.label.lower()
            elif is_private:
                prefix = ("Evangelische " if rng.random() < 0.5 else "Freie ") + kind.label
            base = f"{prefix} {place.name}"
            seen = names_used.get(base, 0)
            name = base if not seen else f"{prefix} {themes[(seen - 1) % len(themes)]} {place.name}"
            if seen > len(themes):
                name += f" {seen // len(themes) + 1}"
        names_used[base] = names_used.get(base, 0) + 1
        street = f"{rng.choice(STREETS[flavour.key])} {rng.randint(1, 120)}"
        if flavour.key == "lv":
            street = f"{rng.choice(STREETS['lv'])} iela {rng.randint(1, 90)}"
        latitude = Decimal(f"{place.latitude + rng.gauss(0, place.spread):.6f}")
        longitude = Decimal(f"{place.longitude + rng.gauss(0, place.spread * 1.6):.6f}")
        roll = rng.random()
        status = "planned" if roll < 0.012 else "closed" if roll < 0.022 else "open"
        language = flavour.language
        if flavour.key == "lv" and rng.random() < 0.08:
            language = "ru"
        elif flavour.key == "nl" and rng.random() < 0.02:
            language = "fr"
        disadvantage = min(0.95, max(0.02, rng.betavariate(place.ses_mean * 8, (1 - place.ses_mean) * 8)))
        low, high = kind.size
        size = round(low + (high - low) * rng.betavariate(2, 2.5))
        with_grades = rng.random() < 0.35
        school = DemoSchool(
            authority_code=flavour.authority_code,
            operator_code=operator_code,
            operator_name=operator_name,
            sector="private" if is_private else "public",
            number=f"{number:0{flavour.number_width}d}",
            name=name,
            type_code=kind.code,
            type_label=kind.label,
            levels=kind.levels,
            language=language,
            status=status,
            street=street,
            postal_code=place.postal_code,
            city=place.name,
            email=f"school-{number}@{flavour.authority_code.lower()}.example.org",
            website=f"https://{flavour.authority_code.lower()}.example.org/schools/{number}"
            if rng.random() < 0.6
            else "",
            latitude=latitude,
            longitude=longitude,
            ses_scale=flavour.ses_scale,
        )
        for year_index, year in enumerate(SCHOOL_YEARS):
            if status == "planned" or (status == "closed" and year_index == len(SCHOOL_YEARS) - 1):
                continue
            year_size = max(low // 2, round(size * (1 + rng.gauss(0.0, 0.04)) ** year_index))
            year_disadvantage = min(0.98, max(0.0, disadvantage + rng.gauss(0, 0.03) * year_index))
            school.years[year] = _year_figures(rng, flavour, kind, year_size, year_disadvantage, with_grades)
        if rng.random() < (0.35 if len(kind.levels) > 2 or size > 900 else 0.1):
            other_street = rng.choice([s for s in STREETS[flavour.key] if not street.startswith(s + " ")])
            site_street = f"{other_street}{' iela' if flavour.key == 'lv' else ''} {rng.randint(1, 120)}"
            school.second_site = (
                SECOND_SITE[flavour.key].format(street=other_street)[:200],
                site_street,
                Decimal(f"{float(latitude) + rng.gauss(0, 0.004):.6f}"),
                Decimal(f"{float(longitude) + rng.gauss(0, 0.006):.6f}"),
            )
        schools.append(school)
    return schools


def generate(
    *, schools: int = DEFAULT_SCHOOLS, seed: int = DEFAULT_SEED, flavours: tuple[str, ...] = ("de", "nl", "lv")
) -> DemoRegistry:
    """A registry of exactly ``schools`` schools, the same for the same arguments."""
    chosen = [FLAVOURS[key] for key in flavours]
    counts = _split(schools, [f.share for f in chosen])
    result: list[DemoSchool] = []
    for flavour, count in zip(chosen, counts, strict=True):
        # Each authority draws from its own stream, so one authority's data does not shift another's.
        rng = random.Random(f"{seed}:{flavour.key}")
        result += _authority_schools(rng, flavour, count)
    return DemoRegistry(flavours=chosen, schools=result)


# -- the registry as a file of the generic profile ----------------------------------------------

BASE_COLUMNS = [
    "authority_code",
    "authority_name",
    "country",
    "operator_code",
    "operator_name",
    "number",
    "name",
    "type_code",
    "type_label",
    "levels",
    "language",
    "sector",
    "status",
    "street",
    "postal_code",
    "city",
    "email",
    "website",
    "latitude",
    "longitude",
    "school_year",
]


def registry_columns(registry: DemoRegistry) -> list[str]:
    grade_columns = sorted(
        {(level, grade) for s in registry.schools for f in s.years.values() if f.grades for level, grade in f.grades}
    )
    groups = sorted({code for s in registry.schools for f in s.years.values() for code in f.eligible})
    return [
        *BASE_COLUMNS,
        *[f"pupils_isced_{level}" for level in range(5)],
        *[f"pupils_isced_{level}_grade_{grade}" for level, grade in grade_columns],
        "teachers",
        "ses_value",
        "ses_scale",
        *[f"eligible_{code}" for code in groups],
    ]


def registry_rows(registry: DemoRegistry, year: str, *, decimal_comma: bool = False):
    """One row of cells (strings) per school for ``year``; schools without figures that year keep their row."""
    names = {f.authority_code: f.authority_name for f in registry.flavours}
    countries = {f.authority_code: f.country for f in registry.flavours}
    columns = registry_columns(registry)
    position = {name: index for index, name in enumerate(columns)}

    def number(value: Decimal) -> str:
        text = str(value)
        return text.replace(".", ",") if decimal_comma else text

    for s in registry.schools:
        row = [""] * len(columns)
        row[: len(BASE_COLUMNS)] = [
            s.authority_code,
            names[s.authority_code],
            countries[s.authority_code],
            s.operator_code,
            s.operator_name,
            s.number,
            s.name,
            s.type_code,
            s.type_label,
            ",".join(str(level) for level in s.levels),
            s.language,
            s.sector,
            s.status,
            s.street,
            s.postal_code,
            s.city,
            s.email,
            s.website,
            number(s.latitude),
            number(s.longitude),
            year,
        ]
        figures = s.years.get(year)
        if figures is not None:
            for level, pupils in figures.levels.items():
                row[position[f"pupils_isced_{level}"]] = str(pupils)
            for (level, grade), pupils in (figures.grades or {}).items():
                row[position[f"pupils_isced_{level}_grade_{grade}"]] = str(pupils)
            row[position["teachers"]] = str(figures.teachers)
            row[position["ses_value"]] = number(figures.ses_value)
            row[position["ses_scale"]] = s.ses_scale
            for code, pupils in figures.eligible.items():
                row[position[f"eligible_{code}"]] = str(pupils)
        yield row


def registry_csv(registry: DemoRegistry, year: str, *, delimiter: str = ",", decimal_comma: bool = False) -> str:
    """The registry's ``year`` as CSV text in the generic profile's columns."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(registry_columns(registry))
    writer.writerows(registry_rows(registry, year, decimal_comma=decimal_comma))
    return out.getvalue()


# -- loading it ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    scope: str  # "all", "authority", "operator", "school" or "supplier"
    first_name: str
    last_name: str
    is_administrator: bool = False  # operator staff only: an operator administrator (manages people)


DEMO_USERS = [
    DemoUser("admin", "administrator", "all", "Demo", "Administrator"),
    DemoUser("owner", "programme_owner", "authority", "Demo", "Programme Owner"),
    DemoUser("funding", "funding_administrator", "authority", "Demo", "Funding Administrator"),
    DemoUser("operator", "operator_staff", "operator", "Demo", "Operator Staff", is_administrator=True),
    DemoUser("coordinator", "school_coordinator", "school", "Demo", "School Coordinator"),
    DemoUser("supplier", "supplier", "supplier", "Demo", "Supplier"),
    DemoUser("auditor", "auditor", "all", "Demo", "Auditor"),
    DemoUser("dpo", "data_protection_officer", "authority", "Demo", "Data-Protection Officer"),
]


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, count: int) -> None:
        if count:
            self.created[what] = self.created.get(what, 0) + count

    @property
    def changed_anything(self) -> bool:
        return bool(self.created)


def _user_snapshot(user) -> dict[str, Any]:
    return audit.snapshot(
        user, fields=["username", "first_name", "last_name", "email", "is_staff", "is_superuser", "is_active"]
    )


def _ensure_user(spec: DemoUser, report: SeedReport, changes: list):
    from digileap.accounts.models import User

    user = User.objects.filter(username=spec.username).first()
    if user is None:
        user = User(
            username=spec.username,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=f"{spec.username}@demo.digileap.example",
            is_staff=spec.role == "administrator",
            is_superuser=spec.role == "administrator",
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        changes.append(audit.change_for("create", user, after=_user_snapshot(user)))
        report.add("users", 1)
    return user


def _ensure_assignment(
    user, role: str, scope_kind: str, target, report: SeedReport, changes: list, is_administrator: bool = False
) -> None:
    from digileap.accounts.models import RoleAssignment

    scope_field = {"authority": "authority", "operator": "operator", "school": "school", "supplier": "supplier"}.get(
        scope_kind
    )
    lookup = {"user": user, "role": role, "scope_kind": scope_kind}
    if scope_field:
        lookup[scope_field] = target
    existing = RoleAssignment.objects.filter(**lookup).first()
    if existing is not None:
        if existing.is_administrator != is_administrator:  # a demo made before operator administrators
            existing.is_administrator = is_administrator
            existing.save(update_fields=["is_administrator"])
            changes.append(
                audit.change_for(
                    "change",
                    existing,
                    before={"is_administrator": not is_administrator},
                    after={"is_administrator": is_administrator},
                )
            )
            report.add("role assignments changed", 1)
        return
    assignment = RoleAssignment(**lookup, is_administrator=is_administrator)
    assignment.full_clean()
    assignment.save()
    changes.append(
        audit.change_for(
            "create",
            assignment,
            after=audit.snapshot(
                assignment, fields=["user", "role", "scope_kind", scope_field or "role", "is_administrator"]
            ),
        )
    )
    report.add("role assignments", 1)


def ensure_eligibility_groups(actor, report: SeedReport | None = None, *, record: bool = True) -> list:
    """The eligibility groups the demo counts pupils in (the importer needs them to exist)."""
    from digileap.schools.models import EligibilityGroup

    changes = []
    for code, name, description in ELIGIBILITY_GROUPS:
        group, created = EligibilityGroup.objects.get_or_create(
            code=code, defaults={"name": name, "description": description}
        )
        if created:
            changes.append(audit.change_for("create", group, after=audit.snapshot(group)))
            if report is not None:
                report.add("eligibility groups", 1)
    if record:
        audit.record_many(actor=actor, changes=changes)
    return changes


def _ensure_reference_data(registry: DemoRegistry, actor, report: SeedReport) -> None:
    from digileap.devices.models import Supplier
    from digileap.schools import services
    from digileap.schools.models import Authority

    changes = ensure_eligibility_groups(actor, report, record=False)
    supplier, created = Supplier.objects.get_or_create(
        name=SUPPLIER_NAME, defaults={"vat_number": "DE000000000", "email": "service@nordlicht-it.example.org"}
    )
    if created:
        changes.append(audit.change_for("create", supplier, after=audit.snapshot(supplier)))
        report.add("suppliers", 1)
    audit.record_many(actor=actor, changes=changes)
    for flavour in registry.flavours:
        if not Authority.objects.filter(code=flavour.authority_code).exists():
            services.authority_create(
                actor=actor,
                code=flavour.authority_code,
                name=flavour.authority_name,
                country=flavour.country,
                kind=flavour.authority_kind,
            )
            report.add("authorities", 1)


def _import_year(registry: DemoRegistry, year: str, actor, report: SeedReport, *, fresh: bool) -> None:
    from digileap.core.tabular.engine import run_import

    data = registry_csv(registry, year).encode("utf-8")
    options = {
        "target": "schools",
        "profile": "generic",
        "actor": actor,
        "filename": f"demo-{year.replace('/', '-')}.csv",
    }
    if not fresh:
        preview = run_import(source=io.BytesIO(data), dry_run=True, **options)
        if not (preview.created or preview.updated or preview.rejected):
            return
    result = run_import(source=io.BytesIO(data), **options)
    report.add("schools", result.created)
    report.add(f"school figures {year}", result.created + result.updated)


def _ensure_second_sites(registry: DemoRegistry, actor, report: SeedReport) -> None:
    from digileap.core.bulk import bulk_insert
    from digileap.schools.models import School, Site

    wanted = [(s, s.second_site) for s in registry.schools if s.second_site]
    if not wanted:
        return
    ids = {
        (code, number): pk
        for code, number, pk in School.objects.filter(
            authority__code__in={f.authority_code for f in registry.flavours}
        ).values_list("authority__code", "number", "id")
    }
    existing = set(Site.objects.filter(school_id__in=ids.values(), is_main=False).values_list("school_id", "name"))
    missing = [
        (ids[(s.authority_code, s.number)], s, site)
        for s, site in wanted
        if (ids[(s.authority_code, s.number)], site[0]) not in existing
    ]
    if not missing:
        return
    bulk_insert(
        Site,
        ["school", "name", "is_main", "street", "postal_code", "city", "latitude", "longitude"],
        ((pk, site[0], False, site[1], s.postal_code, s.city, site[2], site[3]) for pk, s, site in missing),
    )
    created = {
        (school_id, name): site_id
        for school_id, name, site_id in Site.objects.filter(
            school_id__in=[pk for pk, _s, _site in missing], is_main=False
        ).values_list("school_id", "name", "id")
    }
    changes = []
    for pk, s, site in missing:
        name, street, latitude, longitude = site
        after = {
            "school": pk,
            "name": name,
            "is_main": False,
            "street": street,
            "postal_code": s.postal_code,
            "city": s.city,
            "latitude": latitude,
            "longitude": longitude,
        }
        changes.append(
            audit.Change("create", "schools.site", str(created[(pk, name)]), name, None, audit.to_jsonable(after))
        )
    audit.record_many(actor=actor, changes=changes)
    report.add("sites", len(missing))


def _ensure_users(registry: DemoRegistry, admin, report: SeedReport) -> None:
    from digileap.devices.models import Supplier
    from digileap.schools.models import Authority, School, SchoolOperator

    first = registry.flavours[0]
    authority = Authority.objects.get(code=first.authority_code)
    # The operator staff user works for the first municipal operator; the coordinator at its first school.
    operator_codes = sorted(
        code for authority_code, code in registry.operator_codes if authority_code == first.authority_code
    )
    operator_code = next((c for c in operator_codes if c.startswith("M")), operator_codes[0])
    operator = SchoolOperator.objects.get(authority=authority, code=operator_code)
    school = (
        School.objects.filter(operator=operator, status=School.Status.OPEN).order_by("number").first()
        or School.objects.filter(operator=operator).order_by("number").first()
    )
    supplier = Supplier.objects.get(name=SUPPLIER_NAME)
    targets = {"all": None, "authority": authority, "operator": operator, "school": school, "supplier": supplier}
    changes: list = []
    for spec in DEMO_USERS:
        user = admin if spec.username == admin.username else _ensure_user(spec, report, changes)
        _ensure_assignment(
            user, spec.role, spec.scope, targets[spec.scope], report, changes, is_administrator=spec.is_administrator
        )
    audit.record_many(actor=admin, changes=changes)


def seed_demo(
    *, schools: int = DEFAULT_SCHOOLS, seed: int = DEFAULT_SEED, flavours: tuple[str, ...] = ("de", "nl", "lv")
) -> SeedReport:
    """Load the demo registry and demo users; a second run with the same arguments changes nothing."""
    from digileap.schools.models import Authority

    registry = generate(schools=schools, seed=seed, flavours=flavours)
    report = SeedReport()
    with transaction.atomic():
        admin_changes: list = []
        admin = _ensure_user(DEMO_USERS[0], report, admin_changes)
        _ensure_assignment(admin, "administrator", "all", None, report, admin_changes)
        audit.record_many(actor=admin, changes=admin_changes)
        fresh = not Authority.objects.filter(code__in=[f.authority_code for f in registry.flavours]).exists()
        _ensure_reference_data(registry, admin, report)
        for year in SCHOOL_YEARS:
            _import_year(registry, year, admin, report, fresh=fresh)
        _ensure_second_sites(registry, admin, report)
        _ensure_users(registry, admin, report)
    return report


def demo_signins() -> list[dict[str, str]]:
    """The demo users that exist, with their role and scope, for the sign-in table."""
    from digileap.accounts.models import RoleAssignment

    rows = []
    for spec in DEMO_USERS:
        for assignment in (
            RoleAssignment.objects.filter(user__username=spec.username)
            .select_related("authority", "operator", "school", "supplier")
            .order_by("id")
        ):
            rows.append(
                {
                    "username": spec.username,
                    "password": DEMO_PASSWORD,
                    "role": str(assignment.get_role_display()),
                    "scope": assignment.scope_label,
                }
            )
    return rows


def _plain(value):
    return str(value.quantize(Decimal("0.000001"))) if isinstance(value, Decimal) else value


def registry_digest(authority_codes: list[str] | None = None) -> str:
    """A fingerprint of the stored registry (numbers, names, figures): equal data, equal digest."""
    import hashlib

    from digileap.schools.models import (
        EligibleCount,
        Enrolment,
        School,
        SchoolOperator,
        Site,
        SocioEconomicIndex,
        StaffCount,
    )

    codes = authority_codes or [f.authority_code for f in FLAVOURS.values()]
    digest = hashlib.sha256()
    parts = [
        SchoolOperator.objects.filter(authority__code__in=codes)
        .order_by("authority__code", "code")
        .values_list("authority__code", "code", "name", "kind"),
        School.objects.filter(authority__code__in=codes)
        .order_by("authority__code", "number")
        .values_list(
            "authority__code",
            "number",
            "name",
            "operator__code",
            "type_code",
            "status",
            "city",
            "latitude",
            "longitude",
            "pupils_total",
            "ses_value",
        ),
        Site.objects.filter(school__authority__code__in=codes)
        .order_by("school__authority__code", "school__number", "name")
        .values_list("school__number", "name", "is_main"),
        Enrolment.objects.filter(school__authority__code__in=codes)
        .order_by("school__authority__code", "school__number", "school_year", "level", "grade")
        .values_list("school__number", "school_year", "level", "grade", "pupils"),
        StaffCount.objects.filter(school__authority__code__in=codes)
        .order_by("school__authority__code", "school__number", "school_year")
        .values_list("school__number", "school_year", "teachers"),
        SocioEconomicIndex.objects.filter(school__authority__code__in=codes)
        .order_by("school__authority__code", "school__number", "school_year")
        .values_list("school__number", "school_year", "scale__code", "value"),
        EligibleCount.objects.filter(school__authority__code__in=codes)
        .order_by("school__authority__code", "school__number", "school_year", "group__code")
        .values_list("school__number", "school_year", "group__code", "pupils"),
    ]
    for queryset in parts:
        for row in queryset.iterator(chunk_size=5000):
            digest.update(repr(tuple(_plain(v) for v in row)).encode())
        digest.update(b"|")
    return digest.hexdigest()
