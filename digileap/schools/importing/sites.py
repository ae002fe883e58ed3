"""Sites (buildings) from a registry's rows: the profile option ``"sites"``.

``"options": {"sites": {"code": "site_code", "name": "site_name", "street": "site_street",
"postal_code": "site_postal_code", "city": "site_city", "latitude": "site_latitude",
"longitude": "site_longitude"}}`` names, for each attribute of a site, the field that holds it
(these are the defaults: ``"sites": true`` uses them). Every row of a school (the members of a
merged row) that gives a site code describes one building of the school. A code identifies a
building within the authority: when rows of two schools give the same code, the building is one
site, held by the school met first and shared with the other (``SharedSite``).

A re-import finds sites again by their code: a building whose attributes differ is updated,
one the file no longer names is kept (devices and access points may point at it).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from digileap.core.bulk import bulk_insert, chunked
from digileap.core.model_fields import max_length
from digileap.core.tabular.errors import ImportFileError, RowError
from digileap.core.tabular.parsing import ParsedRow

from ..models import SharedSite, Site

SITE_ATTRIBUTES = ("name", "street", "postal_code", "city", "latitude", "longitude")
DEFAULT_FIELDS = {"code": "site_code", **{name: f"site_{name}" for name in SITE_ATTRIBUTES}}
_STEP = Decimal(1).scaleb(-Site._meta.get_field("latitude").decimal_places)
_LIMITS = {"latitude": Decimal(90), "longitude": Decimal(180)}
_LENGTHS = {name: max_length(Site, name) for name in ("code", "name", "street", "postal_code", "city")}


def sites_option(profile) -> dict[str, str] | None:
    """The field of each site attribute, or None when the profile does not read sites from rows."""
    options = getattr(profile, "options", None) or {}
    option = options.get("sites")
    if not option:
        return None
    if option is True:
        return dict(DEFAULT_FIELDS)
    unknown = sorted(set(option) - set(DEFAULT_FIELDS)) if isinstance(option, dict) else ["?"]
    if unknown:
        raise ImportFileError(
            _("profile %(name)s: the option sites knows %(known)s, not %(unknown)s")
            % {"name": profile.name, "known": ", ".join(DEFAULT_FIELDS), "unknown": ", ".join(unknown)}
        )
    return {**DEFAULT_FIELDS, **option}


@dataclass(slots=True)
class SiteRow:
    """A building as a school's row gives it."""

    code: str
    line: int
    attributes: dict[str, Any]
    # The name as the file gives it, before a school's repeated names get their codes added: what
    # another school's row naming the same building is compared with.
    given_name: str = ""

    def comparable(self) -> dict[str, Any]:
        return {**self.attributes, "name": self.given_name or self.attributes["name"]}


