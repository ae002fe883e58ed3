"""Tables of the registry pages. Every column reads the school row or a select_related join."""

import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext_lazy as _

from .models import School, SchoolOperator


class SchoolTable(tables.Table):
    """The school list. Every ordering ends on ``id`` so that pages are stable and index-friendly."""

    name = tables.Column(
        linkify=("schools:school-detail", {"pk": tables.A("pk")}), verbose_name=_("Name"), order_by=("name", "id")
    )
    number = tables.Column(verbose_name=_("Official number"), order_by=("number", "id"))
    city = tables.Column(verbose_name=_("City"), order_by=("city", "id"), default="")
    operator = tables.Column(
        accessor="operator__name",
        verbose_name=_("School operator"),
        order_by=("operator__name", "name", "id"),
        linkify=("schools:operator-detail", {"pk": tables.A("operator_id")}),
    )
    type_label = tables.Column(verbose_name=_("Type"), orderable=False, default="")
    levels = tables.Column(accessor="pk", verbose_name=_("ISCED levels"), orderable=False)
    pupils_total = tables.Column(
        verbose_name=_("Pupils"),
        order_by=("pupils_total", "id"),
        attrs={"th": {"class": "numeric"}, "td": {"class": "numeric"}},
        default="–",
    )
    ses_value = tables.Column(
        verbose_name=_("Social index"),
        order_by=("ses_value", "id"),
        attrs={"th": {"class": "numeric"}, "td": {"class": "numeric"}},
        default="–",
    )

    class Meta:
        model = School
        fields = ("name", "number", "city", "operator", "type_label", "levels", "pupils_total", "ses_value")
        order_by = ("name",)
        empty_text = _("No school matches these filters.")
        # The list page swaps sorting and paging in place (hx-boost); links to schools navigate normally.
        attrs = {"class": "data-table", "tbody": {"hx-boost": "false"}}

    def render_levels(self, record):
        return ", ".join(f"{level}" for level in record.levels) or "–"

    def render_pupils_total(self, value):
        return intcomma(value)

    def render_ses_value(self, value):
        return f"{value.normalize():f}" if value is not None else "–"


class OperatorTable(tables.Table):
    """School operators with the number of their schools the user may see (``school_counts``, set by the view)."""

    school_counts: dict[int, int]

    name = tables.Column(
        linkify=("schools:operator-detail", {"pk": tables.A("pk")}), verbose_name=_("Name"), order_by=("name", "id")
    )
    code = tables.Column(verbose_name=_("Code"), order_by=("code", "id"))
    authority = tables.Column(
        accessor="authority__name", verbose_name=_("Authority"), order_by=("authority__name", "name")
    )
    kind = tables.Column(verbose_name=_("Kind"))
    school_count = tables.Column(
        accessor="pk",
        verbose_name=_("Schools"),
        orderable=False,
        attrs={"th": {"class": "numeric"}, "td": {"class": "numeric"}},
    )

    class Meta:
        model = SchoolOperator
        fields = ("name", "code", "authority", "kind", "school_count")
        order_by = ("name",)
        empty_text = _("No school operator is visible to you.")
        attrs = {"class": "data-table"}

    def render_school_count(self, record):
        return intcomma(getattr(self, "school_counts", {}).get(record.pk, 0))
