"""Reads of the roll-out board, restricted to what the acting user may see, and the figures per school
computed from the data: devices delivered, accepted and deployed, pending user agreements, open
tickets, checklist progress. Every figure is one aggregate subquery per row, so a page of the board
is one query however many devices the schools have."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from digileap.core.models import AuditEvent
from digileap.core.permissions import Action, restrict
from digileap.core.types import Text
from digileap.programmes.models import Programme
from digileap.schools.models import SchoolOperator

from ..models import ChecklistItem, Device, DeviceStatus, SchoolRollout, Ticket, UserAgreement
from ..services.board import CHECKLIST_PHASES, step_label
from ..services.tickets import OPEN_STATUSES as OPEN_TICKET_STATUSES


def rollouts_for(user, action: str = Action.VIEW) -> QuerySet[SchoolRollout]:
    return restrict(
        SchoolRollout.objects.select_related("programme", "programme__authority", "school", "school__operator"),
        user,
        action,
    )


def rollout_get(user, pk: int, action: str = Action.VIEW) -> SchoolRollout:
    """The school's board entry, or 404 when it does not exist or is outside the user's scope."""
    return get_object_or_404(rollouts_for(user, action), pk=pk)


def checklist_items_for(user, action: str = Action.VIEW) -> QuerySet[ChecklistItem]:
    return restrict(ChecklistItem.objects.select_related("rollout", "rollout__school", "done_by"), user, action)


def checklist_item_get(user, pk: int, action: str = Action.VIEW) -> ChecklistItem:
    return get_object_or_404(checklist_items_for(user, action), pk=pk)


def board_programmes(user) -> QuerySet[Programme]:
    """Programmes whose board the user may see, with how many of their schools are on it."""
    visible = rollouts_for(user).filter(programme=OuterRef("pk")).order_by().values("programme")
    on_board = visible.annotate(count=Count("pk")).values("count")[:1]
    return (
        restrict(Programme.objects.select_related("authority"), user)
        .annotate(schools_on_board=Coalesce(Subquery(on_board, output_field=IntegerField()), 0))
        .order_by("code", "pk")
    )


def _count(queryset, group: str) -> Coalesce:
    """The number of rows of ``queryset`` (already filtered to one group by OuterRef) as a subquery."""
    counted = queryset.order_by().values(group).annotate(count=Count("pk")).values("count")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_figures(rollouts: QuerySet[SchoolRollout]) -> QuerySet[SchoolRollout]:
    """Annotate each school's figures: checklist progress, devices of the programme delivered,
    accepted and deployed, pending agreements, open tickets."""
    devices = Device.objects.filter(school=OuterRef("school_id"), programme=OuterRef("programme_id"))
    items = ChecklistItem.objects.filter(rollout=OuterRef("pk"))
    return rollouts.annotate(
        steps_total=_count(items, "rollout"),
        steps_done=_count(items.filter(is_done=True), "rollout"),
        devices_delivered=_count(devices.filter(delivered_on__isnull=False), "school"),
        devices_accepted=_count(devices.filter(accepted_at__isnull=False), "school"),
        devices_deployed=_count(devices.filter(status=DeviceStatus.DEPLOYED), "school"),
        agreements_pending=_count(
            UserAgreement.objects.filter(
                assignment__recipient__school=OuterRef("school_id"),
                template__programme=OuterRef("programme_id"),
                status=UserAgreement.Status.PENDING,
            ),
            "status",
        ),
        tickets_open=_count(
            Ticket.objects.filter(
                school=OuterRef("school_id"),
                device__programme=OuterRef("programme_id"),
                status__in=(*OPEN_TICKET_STATUSES, Ticket.Status.RESOLVED),
            ),
            "school",
        ),
    )


def board_rows(
    user, programme: Programme, *, phase: str = "", status: str = "", operator: SchoolOperator | None = None
) -> QuerySet[SchoolRollout]:
    """The programme's board as the user may see it (an operator: its schools), filtered, with figures."""
    rows = rollouts_for(user).filter(programme=programme)
    if phase:
        rows = rows.filter(phase=phase)
    if status:
        rows = rows.filter(status=status)
    if operator is not None:
        rows = rows.filter(school__operator=operator)
    return with_figures(rows).order_by("school__name", "school__number", "pk")


def board_summary(user, programme: Programme) -> dict:
    """How many of the user's schools are in each phase and each status."""
    rows = rollouts_for(user).filter(programme=programme).order_by()
    by_phase = dict(rows.values_list("phase").annotate(count=Count("pk")))
    by_status = dict(rows.values_list("status").annotate(count=Count("pk")))
    return {
        "total": sum(by_phase.values()),
        "phases": [(value, label, by_phase.get(value, 0)) for value, label in SchoolRollout.Phase.choices],
        "statuses": [(value, label, by_status.get(value, 0)) for value, label in SchoolRollout.Status.choices],
    }


def board_operators(user, programme: Programme) -> QuerySet[SchoolOperator]:
    """Operators of the schools on the programme's board that the user sees (for the filter)."""
    return SchoolOperator.objects.filter(
        pk__in=rollouts_for(user).filter(programme=programme).values("school__operator")
    ).order_by("name", "pk")


def rollout_figures(rollout: SchoolRollout) -> SchoolRollout:
    """The one school's entry with its figures."""
    return with_figures(SchoolRollout.objects.filter(pk=rollout.pk).select_related("programme", "school")).get()


@dataclass(frozen=True)
class Step:
    """A step of a school's board with the label a person reads (``step_label``)."""

    item: ChecklistItem
    label: str


@dataclass(frozen=True)
class PhaseColumn:
    """One phase of a school's board: its steps, how many are done, and whether it is the current one."""

    phase: str
    label: Text
    items: list[Step]
    is_current: bool
    is_past: bool

    @property
    def done(self) -> int:
        return sum(1 for step in self.items if step.item.is_done)


def rollout_columns(rollout: SchoolRollout) -> list[PhaseColumn]:
    """The three phases as columns of checklists, each step with its label."""
    items = list(ChecklistItem.objects.filter(rollout=rollout).select_related("done_by").order_by("position", "pk"))
    order = [*CHECKLIST_PHASES, SchoolRollout.Phase.CLOSED]
    current = order.index(rollout.phase)
    columns = []
    for index, phase in enumerate(CHECKLIST_PHASES):
        phase_steps = [Step(item=item, label=step_label(item)) for item in items if item.phase == phase]
        columns.append(
            PhaseColumn(
                phase=phase,
                label=SchoolRollout.Phase(phase).label,
                items=phase_steps,
                is_current=index == current,
                is_past=index < current,
            )
        )
    return columns


def rollout_history(rollout: SchoolRollout) -> QuerySet[AuditEvent]:
    """Events about the school's board entry and its steps, newest first."""
    item_ids = [str(pk) for pk in ChecklistItem.objects.filter(rollout=rollout).values_list("pk", flat=True)]
    return AuditEvent.objects.filter(
        Q(object_type=rollout._meta.label_lower, object_id=str(rollout.pk))
        | Q(object_type=ChecklistItem._meta.label_lower, object_id__in=item_ids)
    ).order_by("-occurred_at", "-id")


def rollouts_with_figures(user, action: str = Action.VIEW) -> QuerySet[SchoolRollout]:
    """The board entries the user may see, with their figures and checklists (for the API)."""
    steps = ChecklistItem.objects.select_related("done_by").order_by("position", "pk")
    return with_figures(rollouts_for(user, action)).prefetch_related(Prefetch("checklist", queryset=steps))
