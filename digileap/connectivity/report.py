"""The connectivity report: the deliverable of a survey campaign (seed 003's milestone of 30 June
2024: "data collected and analysed on schools' internet bandwidth problems and needs, including the
internal network, and proposals to improve"), as PDF (WeasyPrint) or XLSX (openpyxl), in any of
the installation's languages.

Sections: title page (programme, campaign, as-of date), method (survey fields, measurement sources
and counts, the daily aggregation, the status rule of every benchmark, the cost parameters and how
the cheapest option is chosen), coverage (per region), findings by region and by school type, and
the proposals with costs (totals per region and operator, the ranked list).

The same run, language and format give the same bytes: the PDF's CreationDate and ModDate come
from the run's ``computed_at`` (``dcterms.created``/``modified``), WeasyPrint writes no file
identifier and fetches nothing; the XLSX's properties are set to ``computed_at`` and its ZIP entries
are rewritten with a fixed date (``core.packs.zip_info``). Figures come from
``selectors.report.report_data``.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from digileap.core.exports import safe_cell
from digileap.core.formatting import format_number
from digileap.core.model_fields import model_field
from digileap.core.packs import zip_info
from digileap.programmes.translation import localized

from .models import AnalysisRun, Benchmark, Problem, Proposal, Source, SurveyResponse, Uplink
from .selectors.report import STATUSES, Group, ReportData, groups_by, proposal_totals, report_data

FORMATS = ("pdf", "xlsx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CSS_PATH = Path(__file__).resolve().parent / "static" / "connectivity" / "report_pdf.css"
STATUS_COLOURS = {"meets": "#2f855a", "moderate": "#d69e2e", "below": "#c53030", "insufficient": "#a0aec0"}
SURVEY_FIELDS = (
    "classrooms",
    "classrooms_wifi",
    "access_points",
    "switches",
    "switch_age_years",
    "cabling",
    "fibre_distance_km",
    "problems",
    "problems_text",
)
UPLINK_FIELDS = ("technology", "provider", "download_mbps", "upload_mbps", "monthly_cost", "contract_end")


class ReportError(ValueError):
    """A report that cannot be made: an unknown language or format."""


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def check_request(language: str, fmt: str) -> None:
    if language not in languages():
        raise ReportError(
            _("Unknown language %(language)s: choose one of %(choices)s.")
            % {"language": language, "choices": ", ".join(languages())}
        )
    if fmt not in FORMATS:
        raise ReportError(
            _("Unknown format %(format)s: choose one of %(choices)s.") % {"format": fmt, "choices": ", ".join(FORMATS)}
        )


def report_filename_prefix(campaign) -> str:
    code = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{campaign.programme.code}-{campaign.code}").strip("-")
    return f"connectivity-report-{code}-"


def report_filename(run: AnalysisRun, language: str, fmt: str) -> str:
    return f"{report_filename_prefix(run.campaign)}{run.as_of.isoformat()}-{language}.{fmt}"


def build_report(run: AnalysisRun, *, language: str, fmt: str) -> bytes:
    """The report of ``run`` in ``language`` as ``fmt`` ("pdf" or "xlsx")."""
    check_request(language, fmt)
    with translation.override(language):
        data = report_data(run)
        content = ReportContent(data, language)
        if fmt == "pdf":
            return render_pdf(content)
        return render_xlsx(content)


# --- the words ----------------------------------------------------------------------------------


def day(value: datetime.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def benchmark_rule(benchmark: Benchmark) -> str:
    values = {
        "threshold": format_number(benchmark.threshold_mbps),
        "lower": format_number(benchmark.lower_mbps),
        "share": format_number(benchmark.share_percent),
    }
    if benchmark.kind == Benchmark.Kind.ABSOLUTE:
        return _("Meets: at least %(threshold)s Mbit/s measured; below otherwise.") % values
    if benchmark.kind == Benchmark.Kind.PER_PUPIL:
        return _("Meets: at least %(threshold)s Mbit/s per pupil measured; below otherwise.") % values
    if benchmark.kind == Benchmark.Kind.TIERS:
        return (
            _(
                "Meets (good): from %(threshold)s Mbit/s; moderate: from %(lower)s Mbit/s; below (none): under %(lower)s Mbit/s."
            )
            % values
        )
    return _("Meets: at least %(share)s %% of the contracted download speed measured; below otherwise.") % values


class ReportContent:
    """The report's figures with their labels in the active language: what both formats show."""

    def __init__(self, data: ReportData, language: str):
        self.data = data
        self.language = language
        self.run = data.run
        self.campaign = data.campaign
        self.programme = data.programme
        self.programme_name = localized(self.programme.name, language) or self.programme.code
        self.campaign_name = localized(self.campaign.name, language) or self.campaign.code
        self.title = _("Connectivity of schools: survey, measurements and proposals")
        self.no_region = _("No region")
        self.no_type = _("No school type")
        self.benchmarks = [(b, localized(b.name, language) or b.code, benchmark_rule(b)) for b in data.benchmarks]
        self.status_labels = [(status.value, str(status.label)) for status in STATUSES]
        self.technology_labels = dict(Uplink.Technology.choices)
        self.problem_labels = dict(Problem.choices)
        self.option_labels = dict(Proposal.Option.choices)
        self.source_labels = dict(Source.choices)
        schools = data.schools
        total = groups_by(schools, lambda row: "", data.benchmarks, _("All schools"))
        self.total: Group | None = total[0] if total else None
        self.by_region = groups_by(schools, lambda row: row.region, data.benchmarks, self.no_region)
        self.by_type = groups_by(schools, lambda row: row.school_type, data.benchmarks, self.no_type)
        self.proposals = data.proposals
        self.proposals_by_region = proposal_totals(data.proposals, lambda row: row.region, self.no_region)
        self.proposals_by_operator = proposal_totals(data.proposals, lambda row: row.operator, "")
        self.proposals_total = proposal_totals(data.proposals, lambda row: "", _("All schools"))
        self.technologies = sorted({t for row in schools for t in row.technologies}, key=self._technology_order)
        self.problems = sorted({p for row in schools for p in row.problems}, key=self._problem_order)
        self.survey_fields = [str(model_field(SurveyResponse, name).verbose_name) for name in SURVEY_FIELDS]
        self.uplink_fields = [str(model_field(Uplink, name).verbose_name) for name in UPLINK_FIELDS]
        self.problem_choices = [str(label) for _code, label in Problem.choices]
        self.sources = [(self.source_labels.get(code, code), rows) for code, rows in data.sources]
        self.measurement_rows = sum(rows for _code, rows in data.sources)
        self.costs = data.costs
        self.as_of = day(self.run.as_of)
        self.window_start = day(self.run.window_start)
        self.computed = day(self.run.computed_at.date())

    @staticmethod
    def _technology_order(code: str) -> tuple:
        values = list(Uplink.Technology.values)
        return (values.index(code) if code in values else len(values), code)

    @staticmethod
    def _problem_order(code: str) -> tuple:
        values = list(Problem.values)
        return (values.index(code) if code in values else len(values), code)

    def technology(self, code: str) -> str:
        return str(self.technology_labels.get(code, code))

    def problem(self, code: str) -> str:
        return str(self.problem_labels.get(code, code))

    def option(self, code: str) -> str:
        return str(self.option_labels.get(code, code))

    def cost_lines(self) -> list[tuple[str, object, str]]:
        """(label, value, kind) of the cost parameters; kind "money", "number" or "text"."""
        costs = self.costs
        if costs is None:
            return []

        def field(name):
            return SimpleNamespace(verbose_name=capfirst(costs._meta.get_field(name).verbose_name))

        target = costs.target_benchmark
        return [
            (_("Benchmark to reach"), localized(target.name, self.language) or target.code if target else "–", "text"),
            (str(field("fibre_per_km").verbose_name), costs.fibre_per_km, "money"),
            (str(field("fibre_connection").verbose_name), costs.fibre_connection, "money"),
            (str(field("fibre_default_km").verbose_name), costs.fibre_default_km, "number"),
            (str(field("fibre_monthly").verbose_name), costs.fibre_monthly, "money"),
            (str(field("upgrade_per_mbps_month").verbose_name), costs.upgrade_per_mbps_month, "money"),
            (str(field("wifi_per_classroom").verbose_name), costs.wifi_per_classroom, "money"),
            (str(field("switch_per_site").verbose_name), costs.switch_per_site, "money"),
            (str(field("switch_max_age_years").verbose_name), costs.switch_max_age_years, "number"),
            (str(field("years").verbose_name), costs.years, "number"),
            (str(field("priority").verbose_name), costs.get_priority_display(), "text"),
        ]

    def technology_limits(self) -> list[tuple[str, object]]:
        limits = (self.costs.technology_limits if self.costs else None) or {}
        return [(self.technology(code), limits[code]) for code in sorted(limits, key=self._technology_order)]

    def method_paragraphs(self) -> list[str]:
        years = self.costs.years if self.costs else 5
        return [
            _(
                "Survey: each school (or each of its sites) answers once per campaign; only submitted answers "
                "count. A school's classrooms and classrooms with usable Wi-Fi are the sums over its answers."
            ),
            _(
                "Measurements: speed tests in the browser (this installation's own ndt7 server) and imported "
                "files are kept as raw rows for a limited time and summarised per school, site and day: the "
                "number of tests and the median and 95th percentile of download, upload and latency."
            ),
            _(
                "A school's measured speed is the median of its daily median download speeds from %(start)s to "
                "%(end)s. A school gets a status for a benchmark only with at least the benchmark's number of "
                "tests on at least its number of days; otherwise its status is “insufficient data”."
            )
            % {"start": self.window_start, "end": self.as_of},
            _(
                "Proposals: the uplink gap is the speed the benchmark to reach requires minus the school's "
                "measured speed. Two options close it: upgrading the contract (per Mbit/s per month), possible "
                "only up to the fastest speed of the school's technology, and a fibre connection (per km of the "
                "distance to the nearest fibre, or the default distance, plus the connection and the line per "
                "month). The option with the lower cost over %(years)s years is proposed. Classrooms without "
                "Wi-Fi are costed per classroom, and switches per site where they are older than the age limit. "
                "Proposals are ranked by the programme's priority."
            )
            % {"years": years},
        ]

    def chart_svg(self) -> SafeString:
        """Per benchmark, the schools by status as a stacked bar (shares of all schools)."""
        if self.total is None or not self.benchmarks:
            return mark_safe("")
        row_height, bar_height, label_width, width = 34, 14, 0, 480
        parts = []
        for index, (benchmark, name, _rule) in enumerate(self.benchmarks):
            counts = self.total.statuses.get(benchmark.pk, {})
            schools = sum(counts.values())
            top = index * row_height
            parts.append(f'<text x="0" y="{top + 11}" font-size="9" fill="#1a202c">{escape(name)}</text>')
            left = 0.0
            for status, _label in self.status_labels:
                count = counts.get(status, 0)
                if not schools or not count:
                    continue
                share = count / schools * width
                parts.append(
                    f'<rect fill="{STATUS_COLOURS[status]}" x="{label_width + left:.2f}" y="{top + 15}" '
                    f'width="{share:.2f}" height="{bar_height}"/>'
                )
                left += share
        legend_top = len(self.benchmarks) * row_height + 4
        for index, (status, label) in enumerate(self.status_labels):
            x = index * 120
            parts.append(f'<rect fill="{STATUS_COLOURS[status]}" x="{x}" y="{legend_top}" width="10" height="10"/>')
            parts.append(f'<text x="{x + 14}" y="{legend_top + 9}" font-size="9" fill="#1a202c">{escape(label)}</text>')
        height = legend_top + 16
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img"><title>{escape(_("Schools by status per benchmark"))}</title>'
            + "".join(parts)
            + "</svg>"
        )
        return mark_safe(svg)  # noqa: S308 - every text above is escaped

    def group_rows(self, groups: list[Group]) -> list[dict]:
        """The template's rows of a findings table."""
        return [
            {
                "group": group,
                "technologies": [
                    (self.technology(code), group.technologies.get(code, 0)) for code in self.technologies
                ],
                "problems": [(self.problem(code), group.problems.get(code, 0)) for code in self.problems],
                "wifi_percent": None if group.wifi_share is None else group.wifi_share * 100,
            }
            for group in groups
        ]

    def status_tables(self, groups: list[Group]) -> list[tuple[str, list[tuple[str, list[int]]]]]:
        """Per benchmark: its name and, per group, the schools in each status (``status_labels``' order)."""
        return [
            (
                name,
                [
                    (
                        group.label,
                        [group.statuses.get(benchmark.pk, {}).get(status, 0) for status, _l in self.status_labels],
                    )
                    for group in groups
                ],
            )
            for benchmark, name, _rule in self.benchmarks
        ]

    def proposal_rows(self) -> list[dict]:
        return [{**vars(row), "option_label": self.option(row.option)} for row in self.proposals]


