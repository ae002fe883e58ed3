"""The survey answers: a school's (or site's) answer to a campaign, with its uplinks.

``response_save`` is the one write: it checks the actor, that the campaign covers the school and
still accepts answers, validates every figure (naming the field, ``uplinks-<n>-<field>`` for the
n-th uplink), and only then writes the answer and its uplinks and audits each change. A refused
save writes nothing. ``survey_prefill`` gives a new answer its starting values: the school's answer
to the previous campaign and the Wi-Fi access points the programme installed there (devices app).
"""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, authorize

from ..models import MAX_MBPS, Cabling, Campaign, CampaignSchool, Problem, SurveyResponse, Uplink

RESPONSE_FIELDS = (
    "classrooms",
    "classrooms_wifi",
    "access_points",
    "switches",
    "switch_age_years",
    "cabling",
    "fibre_distance_km",
    "problems",
    "problems_text",
)
UPLINK_FIELDS = (
    "technology",
    "provider",
    "download_mbps",
    "upload_mbps",
    "monthly_cost",
    "contract_start",
    "contract_end",
)
# Limits beyond which a figure is a typing error, not a school.
MAX_COUNT = 100_000
MAX_SWITCH_AGE = 100
MAX_FIBRE_KM = Decimal("99999.99")
MAX_MONTHLY_COST = Decimal("9999999999.99")


def accepts_answers(campaign: Campaign, today: datetime.date | None = None) -> bool:
    """Whether ``campaign`` takes answers on ``today``: the campaigns part's rule when it exists,
    else open and within its period."""
    today = today or timezone.localdate()
    try:
        from .campaigns import campaign_accepts_answers
    except ImportError:
        return campaign.state == Campaign.State.OPEN and campaign.starts_on <= today <= campaign.ends_on
    return campaign_accepts_answers(campaign, today)


class _Errors(dict):
    def add(self, key: str, message: str) -> None:
        self.setdefault(key, []).append(message)


def _integer(errors: _Errors, key: str, value: Any, *, required: bool, maximum: int = MAX_COUNT) -> int | None:
    if value is None or value == "":
        if required:
            errors.add(key, _("This field is required."))
        return None
    if isinstance(value, bool):
        errors.add(key, _("Enter a whole number."))
        return None
    try:
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
    except (TypeError, ValueError):
        number = None
    if number is None or (isinstance(value, (str, Decimal)) and Decimal(str(value)) != number):
        errors.add(key, _("Enter a whole number."))
        return None
    if number < 0:
        errors.add(key, _("Enter 0 or more."))
        return None
    if number > maximum:
        errors.add(key, _("Enter at most %(maximum)s.") % {"maximum": maximum})
        return None
    return number


def _decimal(
    errors: _Errors, key: str, value: Any, *, required: bool, maximum: Decimal, message: str | None = None
) -> Decimal | None:
    if value is None or value == "":
        if required:
            errors.add(key, _("This field is required."))
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.add(key, _("Enter a number."))
        return None
    if not number.is_finite():
        errors.add(key, _("Enter a number."))
        return None
    if number < 0:
        errors.add(key, _("Enter 0 or more."))
        return None
    if number > maximum:
        errors.add(key, message or _("Enter at most %(maximum)s.") % {"maximum": maximum})
        return None
    if number != number.quantize(Decimal("0.01")):
        errors.add(key, _("Enter at most two decimals."))
        return None
    return number.quantize(Decimal("0.01"))


def _date(errors: _Errors, key: str, value: Any) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors.add(key, _("Enter a date as YYYY-MM-DD."))
        return None


def _choice(errors: _Errors, key: str, value: Any, choices, *, default: str | None = None) -> str | None:
    if (value is None or value == "") and default is not None:
        return default
    if value not in choices.values:
        if value is None or value == "":
            errors.add(key, _("This field is required."))
        else:
            errors.add(key, _("%(value)s is not one of the choices.") % {"value": value})
        return None
    return value


