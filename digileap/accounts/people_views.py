"""The people pages (docs/people.md): the list of people, a person's roles and history, the
invitation form and list, the users who wait for a role, and the public page of an invitation link.

Reads go through ``selectors`` (outside the actor's reach: 404); a missing right is a 403. Every
write is a POST that calls a service; a service's ``ValidationError`` goes back onto the form and
nothing is written.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services
from .forms_people import ChangeRoleForm, GrantForm, InvitationAcceptForm, InviteForm, PeopleFilter
from .models import RoleAssignment, User, UserInvitation
from .selectors import (
    assignments_in_reach,
    hidden_role_count,
    history_of,
    invitation_state,
    invitations_for,
    may_grant,
    open_requests,
    people_for,
    person_get,
    reach_of,
    roles_of,
)

PEOPLE_PER_PAGE = 50
PUBLIC_LIMIT = 30
PUBLIC_WINDOW_SECONDS = 300


def _status(form: Any) -> int:
    return 400 if form.is_bound and form.errors else 200


def _require_reach(request: HttpRequest):
    reach = reach_of(request.user)
    if not reach.manages_people:
        raise PermissionDenied
    return reach


def _person(request: HttpRequest, pk: int) -> User:
    _require_reach(request)
    try:
        return person_get(request.user, pk)
    except User.DoesNotExist:
        raise Http404 from None


def _assignment(request: HttpRequest, pk: int) -> RoleAssignment:
    _require_reach(request)
    try:
        return assignments_in_reach(request.user, RoleAssignment.objects.select_related("user")).get(pk=pk)
    except RoleAssignment.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    reach = _require_reach(request)
    filters = PeopleFilter(request.GET or None, queryset=people_for(request.user), request=request)
    people = filters.qs.order_by("username", "pk")
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    visible = assignments_in_reach(
        request.user,
        RoleAssignment.objects.filter(user__in=list(page.object_list)).select_related(
            "authority", "operator", "school", "supplier", "staff"
        ),
    ).order_by("created_at", "pk")
    by_user: dict[int, list] = {}
    for assignment in visible:
        by_user.setdefault(assignment.user_id, []).append(assignment)
    rows = [{"user": user, "roles": by_user.get(user.pk, [])} for user in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/people/user_list.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "everything": reach.everything,
            "waiting": open_requests(request.user).count(),
            "pending": invitations_for(request.user).count(),
        },
    )


@login_required
@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    reach = reach_of(request.user)
    roles = [
        {"assignment": a, "manageable": may_grant(reach, a) and a.source == "manual"}
        for a in roles_of(request.user, person)
    ]
    return render(
        request,
        "accounts/people/user_detail.html",
        {
            "person": person,
            "role_rows": roles,
            "hidden": hidden_role_count(request.user, person),
            "history": history_of(request.user, person),
            "may_manage": services.may_manage_user(request.user, person, reach),
            "access_request": open_requests(request.user).filter(user=person).first(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_assign(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = GrantForm(request.POST if request.method == "POST" else None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_role(actor=request.user, user=person, **form.grant())
        except ValidationError as error:
            form.add_service_error(error)
        except PermissionDenied:
            form.add_error(None, _("You may not grant this role with this scope."))
        else:
            messages.success(request, _("The role was given to %(name)s.") % {"name": person})
            return redirect("people:user-detail", pk=person.pk)
    context = {"form": form, "person": person, "title": _("Give %(name)s a role") % {"name": person}}
    return render(request, "accounts/people/grant_form.html", context, status=_status(form))


def _post_service(request: HttpRequest, call: Any, done: str) -> None:
    try:
        call()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)


@login_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    _post_service(
        request,
        lambda: services.deactivate_user(actor=request.user, user=person),
        _("%(name)s is deactivated: they can no longer sign in.") % {"name": person},
    )
    return redirect("people:user-detail", pk=person.pk)


@login_required
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    _post_service(
        request,
        lambda: services.reactivate_user(actor=request.user, user=person),
        _("%(name)s can sign in again.") % {"name": person},
    )
    return redirect("people:user-detail", pk=person.pk)


@login_required
@require_http_methods(["GET", "POST"])
def roleassignment_change(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    if not may_grant(reach_of(request.user), assignment):
        raise PermissionDenied
    form = ChangeRoleForm(request.POST if request.method == "POST" else None, actor=request.user, assignment=assignment)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_role(actor=request.user, assignment=assignment, **form.grant())
        except ValidationError as error:
            form.add_service_error(error)
        except PermissionDenied:
            form.add_error(None, _("You may not grant this role with this scope."))
        else:
            messages.success(request, _("The role was changed."))
            return redirect("people:user-detail", pk=assignment.user_id)
    context = {
        "form": form,
        "person": assignment.user,
        "assignment": assignment,
        "title": _("Change the role of %(name)s") % {"name": assignment.user},
    }
    return render(request, "accounts/people/grant_form.html", context, status=_status(form))


@login_required
@require_POST
def roleassignment_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    user_id = assignment.user_id
    _post_service(
        request,
        lambda: services.revoke_role(actor=request.user, assignment=assignment),
        _("The role %(role)s was revoked.") % {"role": assignment},
    )
    return redirect("people:user-detail", pk=user_id)


@login_required
@require_GET
def userinvitation_list(request: HttpRequest) -> HttpResponse:
    _require_reach(request)
    now = timezone.now()
    invitations = [
        {"invitation": i, "state": invitation_state(i, now)}
        for i in invitations_for(request.user).order_by("-created_at", "-pk")[:500]
    ]
    return render(request, "accounts/people/invitation_list.html", {"invitations": invitations})


@login_required
@require_http_methods(["GET", "POST"])
def userinvitation_create(request: HttpRequest) -> HttpResponse:
    _require_reach(request)
    form = InviteForm(request.POST if request.method == "POST" else None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.invite_user(
                actor=request.user,
                email=data["email"],
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                language=get_language(),
                base_url=request.build_absolute_uri("/"),
                **form.grant(),
            )
        except ValidationError as error:
            form.add_service_error(error)
        except PermissionDenied:
            form.add_error(None, _("You may not grant this role with this scope."))
        else:
            messages.success(request, _("The invitation was sent to %(email)s.") % {"email": data["email"]})
            return redirect("people:userinvitation-list")
    context = {"form": form, "title": _("Invite someone")}
    return render(request, "accounts/people/grant_form.html", context, status=_status(form))


@login_required
@require_POST
def userinvitation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reach(request)
    try:
        invitation = invitations_for(request.user).get(pk=pk)
    except UserInvitation.DoesNotExist:
        raise Http404 from None
    _post_service(
        request,
        lambda: services.withdraw_invitation(actor=request.user, invitation=invitation),
        _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email},
    )
    return redirect("people:userinvitation-list")


@login_required
@require_GET
def accessrequest_list(request: HttpRequest) -> HttpResponse:
    _require_reach(request)
    requests = open_requests(request.user).order_by("created_at", "pk")
    return render(request, "accounts/people/accessrequest_list.html", {"requests": requests})


# The public invitation link.


def _over_limit(request: HttpRequest) -> bool:
    key = f"accounts:invitation:{request.META.get('REMOTE_ADDR', '') or 'unknown'}"
    if cache.add(key, 1, PUBLIC_WINDOW_SECONDS):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, PUBLIC_WINDOW_SECONDS)
        return False
    return count > PUBLIC_LIMIT


def _public(response: HttpResponse) -> HttpResponse:
    # The token is in the address: keep it out of other sites' logs, of search engines and caches.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _gone(request: HttpRequest, state: str) -> HttpResponse:
    status = {"unknown": 404, "limited": 429, "has_account": 200}.get(state, 410)
    message = services.GONE_MESSAGES[state]() if state in services.GONE_MESSAGES else ""
    return _public(
        render(request, "accounts/people/invitation_gone.html", {"state": state, "message": message}, status=status)
    )


@never_cache
@require_http_methods(["GET", "POST"])
def userinvitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link of an invitation e-mail: a new person makes their account; a person signed in with
    the invited e-mail address takes the role on their account."""
    if _over_limit(request):
        response = _gone(request, "limited")
        response["Retry-After"] = str(PUBLIC_WINDOW_SECONDS)
        return response
    invitation = services.invitation_by_token(token)
    if invitation is None:
        return _gone(request, "unknown")
    state = invitation_state(invitation)
    if state != "open":
        return _gone(request, state)
    signed_in = request.user.is_authenticated
    form = InvitationAcceptForm(request.POST if request.method == "POST" and not signed_in else None)
    if request.method == "POST" and (signed_in or form.is_valid()):
        try:
            user = services.accept_invitation(
                token=token,
                username=form.cleaned_data.get("username", "") if not signed_in else "",
                password=form.cleaned_data.get("password", "") if not signed_in else "",
                user=request.user if signed_in else None,
                preferred_language=get_language() or "",
            )
        except UserInvitation.DoesNotExist:
            return _gone(request, "unknown")
        except services.InvitationGone as gone:
            return _gone(request, gone.state)
        except ValidationError as error:
            if signed_in:
                for message in error.messages:
                    messages.error(request, message)
            else:
                form.add_service_error(error)
        else:
            if not signed_in:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome: your role is %(role)s.") % {"role": invitation.get_role_display()})
            return redirect("home")
    context = {
        "form": form,
        "invitation": invitation,
        "signed_in": signed_in,
        "scope": services.scope_label(invitation),
        "password_help": password_validators_help_texts(),
    }
    return _public(render(request, "accounts/people/invitation_accept.html", context, status=_status(form)))