# --- PDF ----------------------------------------------------------------------------------------


def moment(run: AnalysisRun) -> str:
    """The run's ``computed_at`` in UTC, to the second: the PDF's creation and modification date."""
    return run.computed_at.astimezone(datetime.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_html(content: ReportContent) -> str:
    return render_to_string(
        "connectivity/report_pdf/report.html",
        {
            "report": content,
            "language": content.language,
            "moment": moment(content.run),
            "chart": content.chart_svg(),
            "by_region": content.group_rows(content.by_region),
            "by_type": content.group_rows(content.by_type),
            "status_by_region": content.status_tables(content.by_region),
            "status_by_type": content.status_tables(content.by_type),
            "total": content.group_rows([content.total])[0] if content.total else None,
            "proposals": content.proposal_rows(),
            "proposal_totals": [("region", content.proposals_by_region), ("operator", content.proposals_by_operator)],
        },
    )


def render_pdf(content: ReportContent) -> bytes:
    from weasyprint import CSS, HTML

    from digileap.core.pdf import reproducible_fonts
    from digileap.devices.agreements_pdf import url_fetcher

    reproducible_fonts()
    fetcher = url_fetcher()
    css = CSS(string=CSS_PATH.read_text(encoding="utf-8"), url_fetcher=fetcher)
    return HTML(string=render_html(content), url_fetcher=fetcher).write_pdf(
        stylesheets=[css], pdf_identifier=False, uncompressed_pdf=False
    )


# --- XLSX ---------------------------------------------------------------------------------------

INTEGER = "#,##0"
MONEY = "#,##0.00"
SPEED = "#,##0.0"
PRECISE = "#,##0.000"
SHARE = "0.0%"
DATE = "yyyy-mm-dd"
SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


class Sheet:
    """A worksheet written row by row, with a number format per cell where given."""

    def __init__(self, workbook, title: str, used: set[str]):
        name = SHEET_NAME.sub(" ", title)[:31].strip() or "Sheet"
        base, number = name, 2
        while name.casefold() in used:
            suffix = f" {number}"
            name, number = base[: 31 - len(suffix)] + suffix, number + 1
        used.add(name.casefold())
        self.sheet = workbook.create_sheet(title=name)
        self.row = 0

    def add(self, *cells) -> None:
        """Each cell a value, or ``(value, number_format)``."""
        self.row += 1
        for column, cell in enumerate(cells, start=1):
            value, number_format = cell if isinstance(cell, tuple) else (cell, None)
            if isinstance(value, (str, Promise)):
                value = safe_cell(str(value))
            target = self.sheet.cell(row=self.row, column=column, value=value)
            if number_format and value is not None:
                target.number_format = number_format

    def header(self, *labels) -> None:
        from openpyxl.styles import Font

        self.add(*labels)
        for cell in self.sheet[self.row]:
            cell.font = Font(bold=True)

    def blank(self) -> None:
        self.row += 1


def _group_table(sheet: Sheet, content: ReportContent, groups: list[Group], first: str) -> None:
    labels = [first, _("Schools"), _("Surveyed"), _("Measured"), _("Enough data")]
    labels += [_("Median measured download (Mbit/s)"), _("Median download per pupil (Mbit/s)")]
    labels += [_("Classrooms"), _("Classrooms with Wi-Fi"), _("Share of classrooms with Wi-Fi")]
    for _benchmark, name, _rule in content.benchmarks:
        labels += [f"{name}: {label}" for _status, label in content.status_labels]
    labels += [_("Uplink: %(technology)s") % {"technology": content.technology(code)} for code in content.technologies]
    labels += [_("Problem: %(problem)s") % {"problem": content.problem(code)} for code in content.problems]
    sheet.header(*labels)
    for group in groups:
        cells: list = [group.label, (group.schools, INTEGER), (group.surveyed, INTEGER), (group.measured, INTEGER)]
        cells += [(group.enough_data, INTEGER), (group.median_mbps, SPEED), (group.median_mbps_per_pupil, PRECISE)]
        cells += [(group.classrooms, INTEGER), (group.classrooms_wifi, INTEGER), (group.wifi_share, SHARE)]
        for benchmark, _name, _rule in content.benchmarks:
            counts = group.statuses.get(benchmark.pk, {})
            cells += [(counts.get(status, 0), INTEGER) for status, _label in content.status_labels]
        cells += [(group.technologies.get(code, 0), INTEGER) for code in content.technologies]
        cells += [(group.problems.get(code, 0), INTEGER) for code in content.problems]
        sheet.add(*cells)


def _proposal_totals(sheet: Sheet, totals, first: str) -> None:
    sheet.header(first, _("Schools"), _("One-off (EUR)"), _("Per year (EUR)"), _("Total over the years (EUR)"))
    for total in totals:
        sheet.add(
            total.label, (total.schools, INTEGER), (total.capex, MONEY), (total.opex_year, MONEY), (total.total, MONEY)
        )


def render_xlsx(content: ReportContent) -> bytes:
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    run = content.run
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty sheet a new workbook has
    used: set[str] = set()

    sheet = Sheet(workbook, _("Report"), used)
    sheet.add(content.title)
    sheet.add(_("Programme"), content.programme_name)
    sheet.add(_("Programme code"), content.programme.code)
    sheet.add(_("Authority"), content.programme.authority.name)
    sheet.add(_("Campaign"), content.campaign_name)
    sheet.add(_("Campaign code"), content.campaign.code)
    sheet.add(_("Campaign period"), (content.campaign.starts_on, DATE), (content.campaign.ends_on, DATE))
    sheet.add(_("Data as of"), (run.as_of, DATE))
    sheet.add(_("Measurements from"), (run.window_start, DATE))
    sheet.add(_("Analysis computed"), (run.computed_at.date(), DATE))
    sheet.add(_("Language"), content.language)

    sheet = Sheet(workbook, _("Method"), used)
    for paragraph in content.method_paragraphs():
        sheet.add(paragraph)
    sheet.blank()
    sheet.header(_("Survey fields"))
    for label in content.survey_fields:
        sheet.add(label)
    sheet.header(_("Uplink fields"))
    for label in content.uplink_fields:
        sheet.add(label)
    sheet.header(_("Problems to choose from"))
    for label in content.problem_choices:
        sheet.add(label)
    sheet.blank()
    sheet.header(_("Measurement source"), _("Raw rows in the window"))
    for source_label, rows in content.sources:
        sheet.add(source_label, (rows, INTEGER))
    sheet.add(_("Daily summaries in the window"), (content.data.aggregate_days, INTEGER))
    sheet.add(_("Tests they count"), (content.data.aggregate_tests, INTEGER))
    sheet.blank()
    sheet.header(
        _("Benchmark"),
        _("Kind"),
        _("Threshold (Mbit/s)"),
        _("Lower threshold (Mbit/s)"),
        _("Share of contracted speed (%)"),
        _("At least this many tests"),
        _("On at least this many days"),
        _("Rule"),
    )
    for benchmark, name, rule in content.benchmarks:
        sheet.add(
            name,
            benchmark.get_kind_display(),
            (benchmark.threshold_mbps, PRECISE),
            (benchmark.lower_mbps, PRECISE),
            (benchmark.share_percent, MONEY),
            (benchmark.min_tests, INTEGER),
            (benchmark.min_days, INTEGER),
            rule,
        )
    sheet.blank()
    sheet.header(_("Cost parameter"), _("Value"))
    for label, value, kind in content.cost_lines():
        sheet.add(label, (value, {"money": MONEY, "number": "#,##0.##"}.get(kind)))
    for label, value in content.technology_limits():
        sheet.add(_("Fastest speed: %(technology)s (Mbit/s)") % {"technology": label}, (value, INTEGER))

    sheet = Sheet(workbook, _("Coverage"), used)
    sheet.header(_("Region"), _("Schools covered"), _("Surveyed"), _("Measured"), _("Enough data"))
    for group in [*content.by_region, *([content.total] if content.total else [])]:
        sheet.add(
            group.label,
            (group.schools, INTEGER),
            (group.surveyed, INTEGER),
            (group.measured, INTEGER),
            (group.enough_data, INTEGER),
        )

    _group_table(Sheet(workbook, _("By region"), used), content, content.by_region, _("Region"))
    _group_table(Sheet(workbook, _("By school type"), used), content, content.by_type, _("School type"))
    _proposal_totals(Sheet(workbook, _("Costs by region"), used), content.proposals_by_region, _("Region"))
    _proposal_totals(Sheet(workbook, _("Costs by operator"), used), content.proposals_by_operator, _("School operator"))

    sheet = Sheet(workbook, _("Proposals"), used)
    sheet.header(
        _("Rank"),
        _("School number"),
        _("School"),
        _("Region"),
        _("School operator"),
        _("Option"),
        _("Uplink gap (Mbit/s)"),
        _("Classrooms without Wi-Fi"),
        _("One-off (EUR)"),
        _("Per year (EUR)"),
        _("Total over the years (EUR)"),
    )
    for row in content.proposals:
        sheet.add(
            (row.rank, INTEGER),
            row.number,
            row.name,
            row.region,
            row.operator,
            content.option(row.option),
            (row.gap_mbps, MONEY),
            (row.classrooms_without_wifi, INTEGER),
            (row.capex, MONEY),
            (row.opex_year, MONEY),
            (row.total, MONEY),
        )

    sheet = Sheet(workbook, _("Schools"), used)
    labels = [_("School number"), _("School"), _("Region"), _("School type"), _("School operator"), _("Pupils")]
    labels += [_("Surveyed"), _("Classrooms"), _("Classrooms with Wi-Fi"), _("Contracted download (Mbit/s)")]
    labels += [_("Uplink technologies"), _("Tests"), _("Days with tests"), _("Measured download (Mbit/s)")]
    labels += [name for _benchmark, name, _rule in content.benchmarks]
    sheet.header(*labels)
    statuses = dict(content.status_labels)
    for school in content.data.schools:
        cells: list[object] = [
            school.number,
            school.name,
            school.region,
            school.school_type,
            school.operator,
            (school.pupils, INTEGER),
        ]
        cells += [
            _("yes") if school.surveyed else _("no"),
            (school.classrooms, INTEGER),
            (school.classrooms_wifi, INTEGER),
            (school.contracted_mbps, MONEY),
        ]
        cells += [
            ", ".join(content.technology(code) for code in sorted(school.technologies, key=content._technology_order))
        ]
        cells += [(school.tests, INTEGER), (school.days, INTEGER), (school.measured_mbps, SPEED)]
        cells += [
            statuses.get(school.statuses.get(benchmark.pk, ""), "") for benchmark, _name, _rule in content.benchmarks
        ]
        sheet.add(*cells)

    fixed = run.computed_at.astimezone(datetime.UTC).replace(microsecond=0, tzinfo=None)
    properties = workbook.properties
    properties.created = fixed
    properties.modified = fixed
    properties.creator = "Digileap"
    properties.lastModifiedBy = "Digileap"
    properties.title = f"{content.title}: {content.campaign_name}"
    properties.language = content.language

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    return fixed_zip(buffer.getvalue(), fixed.date())


def fixed_zip(data: bytes, on: datetime.date) -> bytes:
    """The ZIP ``data`` with every entry dated ``on`` (openpyxl dates them with the clock)."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
        for info in source.infolist():
            target.writestr(zip_info(info.filename, on), source.read(info.filename))
    return output.getvalue()
