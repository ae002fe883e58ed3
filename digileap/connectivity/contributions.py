"""What connectivity adds to the menu and the home page (``digileap.core.contributions``).

- The menu's "Connectivity": the list of survey campaigns, for everyone who may see campaigns
  (programme owners, funding administrators, auditors, operator staff, school coordinators).
- To-dos of school coordinators and operator staff: per open campaign, their schools that have not
  submitted an answer (the campaign page filtered to them, or the survey page when it is one school).
- To-dos of programme owners: per open campaign of their authority, the schools that have not
  answered, with the response rate so far.

Each to-do list is one grouped SQL query, whatever the number of campaigns and schools.
"""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from digileap.accounts.models import Role
from digileap.core.contributions import (
    MenuEntry,
    Panel,
    Todo,
    register_menu,
    register_school_panel,
    register_todos,
    reverse_or_none,
)
from digileap.core.formatting import format_number
from digileap.core.permissions import Action, assignments_for, can, has_role, restrict


def _menu(user) -> list[MenuEntry]:
    from .models import Campaign

    if user is None or not user.is_authenticated or not can(user, Action.VIEW, Campaign):
        return []
    url = reverse_or_none("connectivity:campaign-list")
    return [MenuEntry("connectivity", gettext_lazy("Connectivity"), url)] if url else []


def open_campaign_counts(user) -> list[dict]:
    """Per open campaign the user may see: the schools covered in the user's scope (``total``),
    those submitted (``done``), and one school's id when only one is pending (``school_id``)."""
    from .models import Campaign, CampaignSchool, SurveyResponse

    submitted = SurveyResponse.objects.filter(
        campaign_id=OuterRef("campaign_id"), school_id=OuterRef("school_id"), state=SurveyResponse.State.SUBMITTED
    )
    return list(
        restrict(CampaignSchool.objects.filter(campaign__state=Campaign.State.OPEN), user)
        .annotate(has_submitted=Exists(submitted))
        .order_by()
        .values("campaign_id", "campaign__code")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(has_submitted=True)))
        .order_by("campaign__code", "campaign_id")
    )


def _school_side_todos(user) -> list[Todo]:
    from .selectors.campaigns import NONE

    todos = []
    for row in open_campaign_counts(user):
        pending = row["total"] - row["done"]
        url = reverse_or_none("connectivity:campaign-detail", kwargs={"pk": row["campaign_id"]})
        if not url or pending <= 0:
            continue
        todos.append(
            Todo(
                f"connectivity-survey-{row['campaign_id']}",
                ngettext(
                    "school has not answered the connectivity survey %(campaign)s",
                    "schools have not answered the connectivity survey %(campaign)s",
                    pending,
                )
                % {"campaign": row["campaign__code"]},
                pending,
                f"{url}?state={NONE}#schools-title",
                _("Describe the school's internet connections, internal network and problems before the last day."),
            )
        )
    return todos


def _owner_todos(user) -> list[Todo]:
    todos = []
    for row in open_campaign_counts(user):
        pending = row["total"] - row["done"]
        url = reverse_or_none("connectivity:campaign-detail", kwargs={"pk": row["campaign_id"]})
        if not url:
            continue
        percent = round(100 * row["done"] / row["total"], 1) if row["total"] else 0
        todos.append(
            Todo(
                f"connectivity-campaign-{row['campaign_id']}",
                ngettext(
                    "school has not answered the open survey %(campaign)s",
                    "schools have not answered the open survey %(campaign)s",
                    pending,
                )
                % {"campaign": row["campaign__code"]},
                pending,
                url,
                _("Response rate %(percent)s %%: %(done)s of %(total)s schools have answered.")
                % {
                    "percent": format_number(percent),
                    "done": format_number(row["done"]),
                    "total": format_number(row["total"]),
                },
            )
        )
    return todos


def _todos(user) -> list[Todo]:
    from .models import Campaign

    if not can(user, Action.VIEW, Campaign):
        return []
    if any(a.role == Role.PROGRAMME_OWNER for a in assignments_for(user, Action.CHANGE, Campaign)):
        return _owner_todos(user)
    if has_role(user, Role.SCHOOL_COORDINATOR, Role.OPERATOR_STAFF):
        return _school_side_todos(user)
    return []


def _school_panel(request, school) -> Panel | None:
    """The school page's connectivity: the latest daily summary and links to the speed test, the
    test links and the measurements, each for those who may open it."""
    from .models import DailyAggregate, SpeedTest, TestLink

    user = request.user
    if not can(user, Action.VIEW, DailyAggregate):
        return None
    latest = restrict(DailyAggregate.objects.filter(school=school), user).order_by("-day", "-id").first()
    links = [(_("Measurements"), reverse_or_none("connectivity:school-measurements", kwargs={"pk": school.pk}))]
    if can(user, Action.ADD, SpeedTest):
        links.append(
            (_("Run the speed test"), reverse_or_none("connectivity:school-speedtest", kwargs={"pk": school.pk}))
        )
    if can(user, Action.ADD, TestLink):
        links.append(
            (_("Speed test links"), reverse_or_none("connectivity:testlink-list", kwargs={"school_pk": school.pk}))
        )
    return Panel(
        "connectivity",
        "connectivity/school_panel.html",
        {"latest": latest, "links": [(label, url) for label, url in links if url]},
    )


def register() -> None:
    register_menu("connectivity", 250, _menu)
    register_todos("connectivity", 250, _todos)
    register_school_panel("connectivity", 250, _school_panel)
