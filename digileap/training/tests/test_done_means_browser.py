"""The issue's "Done means", walked in Chromium through the pages: a programme owner makes a course
with two past sessions, a school's coordinator enrols three teachers and taps their attendance (the
script's path), three completions with certificates appear; the owner imports a fourth completion
from Moodle's report through the import pages; a teacher answers the DigCompEdu self-assessment and
reads the report; the programme's "teachers trained" target shows 4 and its evidence pack lists the
four completions by pseudonym."""

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from digileap.accounts.models import Role
from digileap.core.tests import browser_fixtures
from digileap.programmes.tests.factories import IndicatorFactory, ProgrammeFactory, TargetFactory

from ..models import Completion, Course, CourseMapping, SelfAssessment, StaffMember
from ..selectors.frameworks import digcompedu
from ..services.frameworks import install_shipped_frameworks
from .factories import AssessmentRoundFactory, staff_at

pytestmark = pytest.mark.browser

chromium = browser_fixtures.chromium
browser_session = browser_fixtures.browser_session

MOODLE_FILE = Path(__file__).parent / "data" / "completion-digisprong_101.csv"
TEACHERS = ["INSIDE-teacher", "T-0002", "T-0003"]
SESSIONS = [("2026-11-02T09:00", "2026-11-02T12:00"), ("2026-11-09T09:00", "2026-11-09T12:00")]
# The DigCompEdu areas and the level chosen for each of the 22 competences (by the level's rank).
AREAS = {"1": 4, "2": 3, "3": 3, "4": 2, "5": 5, "6": 1}


@pytest.fixture
def setup(world, role_users):
    """The world the walk starts from: programme, target, two more teachers, an open round."""
    programme = ProgrammeFactory(
        authority=world.authority,
        code="digisprong",
        name={"en": "Digisprong"},
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2030, 12, 31),
    )
    indicator = IndicatorFactory(programme=programme, kind="training_teachers_trained", parameters={})
    target = TargetFactory(
        programme=programme,
        indicator=indicator,
        number="T1",
        title={"en": "Teachers trained"},
        target_value=Decimal("40"),
        unit="teachers",
        due_date=datetime.date(2030, 12, 31),
    )
    staff_at(world.school, reference="T-0002")
    staff_at(world.school, reference="T-0003")
    if digcompedu() is None:  # a transactional test's database may have lost the migration's rows
        install_shipped_frameworks()
    framework = digcompedu()
    today = datetime.date.today()
    assessment_round = AssessmentRoundFactory(
        programme=programme,
        framework=framework,
        code="baseline",
        name={"en": "Baseline"},
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today + datetime.timedelta(days=30),
    )
    return programme, target, framework, assessment_round


