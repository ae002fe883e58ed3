"""Coordinate reference systems to WGS84 (latitude, longitude), with pyproj."""

from decimal import Decimal
from functools import lru_cache

from django.utils.translation import gettext as _
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

SIX_PLACES = Decimal("0.000001")


@lru_cache(maxsize=16)
def _transformer(crs: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(crs), CRS.from_epsg(4326), always_xy=True)


def check_crs(crs: str) -> None:
    try:
        _transformer(crs)
    except CRSError as error:
        raise ValueError(
            _("unknown coordinate reference system %(crs)r: %(error)s") % {"crs": crs, "error": error}
        ) from None


def to_wgs84(x: Decimal | float, y: Decimal | float, crs: str) -> tuple[Decimal, Decimal]:
    """(latitude, longitude) in WGS84, rounded to six places (about 10 cm)."""
    longitude, latitude = _transformer(crs).transform(float(x), float(y))
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or latitude != latitude:
        raise ValueError(_("(%(x)s, %(y)s) in %(crs)s is not a position on Earth") % {"x": x, "y": y, "crs": crs})
    return Decimal(latitude).quantize(SIX_PLACES), Decimal(longitude).quantize(SIX_PLACES)
