"""Web pages of the import flow: upload, preview (with every rejected row), confirm, progress, result.

The views parse input and call the services in ``core.imports``; the work runs in background tasks.
The detail page polls its status partial every second (htmx) while the job runs.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .exports import csv_response
from .imports import (
    CANCELLABLE,
    authorize_job_change,
    import_job_cancel,
    import_job_confirm,
    import_job_create,
    import_job_retry,
    is_retryable,
    job_overrides,
    rejected_rows,
)
from .jobs import check_stale
from .models import ImportJob
from .selectors import import_job_get, import_jobs_for
from .tabular.engine import import_targets, importer_for, may_import
from .tabular.profiles import available_profiles, get_profile

TEMPLATE_PROFILE = ("schools", "generic")
# The target the upload page starts with when the user may import it (the most common import).
DEFAULT_TARGET = "schools"


def uses_school_year(target: str) -> bool:
    """Whether the target's rows carry a school year that the upload may set for every row. An
    importer says so with ``uses_school_year``; without it, whether it declares a field of that name."""
    importer = importer_for(target)
    declared = getattr(importer, "uses_school_year", None)
    if declared is not None:
        return bool(declared)
    return any(spec.name == "school_year" for spec in importer.fields)


def template_profile(target: str):
    """The profile whose columns make the target's template: its ``generic`` profile, else its first."""
    profiles = available_profiles(target)
    if "generic" in profiles:
        return profiles["generic"]
    builtin = sorted((p for p in profiles.values() if p.is_builtin), key=lambda p: p.name)
    return builtin[0] if builtin else None


def chosen_target(requested: str | None, targets: list[str]) -> str | None:
    """The target the page is for: the one asked for, else the default, else the first."""
    if requested in targets:
        return requested
    if DEFAULT_TARGET in targets:
        return DEFAULT_TARGET
    return targets[0] if targets else None


