"""Self-assessment pages: rounds, the questionnaire, the personal report (the teacher's own
only), group results and their CSV (groups of at least ten only), per role."""

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import SchoolFactory

from ..models import AssessmentRound, SelfAssessment
from .factories import CourseFactory, small_framework, staff_at
from .selfassessment_data import answer, closed_round, open_round, ranks_by_id, teacher

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def framework():
    return small_framework(code="sa-framework")


@pytest.fixture
def round_(world, framework):
    return open_round(world.authority, framework, code="now")


def url(name, round_):
    return reverse(f"training:{name}", kwargs={"pk": round_.pk})


def posted_answers(framework, ranks):
    return {f"competence_{pk}": str(rank) for pk, rank in ranks_by_id(framework, ranks).items()}


# Rounds.


def test_the_owner_makes_a_round_through_the_form(world, role_users, framework):
    programme = ProgrammeFactory(authority=world.authority, code="DIGI")
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    page = client.get(reverse("training:assessmentround-create"))
    assert page.status_code == 200
    response = client.post(
        reverse("training:assessmentround-create"),
        {
            "programme": programme.pk,
            "framework": framework.pk,
            "code": "2025-before",
            "name_en": "Before the training",
            "name_nl": "Voor de opleiding",
            "opens_on": "2025-01-01",
            "closes_on": "2025-01-31",
        },
    )
    made = AssessmentRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("assessmentround-detail", made)
    assert (made.code, made.name) == ("2025-before", {"en": "Before the training", "nl": "Voor de opleiding"})
    # The same code again: an error on the code, nothing written.
    again = client.post(
        reverse("training:assessmentround-create"),
        {
            "programme": programme.pk,
            "framework": framework.pk,
            "code": "2025-before",
            "name_en": "Again",
            "opens_on": "2025-01-01",
            "closes_on": "2025-01-31",
        },
    )
    assert again.status_code == 400
    assert AssessmentRound.objects.count() == 1


def test_the_round_form_offers_no_other_authority_s_framework(world, role_users):
    ProgrammeFactory(authority=world.authority)
    small_framework(authority=world.authority, code="own", name={"en": "Own variant"})
    small_framework(authority=world.other_authority, code="theirs", name={"en": "Their variant"})
    page = client_for(role_users[Role.PROGRAMME_OWNER]).get(reverse("training:assessmentround-create"))
    text = page.content.decode()
    assert "Own variant" in text and "Their variant" not in text


def test_only_owners_make_rounds(role_users):
    for role in (Role.SCHOOL_COORDINATOR, Role.TEACHER, Role.AUDITOR, Role.FUNDING_ADMINISTRATOR):
        assert client_for(role_users[role]).get(reverse("training:assessmentround-create")).status_code == 403


def test_the_round_list_and_page(world, role_users, round_):
    answer(round_, world.staff, {"1.1": 1, "1.2": 1, "2.1": 1})
    owner = client_for(role_users[Role.PROGRAMME_OWNER])
    listing = owner.get(reverse("training:assessmentround-list")).content.decode()
    assert "Round now" in listing
    detail = owner.get(url("assessmentround-detail", round_))
    assert detail.status_code == 200
    assert 'data-testid="answered-count">1<' in detail.content.decode()
    assert url("assessmentround-results", round_) in detail.content.decode()
    teacher_page = client_for(role_users[Role.TEACHER]).get(url("assessmentround-detail", round_)).content.decode()
    assert "You have answered this round." in teacher_page
    assert url("assessmentround-results", round_) not in teacher_page


# The questionnaire.


def test_the_questionnaire_has_one_item_per_competence_with_its_six_statements(world, role_users, round_, framework):
    page = client_for(role_users[Role.TEACHER]).get(url("assessmentround-answer", round_))
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("<fieldset") == 3
    assert text.count('type="radio"') == 18
    assert "<legend>1.1 Competence 1.1</legend>" in text
    assert "A1: 1.1 at A1" in text and "C2: 2.1 at C2" in text
    assert '<h2 id="area-' in text


