"""Reference data every installation has: the socio-economic scales of the programmes' regions.

It is written by a data migration and again after every ``migrate`` or ``flush`` (post_migrate),
so that tests that flush the database (transactional tests) find it too.
"""

from decimal import Decimal

STANDARD_SCALES = [
    {
        "code": "de-hh-sozialindex",
        "name": "Hamburg Sozialindex (1 = most disadvantaged, 6 = least)",
        "minimum": Decimal("1"),
        "maximum": Decimal("6"),
        "is_higher_more_disadvantaged": False,
        "description": "Hamburg's social index of school catchments, 1 (most disadvantaged) to 6.",
    },
    {
        "code": "be-vl-disadvantaged-share",
        "name": "Flanders: share of disadvantaged pupils (%)",
        "minimum": Decimal("0"),
        "maximum": Decimal("100"),
        "is_higher_more_disadvantaged": True,
        "description": "Share of pupils meeting the Flemish pupil-characteristics criteria (leerlingenkenmerken).",
    },
    {
        "code": "be-bru-ses-index",
        "name": "Brussels socio-economic index (lower = more disadvantaged)",
        "minimum": Decimal("0"),
        "maximum": Decimal("100"),
        "is_higher_more_disadvantaged": False,
        "description": "A 0 to 100 socio-economic index where low values mark schools with a low socio-economic index (seed 000).",
    },
    {
        "code": "generic-disadvantage-0-1",
        "name": "Disadvantage score 0 to 1 (1 = most disadvantaged)",
        "minimum": Decimal("0"),
        "maximum": Decimal("1"),
        "is_higher_more_disadvantaged": True,
        "description": "A normalised score for registries without an official index.",
    },
]


def ensure_standard_scales(scale_model=None) -> None:
    """Create or refresh the standard scales. Takes the historical model inside migrations."""
    if scale_model is None:
        from .models import SocioEconomicScale as scale_model
    for scale in STANDARD_SCALES:
        scale_model.objects.update_or_create(code=scale["code"], defaults=scale)
