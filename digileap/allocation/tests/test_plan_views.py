"""Roll-out plan pages: list, create and edit with years or waves, build, optimise with progress,
the version page per year or wave with the remaining budget, hand moves, adoption, copies,
exports, and what operator staff see."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import SchoolFactory, SocioEconomicIndexFactory

from ..models import RolloutEntry, RolloutPlan, RolloutVersion
from ..services.plans import entry_move, plan_optimise, plan_version_build, version_adopt
from .factories_plans import approved_cost_round, make_plan


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_text(response) -> str:
    return response.content.decode()


@pytest.fixture
def owner(role_users):
    return role_users[Role.PROGRAMME_OWNER]


@pytest.fixture
def programme(world):
    return ProgrammeFactory(authority=world.authority, code="mv-digital", name={"en": "MV digital"})


@pytest.fixture
def plan(owner, programme, world):
    schools = {}
    for name, number, value, cost in (("Alpha", "91", 1, "600"), ("Beta", "92", 2, "500"), ("Gamma", "93", 3, "500")):
        school = SchoolFactory(operator=world.operator, name=name, number=number)
        SocioEconomicIndexFactory(school=school, school_year="2024/25", value=value)
        schools[school] = cost
    schools[SchoolFactory(operator=world.operator, name="Delta", number="94")] = "600"
    cost_round = approved_cost_round(programme, schools)
    return make_plan(
        owner, programme, [("2025", "1000"), ("2026", "1000")], cost_round=cost_round, code="MV-ROP", name="MV plan"
    )


@pytest.fixture
def optimised(owner, plan, django_capture_on_commit_callbacks):
    version = plan_version_build(actor=owner, plan=plan)
    with django_capture_on_commit_callbacks(execute=True):
        plan_optimise(actor=owner, version=version)
    version.refresh_from_db()
    return version


def _period_data(rows, total=None):
    data = {
        "periods-TOTAL_FORMS": str(total or len(rows)),
        "periods-INITIAL_FORMS": "0",
        "periods-MIN_NUM_FORMS": "0",
        "periods-MAX_NUM_FORMS": "40",
    }
    for index, (label, cap) in enumerate(rows):
        data[f"periods-{index}-label"] = label
        data[f"periods-{index}-budget_cap"] = cap
    return data


def test_list_and_detail(owner, plan, optimised):
    response = client_for(owner).get(reverse("allocation:rolloutplan-list"))
    text = page_text(response)
    assert response.status_code == 200
    assert "MV-ROP" in text and "MV plan" in text and "none yet" in text
    assert reverse("allocation:rolloutplan-create") in text

    response = client_for(owner).get(reverse("allocation:rolloutplan-detail", kwargs={"pk": plan.pk}))
    text = page_text(response)
    assert response.status_code == 200
    assert "1,000.00" in text
    assert "No version has been adopted yet." in text
    assert "3 / 4" in text  # version 1: three of four schools planned
    assert "1,600.00" in text  # their cost
    assert "0.1 %" not in text and "0 %" in text  # the gap the plan asks for (0)
    assert reverse("allocation:rolloutplan-build", kwargs={"pk": plan.pk}) in text


def test_create_a_plan_with_its_years(owner, programme):
    data = {
        "programme": programme.pk,
        "code": "ROP-2025",
        "name": "Four years",
        "cost_round": "",
        "default_cost": "25000",
        "priority_source": "index",
        "max_periods_per_operator": "2",
        "gap_percent": "0.1",
        "time_limit_seconds": "30",
        **_period_data([("2025", "100000"), ("2026", "100000"), ("2027", ""), ("", "")]),
    }
    response = client_for(owner).post(reverse("allocation:rolloutplan-create"), data)
    plan = RolloutPlan.objects.get(code="ROP-2025")
    assert response.status_code == 302
    assert response["Location"] == reverse("allocation:rolloutplan-detail", kwargs={"pk": plan.pk})
    assert (plan.relative_gap, plan.max_periods_per_operator, plan.default_cost, plan.time_limit_seconds) == (
        Decimal("0.00100"),
        2,
        Decimal("25000.00"),
        30,
    )
    assert list(plan.periods.values_list("position", "label", "budget_cap")) == [
        (1, "2025", Decimal("100000.00")),
        (2, "2026", Decimal("100000.00")),
        (3, "2027", None),
    ]


def test_the_form_shows_errors_instead_of_failing(owner, programme):
    data = {
        "programme": programme.pk,
        "code": "ROP",
        "name": "Plan",
        "default_cost": "0",
        "priority_source": "equal",
        "gap_percent": "0.1",
        "time_limit_seconds": "60",
        **_period_data([("2025", "1"), ("2025", "2")]),
    }
    response = client_for(owner).post(reverse("allocation:rolloutplan-create"), data)
    assert response.status_code == 200
    assert "Two years or waves are called 2025." in page_text(response)
    response = client_for(owner).post(reverse("allocation:rolloutplan-create"), {"code": "x"})
    assert response.status_code == 200
    assert not RolloutPlan.objects.exists()


def test_edit_caps_and_add_a_year(owner, plan):
    url = reverse("allocation:rolloutplan-update", kwargs={"pk": plan.pk})
    response = client_for(owner).get(url)
    assert response.status_code == 200
    assert 'value="2026"' in page_text(response)
    data = {
        "code": plan.code,
        "name": "MV plan, revised",
        "cost_round": plan.cost_round_id,
        "default_cost": "0",
        "priority_source": "index",
        "max_periods_per_operator": "",
        "gap_percent": "0.5",
        "time_limit_seconds": "60",
        **_period_data([("2025", "1200"), ("2026", "1000"), ("2027", "800")]),
    }
    response = client_for(owner).post(url, data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.name, plan.relative_gap) == ("MV plan, revised", Decimal("0.00500"))
    assert list(plan.periods.values_list("label", "budget_cap")) == [
        ("2025", Decimal("1200.00")),
        ("2026", Decimal("1000.00")),
        ("2027", Decimal("800.00")),
    ]


def test_build_optimise_and_read_the_version(owner, plan, django_capture_on_commit_callbacks):
    client = client_for(owner)
    response = client.post(reverse("allocation:rolloutplan-build", kwargs={"pk": plan.pk}), {"note": "first draft"})
    version = RolloutVersion.objects.get(plan=plan)
    assert response["Location"] == reverse("allocation:rolloutversion-detail", kwargs={"pk": version.pk})
    assert version.note == "first draft"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("allocation:rolloutversion-optimise", kwargs={"pk": version.pk}))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == RolloutVersion.Status.DRAFT
    response = client.get(reverse("allocation:rolloutversion-detail", kwargs={"pk": version.pk}))
    text = page_text(response)
    assert response.status_code == 200
    for fragment in (
        "within the optimality gap",
        "0.000 %",
        "Remaining budget (EUR)",
        "400.00",
        "1,600.00",
        "No budget left in any allowed year: 1 school",
        "Optimise",
        "Adopt as the plan in force",
        "Copy to a new draft",
    ):
        assert fragment in text, fragment
    response = client.get(reverse("allocation:rolloutversion-detail", kwargs={"pk": version.pk}), {"show": "out"})
    text = page_text(response)
    assert "Delta" in text and "Alpha" not in text


def test_progress_is_polled_while_optimising(owner, optimised):
    RolloutVersion.objects.filter(pk=optimised.pk).update(status=RolloutVersion.Status.OPTIMISING, progress=40)
    url = reverse("allocation:rolloutversion-progress", kwargs={"pk": optimised.pk})
    response = client_for(owner).get(url, HTTP_HX_REQUEST="true")
    text = page_text(response)
    assert 'hx-get="' + url + '"' in text
    assert 'value="40"' in text
    assert "HX-Refresh" not in response
    page = page_text(client_for(owner).get(reverse("allocation:rolloutversion-detail", kwargs={"pk": optimised.pk})))
    assert "The optimiser is placing the schools" in page
    assert reverse("allocation:rolloutversion-optimise", kwargs={"pk": optimised.pk}) not in page
    RolloutVersion.objects.filter(pk=optimised.pk).update(status=RolloutVersion.Status.DRAFT, progress=100)
    response = client_for(owner).get(url, HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"
    assert "hx-get" not in page_text(response)


def test_move_a_school_by_hand(owner, plan, optimised):
    delta = optimised.entries.get(school__name="Delta")
    later = plan.periods.get(label="2026")
    back = reverse("allocation:rolloutversion-detail", kwargs={"pk": optimised.pk}) + "?show=out"
    response = client_for(owner).post(
        reverse("allocation:rolloutentry-move", kwargs={"pk": delta.pk}),
        {"period": later.pk, "pin": "on", "next": back},
    )
    assert response.status_code == 302
    assert response["Location"] == back
    delta.refresh_from_db()
    assert (delta.period, delta.is_pinned, delta.reason) == (later, True, "")
    response = client_for(owner).post(
        reverse("allocation:rolloutentry-move", kwargs={"pk": delta.pk}),
        {"period": "", "next": "https://elsewhere.example/"},
        follow=True,
    )
    assert response.redirect_chain[0][0] == (
        reverse("allocation:rolloutversion-detail", kwargs={"pk": optimised.pk}) + f"#entry-{delta.pk}"
    )
    assert "Delta was taken out of the plan." in page_text(response)
    delta.refresh_from_db()
    assert (delta.period, delta.reason) == (None, "by_hand")


def test_adoption_over_a_cap_is_refused_with_the_reason(owner, plan, optimised):
    entry_move(actor=owner, entry=optimised.entries.get(school__name="Delta"), period=plan.periods.get(label="2026"))
    response = client_for(owner).post(
        reverse("allocation:rolloutversion-adopt", kwargs={"pk": optimised.pk}), follow=True
    )
    text = page_text(response)
    assert "Version 1 was not adopted." in text
    assert "2026: the planned schools cost EUR 1,200.00, more than its cap of EUR 1,000.00." in text
    assert "-200.00 (over the cap)" in text
    optimised.refresh_from_db()
    assert optimised.status == RolloutVersion.Status.DRAFT


def test_adopt_then_copy_to_adjust_by_hand(owner, plan, optimised):
    client = client_for(owner)
    response = client.post(reverse("allocation:rolloutversion-adopt", kwargs={"pk": optimised.pk}), follow=True)
    assert "Version 1 is now the plan in force." in page_text(response)
    detail = page_text(client.get(reverse("allocation:rolloutplan-detail", kwargs={"pk": plan.pk})))
    assert "Adjust by hand (copy to a new draft)" in detail
    response = client.post(reverse("allocation:rolloutversion-copy", kwargs={"pk": optimised.pk}))
    copy = RolloutVersion.objects.get(plan=plan, number=2)
    assert response["Location"] == reverse("allocation:rolloutversion-detail", kwargs={"pk": copy.pk})
    assert copy.status == RolloutVersion.Status.DRAFT
    assert copy.note == "Copy of version 1"
    assert copy.entries.count() == 4


def test_exports(owner, plan, optimised):
    url = reverse("allocation:rolloutversion-export", kwargs={"pk": optimised.pk})
    response = client_for(owner).get(url)
    assert response["Content-Disposition"] == 'attachment; filename="mv-rop-v1.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        [
            "School number",
            "School",
            "Operator",
            "Year or wave",
            "Cost (EUR)",
            "Priority",
            "Readiness",
            "Preferred year or wave",
            "Pinned",
            "Why not planned",
        ],
        ["92", "Beta", "INSIDE operator", "2025", "500.00", "80.0000", "", "", "no", ""],
        ["93", "Gamma", "INSIDE operator", "2025", "500.00", "60.0000", "", "", "no", ""],
        ["91", "Alpha", "INSIDE operator", "2026", "600.00", "100.0000", "", "", "no", ""],
        ["94", "Delta", "INSIDE operator", "", "600.00", "0.0000", "", "", "no", "No budget left in any allowed year"],
    ]
    response = client_for(owner).get(url, {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][:5] == ("92", "Beta", "INSIDE operator", "2025", 500)
    assert values[4][:5] == ("94", "Delta", "INSIDE operator", None, 600)


def test_entry_form(owner, optimised, plan):
    gamma = optimised.entries.get(school__name="Gamma")
    url = reverse("allocation:rolloutentry-update", kwargs={"pk": gamma.pk})
    assert client_for(owner).get(url).status_code == 200
    response = client_for(owner).post(url, {"cost": "-1", "readiness": "50"})
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0." in page_text(response)
    response = client_for(owner).post(
        url, {"cost": "450.00", "readiness": "50", "preferred_period": plan.periods.get(label="2026").pk}
    )
    assert response.status_code == 302
    gamma.refresh_from_db()
    assert (gamma.cost, gamma.readiness, gamma.preferred_period.label) == (Decimal("450.00"), 50, "2026")


def test_operator_staff_read_their_schools_in_the_plan_in_force(role_users, owner, plan, optimised, world):
    draft = plan_version_build(actor=owner, plan=plan)
    version_adopt(actor=owner, version=optimised)
    RolloutEntry.objects.filter(version=optimised, school__name="Alpha").update(
        school=SchoolFactory(name="Elsewhere school", number="95")
    )
    staff = client_for(role_users[Role.OPERATOR_STAFF])
    assert staff.get(reverse("allocation:rolloutversion-detail", kwargs={"pk": draft.pk})).status_code == 404
    response = staff.get(reverse("allocation:rolloutversion-detail", kwargs={"pk": optimised.pk}))
    text = page_text(response)
    assert response.status_code == 200
    assert "Beta" in text and "Elsewhere school" not in text
    assert "Only your own schools are shown." in text
    assert "Remaining budget (EUR)" not in text
    assert "Optimiser report" not in text
    assert reverse("allocation:rolloutversion-adopt", kwargs={"pk": optimised.pk}) not in text
    assert staff.post(reverse("allocation:rolloutversion-copy", kwargs={"pk": optimised.pk})).status_code == 403
    assert staff.get(reverse("allocation:rolloutplan-create")).status_code == 403
    plan_page = page_text(staff.get(reverse("allocation:rolloutplan-detail", kwargs={"pk": plan.pk})))
    assert "2 / 3" in plan_page  # their own schools: Beta and Gamma planned, Delta left out
    assert "Build a new version" not in plan_page
    csv_text = b"".join(
        staff.get(reverse("allocation:rolloutversion-export", kwargs={"pk": optimised.pk})).streaming_content
    ).decode("utf-8-sig")
    assert "Beta" in csv_text and "Elsewhere" not in csv_text
