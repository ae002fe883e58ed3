"""Files for import tests, generated with the quirks of the real Hamburg and MV registries.

The real files live in ../shared/data and never enter the project; these builders write small files
with the same headers and oddities into a test's ``tmp_path``.
"""

import csv
import io
from pathlib import Path

from digileap.core.models import AuditEvent
from digileap.schools.models import (
    Authority,
    EligibilityGroup,
    EligibleCount,
    Enrolment,
    School,
    SchoolOperator,
    Site,
    SocioEconomicIndex,
    SocioEconomicScale,
    StaffCount,
)

REGISTRY_MODELS = [
    Authority,
    SchoolOperator,
    School,
    Site,
    Enrolment,
    StaffCount,
    EligibilityGroup,
    EligibleCount,
    SocioEconomicScale,
    SocioEconomicIndex,
    AuditEvent,
]


def database_counts() -> dict[str, int]:
    """Rows in every registry table and in the audit trail: equal before and after means untouched."""
    return {model._meta.label: model.objects.count() for model in REGISTRY_MODELS}


def csv_text(rows: list[list], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def write_csv(path: Path, rows: list[list], *, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    path.write_bytes(csv_text(rows, delimiter).encode(encoding))
    return path


HAMBURG_HEADERS = (
    "X,Y,fid,gml_id,OBJECTID,C_S_Nr,C_S_Name,C_S_SG,C_S_Str,C_S_HNr,C_S_PLZ,C_S_Ort,C_S_Email,C_S_HomeP,"
    "C_S_GEO_X,C_S_GEO_Y,C_S_Status,C_S_SF,C_S_SF_Sta,C_S_GTA,C_S_Traeg,C_S_SI,C_S_PrSt,C_S_SuS,C_S_SuS_ES,"
    "C_S_SuS_PS,C_S_SuS_S1,C_S_SuS_S2,Schwerpunkt"
).split(",")

# A known point: Katholische Schule Hammer Kirche, 569881.561 / 5934722.318 in EPSG:25832.
HAMMER_KIRCHE = {
    "number": "3201",
    "x": "569881.561",
    "y": "5934722.318",
    "latitude": "53.556727",
    "longitude": "10.054930",
}


def hamburg_row(
    number: str,
    name: str,
    *,
    school_type: str = "G",
    status: str = "staatl.",
    operator: str = "",
    social_index: str = "3",
    pupils: tuple[int, int, int, int] = (0, 200, 0, 0),
    x: str = "566000.5",
    y: str = "5935000.25",
    layer: str = "PS",
    total: int | None = None,
) -> list[str]:
    """One row as the geoportal writes it: a school with two layers appears once per layer."""
    es, ps, s1, s2 = pupils
    return [
        x,
        y,
        f"C_2015_Schulen_{layer}.{number}",
        f"id-{number}-{layer}",
        number,
        number,
        name,
        "8009",
        "Musterstraße",
        "10",
        "20535",
        "Hamburg",
        f"schule{number}@example.org",
        f"http://schule{number}.example.org",
        x,
        y,
        status,
        school_type,
        f"{school_type}p" if status == "privat" else school_type,
        "ohne Ganztagsangebot",
        operator,
        social_index,
        "PrSt" if status == "privat" else "",
        str(total if total is not None else es + ps + s1 + s2),
        str(es),
        str(ps),
        str(s1),
        str(s2),
        "",
    ]


def hamburg_rows() -> list[list[str]]:
    """Five schools, one of them twice (identical layers), one private, one with index -1."""
    hammer = hamburg_row(
        HAMMER_KIRCHE["number"],
        "Katholische Schule Hammer Kirche",
        status="privat",
        operator="Katholischer Schulverband Hamburg",
        social_index="4",
        pupils=(51, 263, 0, 0),
        x=HAMMER_KIRCHE["x"],
        y=HAMMER_KIRCHE["y"],
    )
    sts = hamburg_row("5050", "Stadtteilschule Süd", school_type="STS", pupils=(0, 0, 600, 120), social_index="2")
    sts_again = list(sts)
    sts_again[2], sts_again[3] = "C_2015_Schulen_SekII.5050", "id-5050-S2"
    return [
        HAMBURG_HEADERS,
        hammer,
        sts,
        sts_again,
        hamburg_row("5100", "Grundschule Nord", social_index="-1", pupils=(0, 310, 0, 0)),
        hamburg_row("5200", "Gymnasium Ost", school_type="GY", social_index="6", pupils=(0, 0, 700, 300)),
    ]


MV_HEADERS = [
    "Staatl. Schulamt",
    "Landkreis/ kreisfr. Stadt",
    "Schulart/ Org.form",
    "Dst-Nr.:",
    "Schulname",
    "Plz",
    "Ort",
    "Straße, Haus-Nr.",
    "Telefon",
    "Telefax",
    "E-Mail",
    "Homepage",
]


def mv_row(number: str, name: str, *, district: str = "HRO", school_type: str = "GS", city: str = "Rostock") -> list:
    return [
        "RO",
        district,
        school_type,
        number,
        name,
        "18119",
        city,
        "Heinrich-Heine-Straße 3",
        "0381/52607",
        "0381/3755641",
        f"schule{number}@example.org",
        f"www.schule{number}.example.org ",
    ]


def mv_rows() -> list[list[str]]:
    """Four schools: quotes in a name, a multi-line school type cell, MSP standing for MSE."""
    return [
        MV_HEADERS,
        mv_row("75130301", 'Grundschule "Heinrich Heine", Rostock'),
        mv_row(
            "75335456", 'Gymnasiales Schulzentrum "Fritz Reuter" Dömitz', district="LUP", school_type="KGS/GS/\nFöL"
        ),
        mv_row("75230378", "Schule am Schäferteich", school_type="FöL"),
        mv_row("75435001", "Regionale Schule Waren", district="MSP", school_type="RegS", city="Waren (Müritz)"),
    ]


GENERIC_HEADERS = [
    "authority_code",
    "authority_name",
    "country",
    "operator_code",
    "operator_name",
    "number",
    "name",
    "levels",
    "city",
    "school_year",
    "pupils_isced_1",
    "teachers",
]


def generic_row(
    number: str,
    name: str,
    *,
    authority: str = "IN",
    operator_code: str = "",
    operator_name: str = "INSIDE operator",
    pupils: str = "100",
    teachers: str = "8",
    city: str = "Schwerin",
) -> list[str]:
    return [authority, "", "", operator_code, operator_name, number, name, "1", city, "2024/25", pupils, teachers]