def submit(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def facts(page) -> dict[str, str]:
    region = page.locator("#import-job-status dl.facts")
    return dict(zip(region.locator("dt").all_inner_texts(), region.locator("dd").all_inner_texts(), strict=True))


def test_done_means(browser_session, world, role_users, setup):
    programme, target, framework, assessment_round = setup
    session = browser_session
    page = session.page
    owner = role_users[Role.PROGRAMME_OWNER]

    # 1. The programme owner: a provider, the course, two past sessions, the Moodle short name.
    session.sign_in_with_cookie(owner)
    session.goto(reverse("training:provider-create"))
    page.get_by_label("Name").fill("Pedagogical Centre")
    submit(page, "Add the provider")
    session.goto(reverse("training:course-create"))
    page.locator("#id_provider").select_option(label="Pedagogical Centre")
    page.locator("#id_code").fill("DIG-101")
    page.locator("input[name=title_en]").fill("Digital classroom basics")
    page.locator("#id_hours").fill("6")
    page.get_by_label("In person").check()
    page.get_by_label("1.1 Organisational communication").check()
    page.get_by_label("A share of attendance").check()
    page.locator("#id_attendance_share").fill("80")
    page.locator("#id_state").select_option("open")
    submit(page, "Make the course")
    course = Course.objects.get(code="DIG-101")
    assert page.url == session.url(reverse("training:course-detail", kwargs={"pk": course.pk}))
    assert (course.programme, course.title, course.hours, course.mode, course.completion_rule) == (
        programme,
        {"en": "Digital classroom basics"},
        Decimal("6.00"),
        "in_person",
        "attendance",
    )
    assert (course.attendance_share, course.state) == (80, "open")
    assert list(course.competences.values_list("framework", "code")) == [(framework.pk, "1.1")]
    for starts, ends in SESSIONS:
        page.get_by_role("link", name="Add a session").click()
        page.locator("#id_starts_at").fill(starts)
        page.locator("#id_ends_at").fill(ends)
        page.locator("#id_place").fill("Pedagogical centre, room 2")
        page.locator("#id_capacity").fill("20")
        submit(page, "Add the session")
    assert course.sessions.count() == 2
    page.locator("#id_system").select_option("moodle")
    page.locator("#id_identifier").fill("Digisprong 101")
    submit(page, "Add")
    assert list(CourseMapping.objects.values_list("course", "system", "identifier")) == [
        (course.pk, "moodle", "Digisprong 101")
    ]

    # 2. The school's coordinator enrols the three teachers.
    page.context.clear_cookies()
    session.sign_in_with_cookie(role_users[Role.SCHOOL_COORDINATOR])
    session.goto(reverse("training:course-enrol", kwargs={"pk": course.pk}))
    for reference in TEACHERS:
        page.get_by_label(reference, exact=True).check()
    submit(page, "Enrol the chosen people")
    assert sorted(course.enrolments.values_list("staff__reference", "state")) == [
        (reference, "enrolled") for reference in TEACHERS
    ]

    # 3. Attendance of both sessions, one tap per person (fetch, no reload); then the completions.
    for number, course_session in enumerate(course.sessions.order_by("starts_at"), 1):
        session.goto(reverse("training:session-attendance", kwargs={"pk": course_session.pk}))
        for count, reference in enumerate(TEACHERS, 1):
            group = page.get_by_role("group", name=f"Attendance of {reference}")
            group.get_by_role("button", name="Present", exact=True).click()
            expect(group.get_by_role("button", name="Present", exact=True)).to_have_attribute("aria-pressed", "true")
            expect(page.locator('[data-count="present"]')).to_have_text(str(count))
        # The script un-hides a row's "Completed" badge when the answer says so (80 % of 360 minutes:
        # both sessions); before, the badge is not visible (attendance.css keeps [hidden] hidden).
        expect(page.locator("[data-completed]:visible")).to_have_count(0 if number == 1 else 3)
        assert Completion.objects.filter(course=course).count() == (0 if number == 1 else 3)
    session.goto(reverse("training:completion-list"))
    rows = page.locator("[data-completions] tbody tr")
    assert sorted(row.locator("th, td").all_inner_texts()[:5] for row in rows.all()) == [
        ["Digital classroom basics", "INSIDE school", reference, "09/11/2026", "Digileap"] for reference in TEACHERS
    ]
    rows.first.get_by_role("link").click()
    href = page.locator("[data-certificate]").get_attribute("href")
    pdf = page.request.get(session.url(href))
    assert (pdf.status, pdf.headers["content-type"], pdf.body()[:5]) == (200, "application/pdf", b"%PDF-")

    # 4. The owner imports Moodle's completion report for a fourth person through the import pages.
    page.context.clear_cookies()
    session.sign_in_with_cookie(owner)
    session.goto(reverse("importjob-create") + "?target=completions")
    page.get_by_label("Profile").select_option("moodle")
    page.locator("#id_file").set_input_files(str(MOODLE_FILE))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    expect(page.locator("#import-status-heading")).to_have_text("Ready to import")
    assert facts(page) == {"Would be created": "1", "Would be updated": "0", "Unchanged": "0", "Rejected rows": "0"}
    page.get_by_role("button", name="Confirm the import").click()
    expect(page.locator("#import-status-heading")).to_have_text("Imported")
    assert facts(page) == {"Created": "1", "Updated": "0", "Unchanged": "0", "Rejected rows": "0"}
    fourth = StaffMember.objects.get(reference="T-0004")
    assert list(Completion.objects.filter(staff=fourth).values_list("course", "completed_on", "source")) == [
        (course.pk, datetime.date(2026, 11, 16), "platform")
    ]

    # 5. A teacher answers the self-assessment round and reads the report.
    page.context.clear_cookies()
    session.sign_in_with_cookie(role_users[Role.TEACHER])
    session.goto(reverse("training:my-training"))
    page.get_by_role("link", name="Answer the questionnaire").click()
    page.wait_for_url(session.url(reverse("training:assessmentround-answer", kwargs={"pk": assessment_round.pk})))
    items = page.locator("fieldset.sa-item")
    assert items.count() == 22
    for item in items.all():
        area = item.locator("xpath=ancestor::section[1]/h2").inner_text().split(" ")[0]
        item.locator("input[type=radio]").nth(AREAS[area] - 1).check()
    submit(page, "Submit my answers")
    answer = SelfAssessment.objects.get(round=assessment_round)
    assert answer.staff == world.staff
    session.goto(reverse("training:assessmentround-report", kwargs={"pk": assessment_round.pk}))
    levels = page.locator("section[aria-labelledby=levels-title] tbody tr")
    assert [row.locator("th, td").all_inner_texts() for row in levels.all()] == [
        ["1 Professional engagement", "4.00", "B2 Expert"],
        ["2 Digital resources", "3.00", "B1 Integrator"],
        ["3 Teaching and learning", "3.00", "B1 Integrator"],
        ["4 Assessment", "2.00", "A2 Explorer"],
        ["5 Empowering learners", "5.00", "C1 Leader"],
        ["6 Facilitating learners' digital competence", "1.00", "A1 Newcomer"],
    ]

    # 6. The owner: the target shows 4 teachers trained; the evidence pack lists the 4 pseudonymously.
    page.context.clear_cookies()
    session.sign_in_with_cookie(owner)
    session.goto(reverse("programmes:programme-targets", kwargs={"pk": programme.pk}))
    row = page.locator("tbody tr", has_text="Teachers trained")
    assert row.locator("td").nth(4).inner_text() == "4"
    session.goto(reverse("programmes:target-evidence", kwargs={"pk": target.pk}))
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download now").click()
    pack = zipfile.ZipFile(download_info.value.path())
    records = list(csv.reader(io.StringIO(pack.read("records.csv").decode()), delimiter=";"))
    pseudonym = dict(StaffMember.objects.filter(authority=world.authority).values_list("reference", "pseudonym"))
    assert records[0] == ["course_code", "course_title", "session_date", "completed_on", "school_number",
                          "school_name", "staff_pseudonym", "source"]  # fmt: skip
    trained = ["DIG-101", "Digital classroom basics", "2026-11-09", "2026-11-09", "1001", "INSIDE school"]
    assert sorted(records[1:]) == sorted(
        [
            *([*trained, pseudonym[reference], "digileap"] for reference in TEACHERS),
            ["DIG-101", "Digital classroom basics", "", "2026-11-16", "1001", "INSIDE school", pseudonym["T-0004"],
             "platform"],
        ]
    )  # fmt: skip
    assert len(set(pseudonym.values())) == 4
    assert not {cell for row in records for cell in row} & {*TEACHERS, "T-0004", "Dana Vos", "dana.vos@school.example"}