def _clean_response(data: dict, errors: _Errors) -> dict:
    unknown = sorted(set(data) - set(RESPONSE_FIELDS))
    if unknown:
        errors.add("__all__", _("These fields cannot be set here: %(fields)s") % {"fields": ", ".join(unknown)})
    classrooms = _integer(errors, "classrooms", data.get("classrooms"), required=True)
    classrooms_wifi = _integer(errors, "classrooms_wifi", data.get("classrooms_wifi"), required=True)
    clean: dict[str, object] = {
        "classrooms": classrooms,
        "classrooms_wifi": classrooms_wifi,
        "access_points": _integer(errors, "access_points", data.get("access_points"), required=False) or 0,
        "switches": _integer(errors, "switches", data.get("switches"), required=False) or 0,
        "switch_age_years": _integer(
            errors, "switch_age_years", data.get("switch_age_years"), required=False, maximum=MAX_SWITCH_AGE
        ),
        "cabling": _choice(errors, "cabling", data.get("cabling"), Cabling, default=Cabling.UNKNOWN),
        "fibre_distance_km": _decimal(
            errors, "fibre_distance_km", data.get("fibre_distance_km"), required=False, maximum=MAX_FIBRE_KM
        ),
        "problems_text": str(data.get("problems_text") or "").strip(),
    }
    if classrooms is not None and classrooms_wifi is not None:
        if classrooms_wifi > classrooms:
            errors.add(
                "classrooms_wifi",
                _("More classrooms with Wi-Fi (%(wifi)s) than classrooms (%(classrooms)s).")
                % {"wifi": classrooms_wifi, "classrooms": classrooms},
            )
    problems = data.get("problems") or []
    if isinstance(problems, str) or not isinstance(problems, (list, tuple, set)):
        errors.add("problems", _("Give the problems as a list of codes."))
        problems = []
    codes = []
    for code in problems:
        if code not in Problem.values:
            errors.add("problems", _("Unknown problem: %(code)s.") % {"code": code})
        elif code not in codes:
            codes.append(code)
    # Stored in the order of the choices, so the same ticks give the same row.
    clean["problems"] = [code for code in Problem.values if code in codes]
    return clean


def _clean_uplink(index: int, uplink: Any, errors: _Errors) -> dict:
    prefix = f"uplinks-{index}-"
    if not isinstance(uplink, dict):
        errors.add(f"{prefix}technology", _("Give the uplink as a set of fields."))
        return {}
    unknown = sorted(set(uplink) - set(UPLINK_FIELDS))
    if unknown:
        errors.add(
            f"{prefix}technology",
            _("These fields cannot be set here: %(fields)s") % {"fields": ", ".join(unknown)},
        )
    speed_message = _("At most %(maximum)s Mbit/s: a higher figure is a typing or unit error.") % {"maximum": MAX_MBPS}
    provider = str(uplink.get("provider") or "").strip()
    if len(provider) > 200:
        errors.add(f"{prefix}provider", _("At most 200 characters."))
    clean: dict[str, object] = {
        "technology": _choice(errors, f"{prefix}technology", uplink.get("technology"), Uplink.Technology),
        "provider": provider[:200],
        "download_mbps": _decimal(
            errors,
            f"{prefix}download_mbps",
            uplink.get("download_mbps"),
            required=True,
            maximum=Decimal(MAX_MBPS),
            message=speed_message,
        ),
        "upload_mbps": _decimal(
            errors,
            f"{prefix}upload_mbps",
            uplink.get("upload_mbps"),
            required=True,
            maximum=Decimal(MAX_MBPS),
            message=speed_message,
        ),
        "monthly_cost": _decimal(
            errors, f"{prefix}monthly_cost", uplink.get("monthly_cost"), required=False, maximum=MAX_MONTHLY_COST
        ),
    }
    contract_start = clean["contract_start"] = _date(errors, f"{prefix}contract_start", uplink.get("contract_start"))
    contract_end = clean["contract_end"] = _date(errors, f"{prefix}contract_end", uplink.get("contract_end"))
    if contract_start and contract_end and contract_end < contract_start:
        errors.add(
            f"{prefix}contract_end",
            _("The contract ends (%(end)s) before it starts (%(start)s).")
            % {"end": contract_end.isoformat(), "start": contract_start.isoformat()},
        )
    return clean


def _check_place(campaign: Campaign, school, site, errors: _Errors) -> None:
    if not CampaignSchool.objects.filter(campaign=campaign, school=school).exists():
        errors.add("school", _("The campaign %(campaign)s does not cover this school.") % {"campaign": campaign.code})
    if site is not None and site.school_id != school.pk:
        errors.add("site", _("The site %(site)s is not one of this school's sites.") % {"site": site.name})
    if not accepts_answers(campaign):
        errors.add("__all__", _("The campaign %(campaign)s does not accept answers now.") % {"campaign": campaign.code})