def sites_of(parsed: ParsedRow, fields: dict[str, str], column_of: dict[str, str], fail) -> list[SiteRow]:
    """The buildings a (merged) row's members give, in file order, each code once."""
    sites: dict[str, SiteRow] = {}
    for member in parsed.members:
        values = member.values
        code = _text(values.get(fields["code"]))
        if not code:
            continue
        attributes: dict[str, Decimal | str | None] = {}
        for name in SITE_ATTRIBUTES:
            value = values.get(fields[name])
            column = column_of.get(fields[name], fields[name])
            if name in _LIMITS:
                attributes[name] = _coordinate(value, _LIMITS[name], column, member.line, fail)
            else:
                text = attributes[name] = _text(value)
                if len(text) > _LENGTHS[name]:
                    fail(column, _("longer than %(n)s characters") % {"n": _LENGTHS[name]}, text[:80])
        if len(code) > _LENGTHS["code"]:
            fail(column_of.get(fields["code"], fields["code"]), _("longer than %(n)s characters") % {"n": 32}, code)
        attributes["name"] = attributes["name"] or attributes["street"] or code
        first = sites.get(code)
        if first is None:
            sites[code] = SiteRow(code, member.line, attributes)
            continue
        differing = [name for name in SITE_ATTRIBUTES if attributes[name] != first.attributes[name]]
        if differing:
            name = differing[0]
            fail(
                column_of.get(fields[name], fields[name]),
                _("site %(code)s is given with %(value)r here and %(other)r on line %(line)s")
                % {"code": code, "value": attributes[name], "other": first.attributes[name], "line": first.line},
                str(attributes[name] or "")[:80],
            )
    # A school's buildings need distinct names (the database holds them unique per school): a name
    # given twice (two buildings without a name in the same street) gets the code added.
    names = [site.attributes["name"] for site in sites.values()]
    for site in sites.values():
        site.given_name = site.attributes["name"]
        if names.count(site.attributes["name"]) > 1:
            site.attributes["name"] = f"{site.attributes['name'][:190]} ({site.code})"
    return list(sites.values())


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _coordinate(value: Any, limit: Decimal, column: str, line: int, fail) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "."))
        number = number.quantize(_STEP, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        fail(column, _("%(value)r is not a number") % {"value": str(value)}, str(value)[:80])
        return None
    if not -limit <= number <= limit:
        fail(
            column,
            _("%(value)s is outside %(minimum)s to %(maximum)s")
            % {"value": number, "minimum": -limit, "maximum": limit},
            str(value)[:80],
        )
        return None
    return number


@dataclass
class SitePlan:
    """What an import does to coded sites: new ones, changed ones, new shares."""

    # (authority id or code, site code) -> (holder's school key, attributes, is_main)
    new_sites: dict[tuple, tuple[tuple[str, str], dict[str, Any], bool]] = field(default_factory=dict)
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)  # site id -> changed attributes
    # (site key, school key); site key is (authority code, site code)
    new_shares: list[tuple[tuple[str, str], tuple[str, str]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.new_sites or self.updates or self.new_shares)


class SitePlanner:
    """Compares the rows' buildings with the stored coded sites of the authorities in the file."""

    def __init__(self, authority_ids: dict[str, int]):
        self.authority_ids = authority_ids
        self.existing: dict[tuple[str, str], dict[str, Any]] = {}
        self.shares: set[tuple[int, int]] = set()
        self.plan = SitePlan()
        self.claimed: dict[tuple[str, str], tuple[tuple[str, str], int, dict[str, Any]]] = {}
        code_of = {pk: code for code, pk in authority_ids.items()}
        ids = list(authority_ids.values())
        site_ids = []
        for chunk in chunked(ids):
            for values in (
                Site.objects.filter(authority_id__in=chunk)
                .exclude(code="")
                .values("id", "authority_id", "code", "school_id", *SITE_ATTRIBUTES)
            ):
                self.existing[(code_of[values["authority_id"]], values["code"])] = values
                site_ids.append(values["id"])
        for chunk in chunked(site_ids):
            self.shares.update(SharedSite.objects.filter(site_id__in=chunk).values_list("site_id", "school_id"))

    def plan_school(
        self, *, authority_code: str, school_key: tuple[str, str], school_id: int | None, sites: Sequence[SiteRow]
    ) -> dict[str, Any]:
        """Plan this school's buildings; returns what changes for the audit trail ({} when nothing)."""
        changes: dict[str, Any] = {}
        first_own = school_id is None  # a new school's first own building is its main one
        for site in sites:
            key = (authority_code, site.code)
            claimed = self.claimed.get(key)
            if claimed is not None:
                if claimed[0] != school_key and not self._is_shared(key, school_id):
                    self.plan.new_shares.append((key, school_key))
                    changes.setdefault("shared_sites", []).append(site.code)
                continue
            self.claimed[key] = (school_key, site.line, site.comparable())
            stored = self.existing.get(key)
            if stored is None:
                self.plan.new_sites[key] = (school_key, site.attributes, first_own)
                first_own = False
                changes.setdefault("sites", {})[site.code] = _jsonable(site.attributes)
                continue
            changed = {n: site.attributes[n] for n in SITE_ATTRIBUTES if stored[n] != site.attributes[n]}
            if changed:
                self.plan.updates[stored["id"]] = changed
                changes.setdefault("sites", {})[site.code] = _jsonable(changed)
            if not self._is_shared(key, school_id):
                self.plan.new_shares.append((key, school_key))
                changes.setdefault("shared_sites", []).append(site.code)
        return changes

    def _is_shared(self, key: tuple[str, str], school_id: int | None) -> bool:
        """Whether the stored site ``key`` already belongs to the school (held or shared)."""
        stored = self.existing.get(key)
        if stored is None or school_id is None:
            return False
        return stored["school_id"] == school_id or (stored["id"], school_id) in self.shares

    def conflict(self, *, authority_code: str, sites: Sequence[SiteRow]) -> tuple[str, str] | None:
        """(message, value) when a building differs from how an earlier row of another school gave it."""
        for site in sites:
            claimed = self.claimed.get((authority_code, site.code))
            if claimed is None:
                continue
            _holder, line, attributes = claimed
            given = site.comparable()
            differing = [n for n in SITE_ATTRIBUTES if attributes[n] != given[n]]
            if differing:
                return (
                    _("site %(code)s is given with another %(field)s (%(value)r) on line %(line)s")
                    % {
                        "code": site.code,
                        "field": differing[0],
                        "value": _jsonable_value(attributes[differing[0]]),
                        "line": line,
                    },
                    site.code,
                )
        return None

    def stored_holders(self, authority_code: str, sites: Sequence[SiteRow], school_id: int | None) -> list[int]:
        """The schools holding the stored sites this row would change (for the scope check)."""
        holders = []
        for site in sites:
            stored = self.existing.get((authority_code, site.code))
            if stored is not None and stored["school_id"] != school_id:
                if any(stored[n] != site.attributes[n] for n in SITE_ATTRIBUTES):
                    holders.append(stored["school_id"])
        return holders

    def before(self, authority_code: str, changes: dict[str, Any]) -> dict[str, Any]:
        """The stored values of the sites ``changes`` touches, for the audit trail."""
        sites = {}
        for code, changed in changes.get("sites", {}).items():
            stored = self.existing.get((authority_code, code))
            sites[code] = None if stored is None else {n: _jsonable_value(stored[n]) for n in changed}
        return {"sites": sites} if sites else {}


def _jsonable_value(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _jsonable(attributes: dict[str, Any]) -> dict[str, Any]:
    return {name: _jsonable_value(value) for name, value in attributes.items()}


def write_sites(plan: SitePlan, *, school_ids: dict[tuple[str, str], int], authority_ids: dict[str, int]) -> None:
    """Insert the new sites and shares and update the changed sites (inside the import's transaction)."""
    names_taken: set[tuple[int, str]] = set()
    holders = {school_ids[holder] for holder, _attributes, _main in plan.new_sites.values()}
    for chunk in chunked(sorted(holders)):
        names_taken.update(Site.objects.filter(school_id__in=chunk).values_list("school_id", "name"))
    rows = []
    for (authority_code, code), (holder, attributes, is_main) in plan.new_sites.items():
        school_id = school_ids[holder]
        name = attributes["name"][:200]
        if (school_id, name) in names_taken:
            name = f"{name[:190]} ({code})"
        names_taken.add((school_id, name))
        rows.append(
            (
                school_id,
                authority_ids[authority_code],
                code,
                name,
                is_main,
                *(attributes[n] for n in SITE_ATTRIBUTES[1:]),
            )
        )
    bulk_insert(Site, ["school", "authority", "code", "name", "is_main", *SITE_ATTRIBUTES[1:]], rows)
    for site_id, changed in plan.updates.items():
        Site.objects.filter(pk=site_id).update(**changed)
    if not plan.new_shares:
        return
    site_ids: dict[tuple[str, str], int] = {}
    code_of = {pk: code for code, pk in authority_ids.items()}
    wanted = {key for key, _school in plan.new_shares}
    for chunk in chunked(sorted({authority_ids[a] for a, _c in wanted})):
        for authority_id, code, site_id in (
            Site.objects.filter(authority_id__in=chunk).exclude(code="").values_list("authority_id", "code", "id")
        ):
            if (code_of[authority_id], code) in wanted:
                site_ids[(code_of[authority_id], code)] = site_id
    bulk_insert(
        SharedSite, ["site", "school"], ((site_ids[key], school_ids[school]) for key, school in plan.new_shares)
    )


__all__ = ["RowError", "SITE_ATTRIBUTES", "SitePlanner", "sites_of", "sites_option", "write_sites"]
