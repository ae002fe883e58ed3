"""Pages of the browser speed test (docs/connectivity-speedtest.md):

- the test page of a school (``school-speedtest``) or one of its sites (``site-speedtest``) for
  signed-in school coordinators, operator staff and programme owners, with the school's recent tests;
- the school's test links (``testlink-list``, ``testlink-create``, ``testlink-revoke``);
- the public page behind a signed link (``testlink-run``, no account) with its start and finish;
- ``speedtest-ping``: an empty answer the page times for latency and jitter.

The start (POST) creates a running ``SpeedTest`` and answers JSON with the ticket for the ndt7
endpoint; the finish (POST, JSON) records the result. An object outside the user's scope is a
404; an action the role does not allow is a 403.
"""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from digileap.core.permissions import Action, can, permits

from .forms_speedtest import StartForm, TestLinkForm
from .models import SpeedTest, TestLink
from .selectors import speedtests as selectors
from .services import speedtests as services

MAX_FINISH_BYTES = 20_000


# Where the page's ndt7 client connects.


def ndt7_target(request) -> dict:
    """``server`` (host:port), ``protocol`` (ws or wss) and the CSP origin of the ndt7 server:
    the external ndt-server if ``DIGILEAP_SPEEDTEST_SERVER`` names one, else this installation's own
    endpoint, on the page's host unless ``DIGILEAP_SPEEDTEST_OWN_SERVER`` (host:port, an internal
    setting for a separate ndt7 process and the browser test) says where it is."""
    external = services.external_server()
    if external:
        return {"server": external, "protocol": "wss", "origin": f"wss://{external}", "external": True}
    protocol = "wss" if request.is_secure() else "ws"
    own = getattr(settings, "DIGILEAP_SPEEDTEST_OWN_SERVER", "")
    server = own or request.get_host()
    return {
        "server": server,
        "protocol": protocol,
        "origin": f"{protocol}://{server}" if own else "",
        "external": False,
    }


def _allow_ndt7(response, target: dict):
    """Lets the page reach an ndt7 server on another origin (the CSP block in settings allows the
    configured external server already; this covers ``DIGILEAP_SPEEDTEST_OWN_SERVER``)."""
    if target["origin"]:
        response._csp_update = {"connect-src": [target["origin"]]}
    return response


def _page_config(request, *, start_url: str, target: dict) -> dict:
    vendor = "connectivity/vendor/ndt7/"
    return {
        "start_url": start_url,
        "ping_url": reverse("connectivity:speedtest-ping"),
        "ndt7_script": static(vendor + "ndt7.js"),
        "download_worker": static(vendor + "ndt7-download-worker.js"),
        "upload_worker": static(vendor + "ndt7-upload-worker.js"),
        "external": target["external"],
    }


def _client(request) -> dict:
    return {
        "address": request.META.get("REMOTE_ADDR", ""),
        "user_agent": request.META.get("HTTP_USER_AGENT", ""),
    }


def _started_json(request, started: services.Started, finish_url: str) -> JsonResponse:
    target = ndt7_target(request)
    return JsonResponse(
        {
            "test": started.test.pk,
            "ticket": started.ticket,
            "server": target["server"],
            "protocol": target["protocol"],
            "verified": started.verified,
            "finish_url": finish_url,
        }
    )


def _finish_data(request) -> dict:
    if len(request.body) > MAX_FINISH_BYTES:
        raise ValidationError({"data": _("The result is too large.")})
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise ValidationError({"data": _("The result could not be read.")}) from None
    if not isinstance(data, dict):
        raise ValidationError({"data": _("The result could not be read.")})
    return data


def _error_json(error: ValidationError, status: int = 400) -> JsonResponse:
    if hasattr(error, "error_dict"):
        errors = {field: " ".join(messages) for field, messages in error.message_dict.items()}
    else:
        errors = {"__all__": " ".join(error.messages)}
    return JsonResponse({"errors": errors, "message": " ".join(errors.values())}, status=status)


def _form_error_json(form) -> JsonResponse:
    errors = {field: " ".join(messages) for field, messages in form.errors.items()}
    return JsonResponse({"errors": errors, "message": " ".join(errors.values())}, status=400)


# The signed-in pages.


def _require_test_right(user, school):
    if not permits(user, Action.ADD, SpeedTest(school=school)):
        raise PermissionDenied


def _render_test_page(request, *, school, site=None, sites=None):
    user = request.user
    _require_test_right(user, school)
    target = ndt7_target(request)
    start_url = reverse("connectivity:school-speedtest-start", kwargs={"pk": school.pk})
    form = StartForm(sites=sites, initial={"site": site.pk if site else None})
    context = {
        "school": school,
        "site": site,
        "form": form,
        "config": _page_config(request, start_url=start_url, target=target),
        "recent": selectors.recent_tests(school, user),
        "can_manage_links": permits(user, Action.ADD, TestLink(school=school)),
    }
    return _allow_ndt7(render(request, "connectivity/speedtest_page.html", context), target)


@login_required
@require_GET
def school_speedtest(request, pk: int):
    school = selectors.school_get(request.user, pk)
    return _render_test_page(request, school=school, sites=selectors.sites_of(school, request.user))


@login_required
@require_GET
def site_speedtest(request, pk: int):
    site = selectors.site_get(request.user, pk)
    return _render_test_page(
        request, school=site.school, site=site, sites=selectors.sites_of(site.school, request.user)
    )