def test_the_questionnaire_is_in_the_user_s_language(world, role_users, round_, framework):
    statement = framework.competences.get(code="1.1").level_statements.get(level__code="B1")
    statement.statement = {"en": "I use it", "de": "Ich nutze es"}
    statement.save()
    client = client_for(role_users[Role.TEACHER])
    assert (
        "B1: Ich nutze es"
        in client.get(url("assessmentround-answer", round_), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    )


def test_submitting_stores_and_answering_again_replaces(world, role_users, round_, framework):
    client = client_for(role_users[Role.TEACHER])
    first = client.post(
        url("assessmentround-answer", round_), posted_answers(framework, {"1.1": 3, "1.2": 4, "2.1": 2})
    )
    assert first.status_code == 302 and first["Location"] == url("assessmentround-report", round_)
    page = client.get(url("assessmentround-answer", round_)).content.decode()
    assert 'data-testid="answered-before"' in page
    assert page.count("checked") == 3
    client.post(url("assessmentround-answer", round_), posted_answers(framework, {"1.1": 6, "1.2": 6, "2.1": 6}))
    (assessment,) = SelfAssessment.objects.filter(round=round_)
    assert sorted(assessment.answers.values_list("rank", flat=True)) == [6, 6, 6]


def test_an_incomplete_questionnaire_names_the_missing_competence(world, role_users, round_, framework):
    response = client_for(role_users[Role.TEACHER]).post(
        url("assessmentround-answer", round_), posted_answers(framework, {"1.1": 3, "2.1": 2})
    )
    assert response.status_code == 400
    assert "Choose a level for 1.2 Competence 1.2." in response.content.decode()
    assert SelfAssessment.objects.count() == 0


def test_a_closed_round_shows_no_questionnaire_and_takes_no_answers(world, role_users, framework):
    closed = closed_round(world.authority, framework)
    client = client_for(role_users[Role.TEACHER])
    page = client.get(url("assessmentround-answer", closed))
    assert page.status_code == 200 and 'data-testid="closed"' in page.content.decode()
    assert 'type="radio"' not in page.content.decode()
    response = client.post(
        url("assessmentround-answer", closed), posted_answers(framework, {"1.1": 1, "1.2": 1, "2.1": 1})
    )
    assert response.status_code == 400
    assert SelfAssessment.objects.count() == 0


def test_only_teachers_answer(world, role_users, round_, framework):
    for role in (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.SCHOOL_COORDINATOR, Role.AUDITOR):
        client = client_for(role_users[role])
        assert client.get(url("assessmentround-answer", round_)).status_code == 403
        post = client.post(
            url("assessmentround-answer", round_), posted_answers(framework, {"1.1": 1, "1.2": 1, "2.1": 1})
        )
        assert post.status_code == 403
    assert SelfAssessment.objects.count() == 0


# The personal report.


def test_the_report_shows_levels_chart_weakest_and_courses(world, role_users, round_, framework):
    answer(round_, world.staff, {"1.1": 3, "1.2": 4, "2.1": 2})
    course = CourseFactory(programme=round_.programme, code="AREA2", title={"en": "Assessing digitally"})
    course.competences.set([framework.competences.get(code="2.1")])
    page = client_for(role_users[Role.TEACHER]).get(url("assessmentround-report", round_))
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text and 'role="img"' in text
    assert "1 Area 1: 3.50 (B2 Level B2)" in text
    assert "Your weakest area: 2 Area 2." in text
    assert "Assessing digitally" in text


def test_another_teacher_never_sees_the_answers(world, role_users, round_):
    answer(round_, world.staff, {"1.1": 3, "1.2": 4, "2.1": 2})
    colleague = teacher(world.school, reference="colleague")
    page = client_for(colleague.user).get(url("assessmentround-report", round_))
    assert page.status_code == 200
    assert 'data-testid="not-answered"' in page.content.decode()
    assert "3.50" not in page.content.decode()
    outside = teacher(world.other_school, reference="OUT-colleague")
    assert client_for(outside.user).get(url("assessmentround-report", round_)).status_code == 404
    assert client_for(outside.user).get(url("assessmentround-answer", round_)).status_code == 404


def test_administrator_and_owner_cannot_open_a_person_s_answers(world, role_users, round_):
    """They have no staff record of their own: the report and questionnaire are refused (403, not
    404, since the permission walk expects the administrator to reach every object)."""
    answer(round_, world.staff, {"1.1": 3, "1.2": 4, "2.1": 2})
    for role in (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.SCHOOL_COORDINATOR, Role.AUDITOR):
        response = client_for(role_users[role]).get(url("assessmentround-report", round_))
        assert response.status_code == 403, role
        assert "3.50" not in response.content.decode()


def test_the_report_before_and_after(world, role_users, framework):
    earlier = closed_round(world.authority, framework, code="before")
    later = open_round(world.authority, framework, code="after")
    answer(earlier, world.staff, {"1.1": 1, "1.2": 2, "2.1": 4})
    answer(later, world.staff, {"1.1": 3, "1.2": 4, "2.1": 3})
    text = client_for(role_users[Role.TEACHER]).get(url("assessmentround-report", later)).content.decode()
    assert 'data-testid="changes"' in text
    assert "+2.00" in text and "-1.00" in text


# Group results.


def many(round_, school, count, ranks, prefix):
    for number in range(count):
        answer(round_, staff_at(school, reference=f"{prefix}-{number}"), ranks)


def test_results_show_groups_of_ten_and_hide_smaller(world, role_users, round_):
    small = SchoolFactory(operator=world.operator, name="Small school", number="3003")
    many(round_, world.school, 10, {"1.1": 2, "1.2": 3, "2.1": 4}, "a")
    many(round_, small, 9, {"1.1": 6, "1.2": 6, "2.1": 6}, "b")
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    page = client.get(url("assessmentround-results", round_), {"group_by": "school"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "INSIDE school (1001)" in text and "Small school (3003)" in text
    assert text.count('data-testid="suppressed"') == 1
    assert "fewer than 10 answers: not shown" in text
    assert "2.50" in text and "4.00" in text
    assert "6.00" not in text
    csv = client.get(url("assessmentround-results-csv", round_), {"group_by": "school"})
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Grouping;Group;Teachers who answered;Area;Area name;Mean level;Level;Teachers at A1")
    assert lines[1:] == [
        "By school;INSIDE school (1001);10;1;Area 1;2.50;B1 Level B1;0;0;10;0;0;0",
        "By school;INSIDE school (1001);10;2;Area 2;4.00;B2 Level B2;0;0;0;10;0;0",
        "By school;Small school (3003);fewer than 10 answers: not shown",
    ]


def test_results_before_and_after_in_the_csv(world, role_users, framework):
    earlier = closed_round(world.authority, framework, code="before")
    later = open_round(world.authority, framework, code="after")
    for number in range(10):
        staff = staff_at(world.school, reference=f"p-{number}")
        answer(earlier, staff, {"1.1": 1, "1.2": 2, "2.1": 2})
        answer(later, staff, {"1.1": 3, "1.2": 3, "2.1": 1})
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    page = client.get(url("assessmentround-results", later), {"group_by": "school", "earlier": earlier.pk})
    assert page.status_code == 200
    assert 'data-testid="change-table"' in page.content.decode()
    csv = client.get(url("assessmentround-results-csv", later), {"group_by": "school", "earlier": earlier.pk})
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].endswith("Mean in before;Change")
    assert lines[1].endswith(";1.50;1.50") and lines[2].endswith(";2.00;-1.00")


def test_results_per_role(world, role_users, round_):
    many(round_, world.school, 10, {"1.1": 2, "1.2": 2, "2.1": 2}, "r")
    for role in (
        Role.ADMINISTRATOR,
        Role.PROGRAMME_OWNER,
        Role.FUNDING_ADMINISTRATOR,
        Role.AUDITOR,
        Role.OPERATOR_STAFF,
        Role.SCHOOL_COORDINATOR,
    ):
        response = client_for(role_users[role]).get(url("assessmentround-results", round_))
        assert response.status_code == 200, role
        assert "2.00" in response.content.decode(), role
    assert client_for(role_users[Role.TEACHER]).get(url("assessmentround-results", round_)).status_code == 403
    assert client_for(role_users[Role.SUPPLIER]).get(url("assessmentround-results", round_)).status_code == 404
    outside_owner = user_with_role(Role.PROGRAMME_OWNER, world.other_authority)
    assert client_for(outside_owner).get(url("assessmentround-results", round_)).status_code == 404
    assert client_for(outside_owner).get(url("assessmentround-results-csv", round_)).status_code == 404


def test_a_coordinator_may_not_group_by_region(world, role_users, round_):
    many(round_, world.school, 10, {"1.1": 2, "1.2": 2, "2.1": 2}, "c")
    response = client_for(role_users[Role.SCHOOL_COORDINATOR]).get(
        url("assessmentround-results", round_), {"group_by": "region"}
    )
    assert response.status_code == 200
    assert 'value="region"' not in response.content.decode()
    assert 'data-testid="group-table"' in response.content.decode()  # the default grouping instead


def test_templates_and_chart_have_no_inline_style_or_script(world, role_users, round_):
    """CSP: styles and scripts come from static files only."""
    folder = Path(__file__).resolve().parents[1] / "templates" / "training" / "selfassessment"
    for template in folder.glob("*.html"):
        text = template.read_text()
        assert "style=" not in text and "<script" not in text and "<style" not in text, template.name
    answer(round_, world.staff, {"1.1": 3, "1.2": 4, "2.1": 2})
    report = client_for(role_users[Role.TEACHER]).get(url("assessmentround-report", round_)).content.decode()
    svg = report[report.index("<svg") : report.index("</svg>")]
    assert "style=" not in svg
