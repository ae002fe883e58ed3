"""The filters of the pupil-data access log, shared by its page, its export and its summary."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import model_choice_field
from digileap.schools.models import School

from .access import Channel
from .access_selectors import reads_showing, recipient_ids_with_reference
from .models import PupilDataAccess

CHANNEL_LABELS = {
    Channel.PAGE: _("Page"),
    Channel.EXPORT: _("Export"),
    Channel.API: _("API"),
    Channel.COMMAND: _("Command"),
}


class AccessFilterForm(forms.Form):
    user = forms.CharField(label=_("Who"), required=False, max_length=200, help_text=_("User name"))
    school = forms.ModelChoiceField(label=_("School"), required=False, queryset=School.objects.none())
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All channels")), *CHANNEL_LABELS.items()]
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(
        label=_("Pupil reference"),
        required=False,
        max_length=64,
        help_text=_("The reads that showed this pupil (choose the school too when the reference is not unique)."),
    )
    min_rows = forms.IntegerField(label=_("At least this many pupils"), required=False, min_value=1, max_value=10**9)

    def __init__(self, data: Any = None, *, reads: QuerySet[PupilDataAccess], user: Any) -> None:
        super().__init__(data)
        self.user = user
        model_choice_field(self, "school").queryset = School.objects.filter(
            pk__in=reads.exclude(school=None).order_by().values("school")
        ).order_by("name", "number", "pk")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end comes before the start."))
        return data

    def filter(self, reads: QuerySet[PupilDataAccess]) -> QuerySet[PupilDataAccess]:
        if not self.is_bound or not self.is_valid():
            return reads
        data = self.cleaned_data
        if data["user"]:
            reads = reads.filter(actor_label__iexact=data["user"].strip())
        if data["school"] and not data["reference"].strip():
            # With a reference, the school names which pupil is meant, not where the read happened.
            reads = reads.filter(school=data["school"])
        if data["channel"]:
            reads = reads.filter(channel=data["channel"])
        if data["date_from"]:
            reads = reads.filter(occurred_at__gte=_day_start(data["date_from"]))
        if data["date_to"]:
            reads = reads.filter(occurred_at__lt=_day_start(data["date_to"] + datetime.timedelta(days=1)))
        if data["min_rows"]:
            reads = reads.filter(rows__gte=data["min_rows"])
        if data["reference"].strip():
            school = data["school"]
            ids = recipient_ids_with_reference(self.user, data["reference"], school.pk if school else None)
            reads = reads_showing(reads, ids)
        return reads


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
