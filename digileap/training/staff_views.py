"""Pages of staff records (docs/training-staff.md): the list with the registry's teacher count, a
new record and its edit, a second school and the end of one, the invitation, the upload of a
school's staff list, and a person's page for the school side (enrolments and completions; never
their self-assessments).

Reads go through the selectors (outside the scope: 404); a missing right is a 403. Every write is a
POST that calls a service; a service's ``ValidationError`` goes back onto the form and nothing is
written.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.core.contributions import reverse_or_none
from digileap.core.permissions import Action, can, permits, restrict

from .forms_staff import InviteForm, MembershipForm, StaffForm, StaffMemberFilter, StaffUploadForm
from .models import Completion, CourseEnrolment, Invitation, Membership, StaffMember
from .selectors.people import (
    display_name,
    latest_staff_count,
    memberships_of,
    names_kept,
    open_invitation,
    sees_pseudonyms,
    staff_for,
    staff_get,
    staff_schools,
    waiting_position,
)
from .services import people as services

STAFF_PER_PAGE = 100


def _status(form) -> int:
    """400 when a posted form is shown back with its errors."""
    return 400 if form.is_bound and form.errors else 200


def _staff(request, pk: int, action: str = Action.VIEW) -> StaffMember:
    staff = staff_get(request.user, pk)
    if action != Action.VIEW and not permits(request.user, action, staff):
        raise PermissionDenied
    return staff


@login_required
@require_GET
def staffmember_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.VIEW, StaffMember):
        raise PermissionDenied
    filters = StaffMemberFilter(request.GET or None, queryset=staff_for(request.user), request=request)
    staff = filters.qs.order_by("reference", "pk")
    page = Paginator(staff, STAFF_PER_PAGE).get_page(request.GET.get("page"))
    school = filters.form.cleaned_data.get("school") if filters.is_bound and filters.form.is_valid() else None
    count = None
    if school is not None:
        records = StaffMember.objects.filter(
            Exists(Membership.objects.filter(staff=OuterRef("pk"), school=school, is_active=True))
        ).count()
        count = {"records": records, "registry": latest_staff_count(school), "school": school}
    pseudonyms = sees_pseudonyms(request.user)
    rows = [{"staff": member, "name": display_name(member, request.user)} for member in page.object_list]
    # The schools of each row the user may see, in one query.
    visible = restrict(
        Membership.objects.filter(staff__in=[row["staff"] for row in rows], is_active=True), request.user
    )
    by_staff: dict[int, list] = {}
    for membership in visible.select_related("school").order_by("school__name"):
        by_staff.setdefault(membership.staff_id, []).append(membership)
    for row in rows:
        row["memberships"] = by_staff.get(row["staff"].pk, [])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "training/staff/staffmember_list.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "count": count,
            "query": query.urlencode(),
            "pseudonyms": pseudonyms,
            "names_kept": names_kept(),
            "can_add": staff_schools(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def staffmember_create(request):
    schools = staff_schools(request.user)
    if not schools.exists():
        raise PermissionDenied
    form = StaffForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        school = form.cleaned_data["school"]
        known = StaffMember.objects.filter(
            authority_id=school.authority_id, reference__iexact=form.cleaned_data["reference"].strip()
        ).exists()
        try:
            staff = services.create_staff(
                actor=request.user, school=school, role=form.cleaned_data["role"], **form.service_data()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if known:
                messages.success(
                    request,
                    _("%(reference)s was known in the authority already: they are now also on the staff of %(school)s.")
                    % {"reference": staff.reference, "school": school.name},
                )
            else:
                messages.success(
                    request, _("The staff record %(reference)s was made.") % {"reference": staff.reference}
                )
            return redirect("training:staffmember-detail", pk=staff.pk)
    return render(request, "training/staff/staffmember_form.html", {"form": form, "staff": None}, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def staffmember_update(request, pk: int):
    staff = _staff(request, pk, Action.CHANGE)
    form = StaffForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_staff(actor=request.user, staff=staff, **form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The staff record was saved."))
            return redirect("training:staffmember-detail", pk=staff.pk)
    return render(
        request,
        "training/staff/staffmember_form.html",
        {"form": form, "staff": staff, "name": display_name(staff, request.user)},
        status=_status(form),
    )


@login_required
@require_GET
def staffmember_detail(request, pk: int):
    """A person's page for the school side: their record, schools, enrolments and completions.
    Their self-assessments are private and not shown here."""
    staff = _staff(request, pk)
    user = request.user
    enrolments = list(
        restrict(CourseEnrolment.objects.filter(staff=staff), user)
        .select_related("course", "school")
        .order_by("-created_at", "-pk")
    )
    for enrolment in enrolments:
        enrolment.position = waiting_position(enrolment)
        enrolment.course_url = reverse_or_none("training:course-detail", kwargs={"pk": enrolment.course_id})
    completions = list(
        restrict(Completion.objects.filter(staff=staff), user).select_related("course", "school", "session")
    )
    for completion in completions:
        completion.certificate_url = reverse_or_none("training:completion-certificate", kwargs={"pk": completion.pk})
        completion.detail_url = reverse_or_none("training:completion-detail", kwargs={"pk": completion.pk})
    can_change = permits(user, Action.CHANGE, staff)
    invitation = open_invitation(staff) if can_change else None
    return render(
        request,
        "training/staff/staffmember_detail.html",
        {
            "staff": staff,
            "name": display_name(staff, user),
            "pseudonyms": sees_pseudonyms(user),
            "names_kept": names_kept(),
            "memberships": memberships_of(staff, user),
            "enrolments": enrolments,
            "completions": completions,
            "can_change": can_change,
            "can_invite": can_change and staff.user_id is None,
            "can_add_school": staff_schools(user).filter(authority_id=staff.authority_id).exists(),
            "invitation": invitation,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def staffmember_membership(request, pk: int):
    """Add a school at which the person also works (or take up an ended one again)."""
    staff = _staff(request, pk)
    schools = staff_schools(request.user).filter(authority_id=staff.authority_id)
    if not schools.exists():
        raise PermissionDenied
    active = Membership.objects.filter(staff=staff, is_active=True).values("school_id")
    form = MembershipForm(request.POST or None, schools=schools.exclude(pk__in=active))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_membership(
                actor=request.user, staff=staff, school=form.cleaned_data["school"], role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("%(name)s is now on the staff of %(school)s.")
                % {"name": display_name(staff, request.user), "school": form.cleaned_data["school"].name},
            )
            return redirect("training:staffmember-detail", pk=staff.pk)
    return render(
        request,
        "training/staff/membership_form.html",
        {"form": form, "staff": staff, "name": display_name(staff, request.user)},
        status=_status(form),
    )


@login_required
@require_POST
def membership_end(request, pk: int):
    membership = get_object_or_404(restrict(Membership.objects.select_related("school"), request.user), pk=pk)
    if not permits(request.user, Action.CHANGE, membership):
        raise PermissionDenied
    try:
        services.end_membership(actor=request.user, membership=membership)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("%(name)s no longer works at %(school)s; their records stay.")
            % {"name": display_name(membership.staff, request.user), "school": membership.school.name},
        )
    return redirect("training:staffmember-detail", pk=membership.staff_id)


@login_required
@require_http_methods(["GET", "POST"])
def staffmember_invite(request, pk: int):
    """E-mail the person a link that makes their teacher account."""
    staff = _staff(request, pk, Action.CHANGE)
    if staff.user_id is not None:
        messages.info(
            request, _("%(name)s has an account already: they sign in with it.") % {"name": display_name(staff)}
        )
        return redirect("training:staffmember-detail", pk=staff.pk)
    form = InviteForm(request.POST or None, initial={"email": staff.email})
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invite(actor=request.user, staff=staff, email=form.cleaned_data["email"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("The invitation went to %(email)s. The link works once, until %(day)s.")
                % {
                    "email": invitation.email,
                    "day": formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT"),
                },
            )
            return redirect("training:staffmember-detail", pk=staff.pk)
    return render(
        request,
        "training/staff/staffmember_invite.html",
        {
            "form": form,
            "staff": staff,
            "name": display_name(staff, request.user),
            "invitation": open_invitation(staff),
            "invitations": Invitation.objects.filter(staff=staff).count(),
        },
        status=_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def staffmember_upload(request: HttpRequest) -> HttpResponse:
    """Upload a school's staff list (CSV or XLSX): every row or none."""
    schools = staff_schools(request.user)
    if not schools.exists():
        raise PermissionDenied
    form = StaffUploadForm(request.POST or None, request.FILES or None, schools=schools)
    summary = None
    errors: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = services.import_staff(
                actor=request.user, school=form.cleaned_data["school"], file=upload, filename=upload.name
            )
        except services.StaffFileError as error:
            errors = error.errors
        else:
            messages.success(
                request,
                _("The staff list was read: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.") % summary,
            )
            return redirect(f"{reverse_or_none('training:staffmember-list')}?school={form.cleaned_data['school'].pk}")
    return render(
        request,
        "training/staff/staffmember_upload.html",
        {"form": form, "errors": errors, "summary": summary},
        status=400 if errors else _status(form),
    )
