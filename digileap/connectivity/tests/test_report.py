"""The connectivity report: its figures (the XLSX's cells, the PDF's HTML), the same bytes for the
same run in every format and language, and the command."""

import datetime
import io
import re
import zipfile
import zlib
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from digileap.connectivity.report import (
    ReportContent,
    ReportError,
    build_report,
    languages,
    render_html,
)
from digileap.connectivity.selectors.report import find_campaign, latest_run, report_data

from .factories import AnalysisRunFactory, CampaignFactory
from .factories_report import COMPUTED_AT, report_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def made():
    return report_world()


def workbook_of(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def html_of(run, language: str) -> str:
    with translation.override(language):
        return render_html(ReportContent(report_data(run), language))


# --- the figures ---------------------------------------------------------------------------------


def test_the_xlsx_has_a_sheet_per_section(made):
    book = workbook_of(build_report(made.run, language="en", fmt="xlsx"))
    assert book.sheetnames == [
        "Report",
        "Method",
        "Coverage",
        "By region",
        "By school type",
        "Costs by region",
        "Costs by operator",
        "Proposals",
        "Schools",
    ]
    title = book["Report"]
    assert title["A1"].value == "Connectivity of schools: survey, measurements and proposals"
    assert [title["A2"].value, title["B2"].value] == ["Programme", "A computer for every child"]
    assert [title["A8"].value, title["B8"].value] == ["Data as of", datetime.datetime(2024, 6, 15)]
    assert title["B8"].number_format == "yyyy-mm-dd"


def test_the_coverage_per_region(made):
    sheet = workbook_of(build_report(made.run, language="en", fmt="xlsx"))["Coverage"]
    assert rows(sheet) == [
        ("Region", "Schools covered", "Surveyed", "Measured", "Enough data"),
        ("Kurzeme", 1, 1, 1, 0),
        ("Rīga", 1, 1, 1, 1),
        ("No region", 1, 0, 0, 0),  # its draft answer does not count
        ("All schools", 3, 2, 2, 1),
    ]
    assert sheet["B5"].number_format == "#,##0"


def test_the_findings_by_region_are_numbers(made):
    sheet = workbook_of(build_report(made.run, language="en", fmt="xlsx"))["By region"]
    header, kurzeme, riga, nowhere = rows(sheet)
    assert header[:10] == (
        "Region",
        "Schools",
        "Surveyed",
        "Measured",
        "Enough data",
        "Median measured download (Mbit/s)",
        "Median download per pupil (Mbit/s)",
        "Classrooms",
        "Classrooms with Wi-Fi",
        "Share of classrooms with Wi-Fi",
    )
    assert header[10:] == (
        "EU gigabit: Meets",
        "EU gigabit: Moderate",
        "EU gigabit: Below",
        "EU gigabit: Insufficient data",
        "Giga tiers: Meets",
        "Giga tiers: Moderate",
        "Giga tiers: Below",
        "Giga tiers: Insufficient data",
        "Uplink: Fibre",
        "Uplink: DSL",
        "Uplink: Mobile (4G/5G)",
        "Problem: Slow when many use it at once",
        "Problem: Old network equipment",
    )
    assert riga[:6] == ("Rīga", 1, 1, 1, 1, 420.5)
    assert riga[6] == pytest.approx(420.5 / 1200)
    assert riga[7:] == (40, 30, 0.75, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 1, 1)
    assert kurzeme == ("Kurzeme", 1, 1, 1, 0, 18.0, 0.09, 10, 2, 0.2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0)
    assert nowhere == ("No region", 1, 0, 0, 0, None, None, 0, 0, None, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    assert sheet["J3"].number_format == "0.0%"
    assert sheet["F3"].number_format == "#,##0.0"


def test_the_findings_by_school_type(made):
    sheet = workbook_of(build_report(made.run, language="en", fmt="xlsx"))["By school type"]
    assert [row[:5] for row in rows(sheet)] == [
        ("School type", "Schools", "Surveyed", "Measured", "Enough data"),
        ("Pamatskola", 1, 1, 1, 0),
        ("Vidusskola", 1, 1, 1, 1),
        ("No school type", 1, 0, 0, 0),
    ]


def test_the_proposals_ranked_and_totalled(made):
    book = workbook_of(build_report(made.run, language="en", fmt="xlsx"))
    assert rows(book["Proposals"]) == [
        (
            "Rank",
            "School number",
            "School",
            "Region",
            "School operator",
            "Option",
            "Uplink gap (Mbit/s)",
            "Classrooms without Wi-Fi",
            "One-off (EUR)",
            "Per year (EUR)",
            "Total over the years (EUR)",
        ),
        (
            1,
            "3002",
            "Kuldīgas pamatskola",
            "Kurzeme",
            "Kuldīgas novada pašvaldība",
            "Connect to fibre",
            982,
            8,
            37700,
            1800,
            46700,
        ),
        (
            2,
            "3001",
            "Rīgas 1. vidusskola",
            "Rīga",
            "Rīgas valstspilsētas pašvaldība",
            "Upgrade the contract",
            579.5,
            10,
            9000,
            3477,
            26385,
        ),
    ]
    assert book["Proposals"]["I2"].number_format == "#,##0.00"
    assert rows(book["Costs by region"])[1:] == [("Kurzeme", 1, 37700, 1800, 46700), ("Rīga", 1, 9000, 3477, 26385)]
    assert rows(book["Costs by operator"])[1:] == [
        ("Kuldīgas novada pašvaldība", 1, 37700, 1800, 46700),
        ("Rīgas valstspilsētas pašvaldība", 1, 9000, 3477, 26385),
    ]


def test_the_method_states_sources_benchmarks_and_costs(made):
    sheet = workbook_of(build_report(made.run, language="en", fmt="xlsx"))["Method"]
    cells = rows(sheet)
    assert ("Browser test", 3) in [row[:2] for row in cells]
    assert ("Import (Giga Meter / Daily Check App)", 1) in [row[:2] for row in cells]  # the 2023 row is outside
    assert ("Daily summaries in the window", 4) in [row[:2] for row in cells]
    assert ("Tests they count", 14) in [row[:2] for row in cells]
    benchmark = next(row for row in cells if row[0] == "Giga tiers")
    assert benchmark == (
        "Giga tiers",
        "Good, moderate or none",
        20,
        1,
        None,
        5,
        3,
        "Meets (good): from 20 Mbit/s; moderate: from 1 Mbit/s; below (none): under 1 Mbit/s.",
    )
    assert ("Wi-Fi per classroom (EUR)", 900) in [row[:2] for row in cells]
    assert ("Benchmark to reach", "EU gigabit") in [row[:2] for row in cells]
    assert ("Fastest speed: DSL (Mbit/s)", 250) in [row[:2] for row in cells]


def test_text_that_looks_like_a_formula_is_escaped(made):
    school = made.schools[0]
    school.name = "=HYPERLINK(1)"
    school.save()
    sheet = workbook_of(build_report(made.run, language="en", fmt="xlsx"))["Proposals"]
    assert sheet["C3"].value == "'=HYPERLINK(1)"


def test_the_pdf_html_has_every_section_in_the_language(made):
    html = html_of(made.run, "lv")
    for section in ("method", "coverage", "findings-region", "findings-type", "proposals"):
        assert f'data-section="{section}"' in html
    assert "Dators ikvienam bērnam" in html and "Joslas platuma aptauja 2024" in html and "ES gigabits" in html
    # Latvian numbers and dates: a space groups thousands, a comma before decimals.
    assert "46\xa0700,00" in html
    assert "2024. gada 15. jūnijā" in html  # the month in the locative (config/formats/lv)
    assert '<meta name="dcterms.created" content="2024-06-20T14:30:15Z">' in html
    english = html_of(made.run, "en")
    assert "46,700.00" in english and "15 June 2024" in english
    assert "Connect to fibre" in english and "Kuldīgas pamatskola (3002)" in english


def test_the_pdf_chart_counts_the_statuses(made):
    with translation.override("en"):
        svg = ReportContent(report_data(made.run), "en").chart_svg()
    assert svg.count('fill="#c53030"') == 2  # one below bar (EU gigabit) and its legend
    assert svg.count('fill="#2f855a"') == 2  # one meets bar (Giga tiers) and its legend
    assert "<title>Schools by status per benchmark</title>" in svg


def pdf_streams(data: bytes) -> bytes:
    """Every deflated stream of a PDF, inflated (WeasyPrint puts its Info dictionary in one)."""
    inflated = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            inflated.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(inflated)


def test_the_pdf_dates_are_the_runs(made):
    data = build_report(made.run, language="en", fmt="pdf")
    assert data.startswith(b"%PDF-")
    info = pdf_streams(data)
    assert b"/CreationDate (D:20240620143015Z)/ModDate (D:20240620143015Z)" in info
    assert b"/ID" not in data


# --- the same bytes --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
@pytest.mark.parametrize("language", ["lv", "en"])
def test_the_same_run_gives_the_same_bytes(made, language, fmt):
    first = build_report(made.run, language=language, fmt=fmt)
    second = build_report(made.run, language=language, fmt=fmt)
    assert first == second


def test_the_xlsx_carries_the_runs_time_only(made):
    data = build_report(made.run, language="en", fmt="xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2024, 6, 20, 0, 0, 0)}
    properties = workbook_of(data).properties
    assert properties.created == properties.modified == datetime.datetime(2024, 6, 20, 14, 30, 15)


def test_another_run_gives_other_bytes(made):
    first = build_report(made.run, language="en", fmt="xlsx")
    made.run.computed_at = COMPUTED_AT + datetime.timedelta(days=1)
    made.run.save()
    assert build_report(made.run, language="en", fmt="xlsx") != first


def test_every_language_builds(made):
    assert languages() == ["en", "nl", "fr", "de", "lv"]
    groupings = {}
    for language in languages():
        assert build_report(made.run, language=language, fmt="pdf").startswith(b"%PDF-")
        book = workbook_of(build_report(made.run, language=language, fmt="xlsx"))
        assert book["Proposals" if language == "en" else book.sheetnames[7]]["K2"].value == 46700
        groupings[language] = "46\xa0700,00" in html_of(made.run, language) or "46.700,00" in html_of(
            made.run, language
        )
    assert groupings == {"en": False, "nl": True, "fr": True, "de": True, "lv": True}


def test_an_unknown_language_or_format_is_refused(made):
    with pytest.raises(ReportError, match="Unknown language xx: choose one of en, nl, fr, de, lv."):
        build_report(made.run, language="xx", fmt="pdf")
    with pytest.raises(ReportError, match="Unknown format docx: choose one of pdf, xlsx."):
        build_report(made.run, language="en", fmt="docx")


def test_a_run_without_results_still_builds(db):
    run = AnalysisRunFactory(computed_at=COMPUTED_AT)
    book = workbook_of(build_report(run, language="en", fmt="xlsx"))
    assert rows(book["Coverage"]) == [("Region", "Schools covered", "Surveyed", "Measured", "Enough data")]
    assert rows(book["Proposals"])[1:] == []
    assert build_report(run, language="lv", fmt="pdf").startswith(b"%PDF-")


# --- the run, the campaign, the command ------------------------------------------------------------


def test_the_latest_run_is_the_newest_computed(made):
    later = AnalysisRunFactory(campaign=made.campaign, computed_at=COMPUTED_AT + datetime.timedelta(hours=1))
    AnalysisRunFactory(campaign=made.campaign, computed_at=COMPUTED_AT - datetime.timedelta(hours=1))
    assert latest_run(made.campaign) == later
    tie = AnalysisRunFactory(campaign=made.campaign, computed_at=later.computed_at)
    assert latest_run(made.campaign) == tie


def test_a_campaign_is_found_by_code_or_programme_and_code(made):
    CampaignFactory(code="BW-2024", programme__code="other")
    assert find_campaign("lv-dators/BW-2024") == made.campaign
    with pytest.raises(
        LookupError, match=r"the code 'BW-2024' is used in several programmes \(lv-dators/BW-2024, other/BW-2024\)"
    ):
        find_campaign("BW-2024")
    with pytest.raises(LookupError, match="no campaign 'nothing'"):
        find_campaign("nothing")


def test_the_command_writes_the_report(made, tmp_path):
    output = tmp_path / "report.xlsx"
    out = io.StringIO()
    call_command(
        "connectivity_report", "BW-2024", "--language", "lv", "--format", "xlsx", "--output", str(output), stdout=out
    )
    data = output.read_bytes()
    assert data == build_report(made.run, language="lv", fmt="xlsx")
    assert out.getvalue() == (
        f"wrote {output} (xlsx, lv, {len(data)} bytes): lv-dators/BW-2024 as of 2024-06-15, analysis {made.run.pk}\n"
    )
    pdf = tmp_path / "report.pdf"
    call_command("connectivity_report", "lv-dators/BW-2024", "--output", str(pdf), stdout=io.StringIO())
    assert pdf.read_bytes() == build_report(made.run, language="en", fmt="pdf")


def test_the_command_explains_what_is_wrong(made, tmp_path):
    output = tmp_path / "report.pdf"
    with pytest.raises(CommandError, match="Unknown language xx"):
        call_command("connectivity_report", "BW-2024", "--language", "xx", "--output", str(output))
    with pytest.raises(CommandError, match="Unknown format csv"):
        call_command("connectivity_report", "BW-2024", "--format", "csv", "--output", str(output))
    with pytest.raises(CommandError, match="no campaign 'NOPE'"):
        call_command("connectivity_report", "NOPE", "--output", str(output))
    empty = CampaignFactory(code="EMPTY", programme=made.programme)
    with pytest.raises(CommandError, match="the campaign lv-dators/EMPTY has no analysis yet"):
        call_command("connectivity_report", "EMPTY", "--output", str(output))
    assert empty.pk and not output.exists()


def test_money_cells_are_decimals_not_text(made):
    sheet = workbook_of(build_report(made.run, language="de", fmt="xlsx")).worksheets[7]
    assert isinstance(sheet["K2"].value, (int, float, Decimal))


def test_the_method_reads_the_runs_copy_not_the_benchmarks_and_costs_as_changed_since(made):
    from digileap.connectivity.models import Benchmark, CostParameters
    from digileap.connectivity.services.analysis import _benchmark_copy
    from digileap.core import audit

    programme = made.run.campaign.programme
    costs = CostParameters.objects.get(programme=programme)
    copy = {
        field.name: audit.to_jsonable(getattr(costs, field.name))
        for field in CostParameters._meta.concrete_fields
        if field.name not in ("id", "programme", "target_benchmark")
    }
    copy["target_benchmark"] = costs.target_benchmark.code
    benchmarks = Benchmark.objects.filter(programme=programme).order_by("position", "code")
    made.run.parameters = {"benchmarks": [_benchmark_copy(b) for b in benchmarks], "costs": copy}
    made.run.save()
    Benchmark.objects.filter(programme=programme, kind="tiers").update(threshold_mbps=Decimal("30"))
    CostParameters.objects.filter(pk=costs.pk).update(wifi_per_classroom=Decimal("1200"))
    cells = rows(workbook_of(build_report(made.run, language="en", fmt="xlsx"))["Method"])
    assert next(row for row in cells if row[0] == "Giga tiers")[2] == 20
    assert ("Wi-Fi per classroom (EUR)", 900) in [row[:2] for row in cells]
    assert ("Benchmark to reach", "EU gigabit") in [row[:2] for row in cells]
