"""What the programmes app adds to the menu and the home page (see ``digileap.core.contributions``):
the programme list (the public pages for visitors), evidence documents awaiting a second person's
approval, and targets at risk or late."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from digileap.core.contributions import MenuEntry, Todo, register_menu, register_todos, reverse_or_none
from digileap.core.permissions import Action, can

# The pages of a programme's evidence documents, by the names they may carry; else the programme.
EVIDENCE_ROUTES = (
    "programmes:programme-evidence-documents",
    "programmes:programme-evidence",
    "programmes:programme-documents",
)
# Statuses a target's latest snapshot carries when it needs attention.
ATTENTION = ("at_risk", "late")


def _menu(user) -> list[MenuEntry]:
    from .models import Programme

    if user is None or not user.is_authenticated:
        url = reverse_or_none("public:index")
        return [MenuEntry("public", _("Public programmes"), url)] if url else []
    url = reverse_or_none("programmes:programme-list")
    if url and can(user, Action.VIEW, Programme):
        return [MenuEntry("programmes", _("Programmes"), url)]
    return []


def _evidence_url(programme_pk: int) -> str | None:
    kwargs = {"pk": programme_pk}
    return reverse_or_none(*EVIDENCE_ROUTES, kwargs=kwargs) or reverse_or_none(
        "programmes:programme-detail", kwargs=kwargs
    )


def _names(ids) -> dict[int, str]:
    """Each programme's name in the current language, by id."""
    from .models import Programme

    return {programme.pk: programme.display_name for programme in Programme.objects.filter(pk__in=list(ids))}


def _todos(user) -> list[Todo]:
    from .models import EvidenceDocument, IndicatorSnapshot, Programme
    from .selectors import evidence_documents_for, programmes_for, targets_for

    todos = []
    if can(user, Action.CHANGE, EvidenceDocument):
        # A second person approves: not the one who uploaded.
        waiting = list(
            evidence_documents_for(user, Action.CHANGE)
            .filter(approved_at__isnull=True)
            .exclude(uploaded_by=user)
            .order_by()
            .values("programme_id", "programme__code")
            .annotate(count=Count("pk"))
            .order_by("programme__code")
        )
        names = _names(row["programme_id"] for row in waiting)
        for row in waiting:
            url = _evidence_url(row["programme_id"])
            if url:
                count = row["count"]
                todos.append(
                    Todo(
                        f"evidence-{row['programme__code']}",
                        ngettext(
                            "evidence document to approve in %(programme)s",
                            "evidence documents to approve in %(programme)s",
                            count,
                        )
                        % {"programme": names[row["programme_id"]]},
                        count,
                        url,
                        _("Uploaded by someone else; a second person's approval makes them count."),
                    )
                )
    if can(user, Action.CHANGE, Programme):
        latest_status = Subquery(
            IndicatorSnapshot.objects.filter(target=OuterRef("pk")).order_by("-date").values("status")[:1]
        )
        rows = list(
            targets_for(user)
            .filter(programme__in=programmes_for(user, Action.CHANGE))
            .annotate(latest_status=latest_status)
            .filter(latest_status__in=ATTENTION)
            .order_by()
            .values("programme_id", "programme__code")
            .annotate(count=Count("pk"), late=Count("pk", filter=Q(latest_status="late")))
            .order_by("programme__code")
        )
        names = _names(row["programme_id"] for row in rows)
        for row in rows:
            url = reverse_or_none("programmes:programme-dashboard", kwargs={"pk": row["programme_id"]})
            if url:
                count = row["count"]
                todos.append(
                    Todo(
                        f"targets-{row['programme__code']}",
                        ngettext(
                            "target at risk or late in %(programme)s",
                            "targets at risk or late in %(programme)s",
                            count,
                        )
                        % {"programme": names[row["programme_id"]]},
                        count,
                        url,
                        ngettext("%(late)s of them is late.", "%(late)s of them are late.", row["late"])
                        % {"late": row["late"]}
                        if row["late"]
                        else _("None is late yet; the forecast falls short."),
                    )
                )
    return todos


def register() -> None:
    register_menu("programmes", 100, _menu)
    register_todos("programmes", 100, _todos)
