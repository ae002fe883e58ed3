"""Staff pages of programmes. Reads go through selectors, so a programme outside the user's scope
is a 404. Public pages (``/p/``) come next."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.shortcuts import render
from django.utils import timezone

from . import selectors


@login_required
def programme_list(request):
    programmes = (
        selectors.programmes_for(request.user)
        .annotate(budget=Sum("funding_sources__amount"), target_count=Count("targets", distinct=True))
        .order_by("code")
    )
    return render(request, "programmes/programme_list.html", {"programmes": programmes})


@login_required
def programme_detail(request, pk: int):
    programme = selectors.programme_get(request.user, pk)
    today = timezone.localdate()
    targets = selectors.targets_for(request.user).filter(programme=programme).order_by("due_date", "position")
    budget = selectors.budget_by_source(programme, selectors.funding_transactions_for(request.user))
    context = {
        "programme": programme,
        "today": today,
        "progress": selectors.target_progress(targets, today),
        "budget": budget,
        "budget_total": sum((row["budget"] for row in budget), 0),
        "objectives": programme.objectives.order_by("position"),
    }
    return render(request, "programmes/programme_detail.html", context)
