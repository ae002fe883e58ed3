"""Pages of Wi-Fi access point installations: the list per school (verified or not), recording an
installation (supplier or operator), one installation with its history, and the school's verification.

An installation outside the user's scope is a 404; a verification by the supplier's side is a 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.core.permissions import Action, can, permits

from ..forms.access_points import InstallationFilterForm, InstallationForm
from ..models import AccessPointInstallation
from ..selectors import access_points as selectors
from ..selectors.tickets import devices_for_tickets
from ..services import access_points as services

PER_PAGE = 50


@login_required
@require_GET
def accesspointinstallation_list(request):
    user = request.user
    if not can(user, Action.VIEW, AccessPointInstallation):
        raise PermissionDenied
    filter_form = InstallationFilterForm(request.GET or None, schools=selectors.installation_schools(user))
    installations = selectors.installation_list(user, **filter_form.values())
    page = Paginator(installations, PER_PAGE).get_page(request.GET.get("page"))
    context = {"filter_form": filter_form, "page": page, "can_record": can(user, Action.ADD, AccessPointInstallation)}
    if request.htmx and request.htmx.target == "accesspoint-rows":
        return render(request, "devices/accesspoint_rows.html", context)
    return render(request, "devices/accesspoint_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def accesspointinstallation_create(request):
    user = request.user
    if not can(user, Action.ADD, AccessPointInstallation):
        raise PermissionDenied
    form = InstallationForm(
        request.POST if request.method == "POST" else None,
        devices=devices_for_tickets(user),
        sites=selectors.installation_sites(user),
        initial={"serial": request.GET.get("serial", "")[:64]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            installation = services.access_point_record(actor=user, **form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        except PermissionDenied:
            form.add_error("serial", _("You may not record installations for this access point."))
        else:
            messages.success(request, _("The installation was recorded; the school verifies it."))
            return redirect("devices:accesspointinstallation-detail", pk=installation.pk)
    return render(request, "devices/accesspoint_form.html", {"form": form})


@login_required
@require_GET
def accesspointinstallation_detail(request, pk: int):
    user = request.user
    installation = selectors.installation_get(user, pk)
    can_verify = (
        installation.verified_at is None
        and permits(user, Action.CHANGE, installation)
        and services.verifies_for(user, installation)
        and installation.recorded_by_id != user.pk
    )
    context = {
        "installation": installation,
        "can_verify": can_verify,
        "events": selectors.installation_history(installation)[:50],
    }
    return render(request, "devices/accesspoint_detail.html", context)


@login_required
@require_POST
def accesspointinstallation_verify(request, pk: int):
    installation = selectors.installation_get(request.user, pk)
    if not permits(request.user, Action.CHANGE, installation):
        raise PermissionDenied
    try:
        services.access_point_verify(installation=installation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The installation was verified: it counts toward the hotspot targets."))
    return redirect("devices:accesspointinstallation-detail", pk=installation.pk)
