"""``manage.py connectivity_report CAMPAIGN --language LANG --format pdf|xlsx --output FILE``: the
report of the campaign's newest analysis (docs/connectivity-report.md). CAMPAIGN is the campaign's
code, or ``PROGRAMME_CODE/CAMPAIGN_CODE`` when codes repeat. Prints one line: what was written."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from digileap.connectivity.report import FORMATS, ReportError, build_report, check_request
from digileap.connectivity.selectors.report import find_campaign, latest_run


class Command(BaseCommand):
    help = "Write the connectivity report (PDF or XLSX) of a campaign's newest analysis."

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="campaign code, or PROGRAMME_CODE/CAMPAIGN_CODE")
        parser.add_argument("--language", default="en", help="en, nl, fr, de or lv (default: en)")
        parser.add_argument("--format", dest="fmt", default="pdf", help=f"{' or '.join(FORMATS)} (default: pdf)")
        parser.add_argument("--output", required=True, help="the file to write")

    def handle(self, *args, campaign, language, fmt, output, **options):
        try:
            check_request(language, fmt)
        except ReportError as error:
            raise CommandError(str(error)) from None
        try:
            found = find_campaign(campaign)
        except LookupError as error:
            raise CommandError(str(error)) from None
        run = latest_run(found)
        if run is None:
            raise CommandError(
                f"the campaign {found.programme.code}/{found.code} has no analysis yet: run the analysis first"
            )
        data = build_report(run, language=language, fmt=fmt)
        path = Path(output)
        try:
            path.write_bytes(data)
        except OSError as error:
            raise CommandError(f"cannot write {output}: {error.strerror}") from None
        self.stdout.write(
            f"wrote {path} ({fmt}, {language}, {len(data)} bytes): {found.programme.code}/{found.code} "
            f"as of {run.as_of.isoformat()}, analysis {run.pk}"
        )