class ImportUploadForm(forms.Form):
    """What to import, how to read it, and the file."""

    target = forms.ChoiceField(label=gettext_lazy("What is imported"))
    profile = forms.ChoiceField(
        label=gettext_lazy("Profile"),
        help_text=gettext_lazy("How the file's columns map to the registry (see the documentation of imports)."),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (comma, semicolon or tab; UTF-8 or Windows-1252) or XLSX; JSON for xAPI statements."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,.json"}),
    )
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("Skip rejected rows and import the others"),
        required=False,
    )
    school_year = forms.CharField(
        label=gettext_lazy("School year"),
        required=False,
        max_length=7,
        help_text=gettext_lazy("Optional, like 2024/25: replaces the school year of every row."),
    )
    school = forms.ChoiceField(
        label=gettext_lazy("School (class lists)"),
        required=False,
        help_text=gettext_lazy(
            "For a class list without a school column: every pupil and teacher of the file belongs to this school."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        targets = [name for name in import_targets() if may_import(user, name)]
        self.fields["target"].choices = [(name, import_targets()[name].label) for name in targets]
        requested = self.data.get("target") if self.is_bound else self.initial.get("target")
        # Each target offers its own profiles only (issue 11, defect 7).
        self.target = chosen_target(requested, targets)
        self.initial.setdefault("target", self.target)
        self.fields["profile"].choices = [
            (profile.name, f"{profile.display_label} ({profile.name})")
            for target in ([self.target] if self.target else [])
            for profile in sorted(available_profiles(target).values(), key=lambda p: p.name)
        ]
        if self.target is None or not uses_school_year(self.target):
            del self.fields["school_year"]
        self.schools = {}
        if self.target == SCHOOL_TARGET:
            self.schools = {str(school.pk): school for school in schools_for_import(user, SCHOOL_TARGET)}
            self.fields["school"].choices = [("", _("the school column of the file"))] + [
                (pk, f"{school.name} ({school.number})") for pk, school in self.schools.items()
            ]
        else:
            del self.fields["school"]

    def clean_school(self):
        pk = self.cleaned_data.get("school") or ""
        return self.schools.get(pk)

    def clean_school_year(self):
        from digileap.core.validators import SCHOOL_YEAR_VALIDATOR

        year = self.cleaned_data["school_year"].strip()
        if year:
            SCHOOL_YEAR_VALIDATOR(year)
        return year

    def clean(self):
        data = super().clean()
        target, profile = data.get("target"), data.get("profile")
        if target and profile and profile not in available_profiles(target):
            self.add_error("profile", _("This profile is not for %(target)s.") % {"target": target})
        if data.get("school") is not None and target != SCHOOL_TARGET:
            self.add_error("school", _("A school is chosen only for class lists; leave it empty for this import."))
        return data

    def overrides(self) -> dict[str, str]:
        """Field values the upload gives every row (the recipients importer reads ``school``)."""
        school = self.cleaned_data.get("school")
        return {"school": school.number} if school is not None else {}


# The target whose rows belong to a school chosen on the form (its importer asks for it).
SCHOOL_TARGET = "recipients"


def schools_for_import(user, target: str):
    """The schools where the user may add or change what ``target`` imports, by name.

    Follows the same role assignments as the importer's own check, mapped onto the schools'
    scope paths, so the list offers exactly the schools the import would accept."""
    from django.apps import apps
    from django.db.models import Q

    from .permissions import Action, assignments_for

    school_model = apps.get_model("schools", "School")
    model = importer_for(target).model
    # The importers a school is chosen for (``SCHOOL_TARGET``'s) name the model they write; without
    # one there would be no role grants to follow.
    assert model is not None, f"The {target} importer names no model."
    condition = Q(pk__in=[])
    for action in (Action.ADD, Action.CHANGE):
        for assignment in assignments_for(user, action, model):
            if assignment.scope_kind == "all":
                return school_model.objects.order_by("name", "number", "pk")
            path = school_model.scope_paths.get(assignment.scope_kind)
            if path:
                condition |= Q(**{f"{path}__in": [assignment.scope_id]})
    return school_model.objects.filter(condition).distinct().order_by("name", "number", "pk")


def _require_import_right(user) -> None:
    if not any(may_import(user, target) for target in import_targets()):
        raise PermissionDenied(_("Your role may not import files."))


@login_required
@require_GET
def importjob_list(request):
    jobs = import_jobs_for(request.user)[:200]
    can_upload = any(may_import(request.user, target) for target in import_targets())
    return render(request, "core/imports/job_list.html", {"jobs": jobs, "can_upload": can_upload})


@login_required
@require_http_methods(["GET", "POST"])
def importjob_create(request):
    _require_import_right(request.user)
    initial = {key: request.GET[key] for key in ("target", "profile") if request.GET.get(key)}
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    targets = [(name, import_targets()[name].label) for name in import_targets() if may_import(request.user, name)]
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(
                actor=request.user,
                target=form.cleaned_data["target"],
                profile=form.cleaned_data["profile"],
                uploaded_file=form.cleaned_data["file"],
                skip_invalid=form.cleaned_data["skip_invalid"],
                school_year=form.cleaned_data.get("school_year", ""),
                overrides=form.overrides(),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error("school_year" if form.cleaned_data.get("school_year") else None, error)
        else:
            return redirect("importjob-detail", pk=job.pk)
    context = {
        "form": form,
        "targets": targets,
        "target": form.target,
        "has_template": bool(form.target and template_profile(form.target)),
    }
    return render(request, "core/imports/job_create.html", context, status=400 if form.errors else 200)


def _status_context(request, job: ImportJob) -> dict:
    profile = None
    try:
        profile = get_profile(job.target, job.profile)
    except ValueError:
        pass
    summary = job.summary or {}
    rejected_count = summary.get("rejected", 0)
    return {
        "job": job,
        "profile": profile,
        "summary": summary,
        "rejected_count": rejected_count,
        "shown_rejected": job.rejected_rows,
        "more_rejected": len({row["line"] for row in job.rejected_rows}) < rejected_count,
        "may_confirm": job.status == ImportJob.Status.PREVIEWED and job.created_by_id == request.user.pk,
        "may_cancel": job.status in CANCELLABLE and _may_change(request.user, job),
        "may_retry": is_retryable(job) and _may_change(request.user, job),
        "Status": ImportJob.Status,
        "overrides": job_overrides(job),
    }


def _may_change(user, job: ImportJob) -> bool:
    try:
        authorize_job_change(user, job)
    except PermissionDenied:
        return False
    return True


@login_required
@require_GET
def importjob_detail(request, pk: int):
    job = check_stale(import_job_get(request.user, pk))
    return render(request, "core/imports/job_detail.html", _status_context(request, job))


@login_required
@require_GET
def importjob_progress(request, pk: int):
    job = check_stale(import_job_get(request.user, pk))
    return render(request, "core/imports/_job_status.html", _status_context(request, job))


@login_required
@require_POST
def importjob_commit(request, pk: int):
    job = import_job_get(request.user, pk)
    try:
        import_job_confirm(job=job, actor=request.user, skip_invalid=request.POST.get("skip_invalid") == "on")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("importjob-detail", pk=job.pk)


@login_required
@require_POST
def importjob_cancel(request, pk: int):
    job = import_job_get(request.user, pk)
    try:
        import_job_cancel(job=job, actor=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The import was cancelled; nothing was written."))
    return redirect("importjob-detail", pk=job.pk)


@login_required
@require_POST
def importjob_retry(request, pk: int):
    job = import_job_get(request.user, pk)
    try:
        retry = import_job_retry(job=job, actor=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("importjob-detail", pk=job.pk)
    messages.success(
        request, _("A new import of the same file was queued; it repeats import %(number)s.") % {"number": job.pk}
    )
    return redirect("importjob-detail", pk=retry.pk)


@login_required
@require_GET
def importjob_rejected(request, pk: int):
    job = import_job_get(request.user, pk)
    headers = [_("line"), _("column"), _("reason"), _("value")]
    return csv_response(f"{job.original_filename}-rejected", headers, rejected_rows(job))


@login_required
@require_GET
def importprofile_template(request):
    """The template of a target (``?target=``, default schools): a header row with every column its
    generic profile (else its first built-in profile) reads."""
    target = request.GET.get("target") or TEMPLATE_PROFILE[0]
    if target not in import_targets():
        raise Http404
    profile = template_profile(target)
    if profile is None:
        raise Http404
    headers = [source for column in profile.columns for source in column.sources]
    return csv_response(slugify(f"digileap-{target}-template"), headers, [])