@login_required
@require_POST
def school_speedtest_start(request, pk: int):
    user = request.user
    school = selectors.school_get(user, pk)
    _require_test_right(user, school)
    form = StartForm(request.POST, sites=selectors.sites_of(school, user))
    if not form.is_valid():
        return _form_error_json(form)
    try:
        started = services.speedtest_start(
            school=school,
            site=form.cleaned_data.get("site"),
            actor=user,
            connection=form.cleaned_data["connection"],
            **_client(request),
        )
    except services.StartRefused as refusal:
        return JsonResponse({"message": refusal.message}, status=refusal.status)
    except ValidationError as error:
        return _error_json(error)
    finish_url = reverse("connectivity:speedtest-finish", kwargs={"pk": started.test.pk})
    return _started_json(request, started, finish_url)


def _finished_json(request, test, *, recent=None) -> JsonResponse:
    result = render_to_string("connectivity/speedtest_result.html", {"test": test}, request=request)
    data = {"result_html": result}
    if recent is not None:
        data["recent_html"] = render_to_string(
            "connectivity/speedtest_recent.html", {"recent": recent, "school": test.school}, request=request
        )
    return JsonResponse(data)


@login_required
@require_POST
def speedtest_finish(request, pk: int):
    user = request.user
    test = selectors.own_running_test(user, pk)
    try:
        test = services.speedtest_finish(test=test, data=_finish_data(request))
    except ValidationError as error:
        return _error_json(error)
    return _finished_json(request, test, recent=selectors.recent_tests(test.school, user))


# Test links.


def _links_context(request, school, form):
    user = request.user
    links = selectors.links_of(school, user)
    for link in links:
        link.url = request.build_absolute_uri(services.link_url(link))
        link.can_revoke = link.revoked_at is None and permits(user, Action.CHANGE, link)
    return {"school": school, "links": links, "form": form, "can_add": form is not None}


@login_required
@require_GET
def testlink_list(request, school_pk: int):
    user = request.user
    school = selectors.school_get(user, school_pk)
    if not can(user, Action.VIEW, TestLink):
        raise PermissionDenied
    form = None
    if permits(user, Action.ADD, TestLink(school=school)):
        form = TestLinkForm(sites=selectors.sites_of(school, user))
    return render(request, "connectivity/speedtest_links.html", _links_context(request, school, form))


@login_required
@require_POST
def testlink_create(request, school_pk: int):
    user = request.user
    school = selectors.school_get(user, school_pk)
    if not permits(user, Action.ADD, TestLink(school=school)):
        raise PermissionDenied
    form = TestLinkForm(request.POST, sites=selectors.sites_of(school, user))
    if form.is_valid():
        try:
            link = services.link_create(actor=user, school=school, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The test link was made. Copy it and send it to the school's staff."))
            return redirect(reverse("connectivity:testlink-list", kwargs={"school_pk": school.pk}) + f"#link-{link.pk}")
    response = render(request, "connectivity/speedtest_links.html", _links_context(request, school, form))
    response.status_code = 400
    return response


@login_required
@require_POST
def testlink_revoke(request, pk: int):
    user = request.user
    link = selectors.link_get(user, pk)
    if not permits(user, Action.CHANGE, link):
        raise PermissionDenied
    services.link_revoke(actor=user, link=link)
    messages.success(request, _("The test link was withdrawn; it no longer starts a test."))
    return redirect("connectivity:testlink-list", school_pk=link.school_id)


# The public page behind a link.


def _link_or_page(request, token: str):
    try:
        return services.link_for_token(token), None
    except services.LinkError as error:
        response = render(request, "connectivity/speedtest_link_invalid.html", {"message": error.message})
        response.status_code = error.status
        return None, response


@never_cache
@require_GET
def testlink_run(request, token: str):
    link, refusal = _link_or_page(request, token)
    if refusal is not None:
        return refusal
    target = ndt7_target(request)
    start_url = reverse("connectivity:testlink-start", kwargs={"token": token})
    context = {
        "link": link,
        "school": link.school,
        "site": link.site,
        "form": StartForm(),
        "config": _page_config(request, start_url=start_url, target=target),
    }
    return _allow_ndt7(render(request, "connectivity/speedtest_public.html", context), target)


def _link_json(token: str):
    try:
        return services.link_for_token(token), None
    except services.LinkError as error:
        return None, JsonResponse({"message": error.message}, status=error.status)


@require_POST
def testlink_start(request, token: str):
    link, refusal = _link_json(token)
    if refusal is not None:
        return refusal
    form = StartForm(request.POST)
    if not form.is_valid():
        return _form_error_json(form)
    try:
        started = services.speedtest_start(
            school=link.school, link=link, connection=form.cleaned_data["connection"], **_client(request)
        )
    except services.StartRefused as refused:
        return JsonResponse({"message": refused.message}, status=refused.status)
    finish_url = reverse("connectivity:testlink-finish", kwargs={"token": token})
    return _started_json(request, started, finish_url)


@require_POST
def testlink_finish(request, token: str):
    link, refusal = _link_json(token)
    if refusal is not None:
        return refusal
    try:
        data = _finish_data(request)
        test_id = data.get("test")
        test = (
            SpeedTest.objects.filter(link=link, state=SpeedTest.State.RUNNING, pk=test_id).first()
            if test_id is not None
            else None
        )
        if test is None:
            raise ValidationError({"test": _("This test has finished already.")})
        test = services.speedtest_finish(test=test, data=data)
    except (ValidationError, TypeError, ValueError) as error:
        if not isinstance(error, ValidationError):
            error = ValidationError({"test": _("This test has finished already.")})
        return _error_json(error)
    return _finished_json(request, test)


@never_cache
def speedtest_ping(request):
    """An empty answer: the page times ten of them for latency and jitter."""
    return HttpResponse(status=204)
