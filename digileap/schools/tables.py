"""Tables of the registry pages. Every column reads the school row or a select_related join.

django-tables2 decides the columns, headers, ordering and pagination. The rows of the two long
lists (schools, operators) are printed by their own templates from plain values (``page_rows``):
tables2's generic cell rendering (an accessor, a ``render_*`` dispatch through ``inspect.signature``,
attribute merging and a link reversal per cell) cost about 2 ms a row, which at 50 rows was most of
the page's time at 40,000 schools. See docs/architecture.md, "Long lists".
"""

from dataclasses import dataclass

import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import School, SchoolOperator


def _path_for(view_name: str):
    """A function pk -> path of ``view_name``, reversing once instead of once a row."""
    marker = 987654321
    prefix, suffix = reverse(view_name, kwargs={"pk": marker}).split(str(marker))
    return lambda pk: f"{prefix}{pk}{suffix}"


@dataclass(frozen=True, slots=True)
class SchoolRow:
    """One school of the current page with its cells ready to print (schools/_school_table.html)."""

    school: object
    url: str
    operator_url: str
    levels: str
    pupils: str
    ses: str


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
        template_name = "schools/_school_table.html"

    @property
    def shows_operator(self) -> bool:
        return "operator" in self.columns

    def page_rows(self) -> list[SchoolRow]:
        """The schools of the current page, formatted as the ``render_*`` methods below format them."""
        school_path = _path_for("schools:school-detail")
        operator_path = _path_for("schools:operator-detail")
        return [
            SchoolRow(
                school=school,
                url=school_path(school.pk),
                operator_url=operator_path(school.operator_id),
                levels=self.render_levels(school),
                pupils="–" if school.pupils_total is None else self.render_pupils_total(school.pupils_total),
                ses="–" if school.ses_value is None else self.render_ses_value(school.ses_value),
            )
            for school in (row.record for row in self.paginated_rows)
        ]

    def render_levels(self, record):
        return ", ".join(f"{level}" for level in record.levels) or "–"

    def render_pupils_total(self, value):
        return intcomma(value)

    def render_ses_value(self, value):
        return f"{value.normalize():f}" if value is not None else "–"


@dataclass(frozen=True, slots=True)
class OperatorRow:
    """One operator of the current page with its cells ready to print (schools/_operator_table.html)."""

    operator: object
    url: str
    code: str
    kind: str
    school_count: str


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
        template_name = "schools/_operator_table.html"

    def page_rows(self) -> list[OperatorRow]:
        """The operators of the current page, formatted as tables2 would format these columns."""
        operator_path = _path_for("schools:operator-detail")
        return [
            OperatorRow(
                operator=operator,
                url=operator_path(operator.pk),
                code=operator.code or self.columns["code"].default,
                kind=operator.get_kind_display(),
                school_count=self.render_school_count(operator),
            )
            for operator in (row.record for row in self.paginated_rows)
        ]

    def render_school_count(self, record):
        return intcomma(getattr(self, "school_counts", {}).get(record.pk, 0))