@transaction.atomic
def response_save(
    *, actor, campaign: Campaign, school, site=None, data: dict, uplinks: list, submit: bool = False
) -> SurveyResponse:
    """Save a school's (or site's) answer to ``campaign`` as a draft, or submit it (``submit``).

    ``uplinks`` replace the answer's previous ones (in order: the n-th keeps the n-th row). A
    submitted answer stays submitted when corrected, and needs at least one uplink. Raises
    ``ValidationError`` naming each bad field (``uplinks-<n>-<field>`` for the n-th uplink, from 0)
    and writes nothing then; ``PermissionDenied`` outside the actor's role or scope."""
    existing = (
        # Ordered by the key alone: the model's ordering joins the (nullable) site, and PostgreSQL
        # cannot lock the nullable side of an outer join.
        SurveyResponse.objects.select_for_update()
        .filter(campaign=campaign, school=school)
        .filter(Q(site=site) if site is not None else Q(site__isnull=True))
        .order_by("pk")
        .first()
    )
    if existing is not None:
        authorize(actor, Action.CHANGE, existing)
    else:
        authorize(actor, Action.ADD, SurveyResponse(campaign=campaign, school=school, site=site))

    errors = _Errors()
    _check_place(campaign, school, site, errors)
    values = _clean_response(data, errors)
    if not isinstance(uplinks, (list, tuple)):
        errors.add("uplinks", _("Give the uplinks as a list."))
        uplinks = []
    clean_uplinks = [_clean_uplink(index, uplink, errors) for index, uplink in enumerate(uplinks)]
    submitted = submit or (existing is not None and existing.state == SurveyResponse.State.SUBMITTED)
    if submitted and not uplinks:
        errors.add("uplinks", _("A submitted answer needs at least one uplink."))
    if errors:
        raise ValidationError(dict(errors))

    changes = []
    if existing is None:
        response = SurveyResponse(campaign=campaign, school=school, site=site)
        before = None
    else:
        response = existing
        before = audit.snapshot(response)
    for name, value in values.items():
        setattr(response, name, value)
    if submit:
        response.state = SurveyResponse.State.SUBMITTED
        response.submitted_at = timezone.now()
        response.submitted_by = actor if getattr(actor, "pk", None) else None
    response.full_clean(validate_constraints=False)
    response.save()
    if before is None:
        changes.append(audit.change_for("create", response, after=audit.snapshot(response)))
    else:
        after = audit.snapshot(response)
        after.pop("updated_at", None)
        changed_before, changed_after = audit.changed_fields(before, after)
        if changed_after:
            changes.append(audit.change_for("update", response, before=changed_before, after=changed_after))
    changes += _save_uplinks(response, clean_uplinks, is_new=existing is None)
    audit.record_many(actor=actor, changes=changes)
    return response


def _save_uplinks(response: SurveyResponse, clean_uplinks: list[dict], *, is_new: bool) -> list:
    """Replace the answer's uplinks: the n-th given updates the n-th stored (audited when it
    changes), the rest are added or removed. Returns the audit changes."""
    current = [] if is_new else list(response.uplinks.order_by("id"))
    changes = []
    for index, values in enumerate(clean_uplinks):
        if index < len(current):
            uplink = current[index]
            before = audit.snapshot(uplink)
            for name, value in values.items():
                setattr(uplink, name, value)
            changed_before, changed_after = audit.changed_fields(before, audit.snapshot(uplink))
            if changed_after:
                uplink.full_clean(validate_constraints=False)
                uplink.save()
                changes.append(audit.change_for("update", uplink, before=changed_before, after=changed_after))
        else:
            uplink = Uplink(response=response, **values)
            uplink.full_clean(validate_constraints=False)
            uplink.save()
            changes.append(audit.change_for("create", uplink, after=audit.snapshot(uplink)))
    for uplink in current[len(clean_uplinks) :]:
        changes.append(audit.change_for("delete", uplink, before=audit.snapshot(uplink)))
        uplink.delete()
    return changes


def installed_access_points(*, school, site=None) -> int:
    """The programme's Wi-Fi access points installed at ``school`` (at ``site`` when given) and
    verified by the school: what the devices app's ``access_points_installed`` indicator counts."""
    from digileap.devices.models import AccessPointInstallation, DeviceType

    installations = AccessPointInstallation.objects.filter(
        school=school, verified_at__isnull=False, device__device_model__device_type=DeviceType.ACCESS_POINT
    )
    if site is not None:
        installations = installations.filter(site=site)
    return installations.count()


def survey_prefill(*, school, site=None, campaign: Campaign | None = None) -> dict:
    """The starting values of a new answer of ``school`` (and ``site``):

    - ``data`` and ``uplinks``: the school's latest submitted answer to another campaign (than
      ``campaign``), if any, in ``response_save``'s shape;
    - ``access_points_installed``: the programme's verified access point installations there; the
      initial ``access_points`` is the larger of it and the previous answer's;
    - ``previous``: the answer the values come from, or ``None``."""
    installed = installed_access_points(school=school, site=site)
    previous_answers = SurveyResponse.objects.filter(school=school, state=SurveyResponse.State.SUBMITTED)
    previous_answers = previous_answers.filter(Q(site=site) if site is not None else Q(site__isnull=True))
    if campaign is not None:
        previous_answers = previous_answers.exclude(campaign=campaign)
    previous = previous_answers.select_related("campaign").order_by("-campaign__starts_on", "-submitted_at").first()
    data: dict[str, Any] = {"access_points": installed}
    uplinks: list[dict] = []
    if previous is not None:
        data = {name: getattr(previous, name) for name in RESPONSE_FIELDS}
        data["problems"] = list(previous.problems)
        data["access_points"] = max(previous.access_points, installed)
        uplinks = [{name: getattr(uplink, name) for name in UPLINK_FIELDS} for uplink in previous.uplinks.all()]
    return {"data": data, "uplinks": uplinks, "access_points_installed": installed, "previous": previous}
