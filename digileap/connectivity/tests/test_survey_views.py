"""The survey pages: every role on every page, the form with its uplink rows (without JavaScript),
errors at their field with nothing written, sites, the prefill note, the list and its export."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.schools.tests.factories import SiteFactory

from ..models import Campaign, SurveyResponse, Uplink
from .factories import SurveyResponseFactory, UplinkFactory
from .factories_survey import install_access_point, open_campaign

# Roles that have no grants in this app (suppliers, teachers).
NO_ACCESS_ROLES = (Role.SUPPLIER, Role.TEACHER, Role.DATA_PROTECTION_OFFICER)


@pytest.fixture
def campaign(world):
    return open_campaign(world.school, authority=world.authority)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_url(campaign, school, site=None):
    if site is None:
        return reverse(
            "connectivity:surveyresponse-answer-school", kwargs={"campaign_pk": campaign.pk, "school_pk": school.pk}
        )
    return reverse(
        "connectivity:surveyresponse-answer-site",
        kwargs={"campaign_pk": campaign.pk, "school_pk": school.pk, "site_pk": site.pk},
    )


def posted(*, uplinks=(), total=None, submit=True, **fields):
    data = {
        "classrooms": "20",
        "classrooms_wifi": "8",
        "access_points": "5",
        "switches": "2",
        "switch_age_years": "",
        "cabling": "cat6",
        "fibre_distance_km": "",
        "problems": ["outages", "wifi_coverage"],
        "problems_text": "",
        **fields,
    }
    rows = list(uplinks)
    count = total if total is not None else max(len(rows), 1)
    data.update({"uplinks-TOTAL_FORMS": str(count), "uplinks-INITIAL_FORMS": "0", "uplinks-MAX_NUM_FORMS": "20"})
    for index, row in enumerate(rows):
        data.update({f"uplinks-{index}-{name}": value for name, value in row.items()})
    data["submit" if submit else "draft"] = "1"
    return data


DSL = {
    "technology": "dsl",
    "provider": "Lattelecom",
    "download_mbps": "100",
    "upload_mbps": "20",
    "monthly_cost": "39.5",
}


def test_the_coordinator_answers_and_submits(campaign, world, role_users):
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    # The school has no sites: its survey page leads straight to the form.
    school_page = reverse(
        "connectivity:surveyresponse-answer", kwargs={"campaign_pk": campaign.pk, "school_pk": world.school.pk}
    )
    assert client.get(school_page)["Location"] == form_url(campaign, world.school)
    page = client.get(form_url(campaign, world.school))
    html = page.content.decode()
    assert page.status_code == 200
    # Without JavaScript the form offers empty uplink rows; the script only adds more in place.
    assert 'name="uplinks-TOTAL_FORMS" value="2"' in html
    assert 'name="uplinks-1-download_mbps"' in html
    assert 'id="uplink-template"' in html and "uplinks-__prefix__-technology" in html

    response = client.post(
        form_url(campaign, world.school),
        posted(uplinks=[DSL, {"technology": "", "provider": "", "download_mbps": ""}], total=2),
    )

    answer = SurveyResponse.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("connectivity:surveyresponse-detail", kwargs={"pk": answer.pk})
    assert (answer.state, answer.classrooms, answer.classrooms_wifi, answer.cabling) == ("submitted", 20, 8, "cat6")
    assert answer.problems == ["outages", "wifi_coverage"]
    assert list(answer.uplinks.values_list("technology", "provider", "download_mbps", "monthly_cost")) == [
        ("dsl", "Lattelecom", Decimal("100.00"), Decimal("39.50"))
    ]
    detail = client.get(response["Location"]).content.decode()
    assert "Submitted" in detail and "Lattelecom" in detail and "Correct the answer" in detail


def test_a_draft_then_a_correction(campaign, world, role_users):
    client = client_for(role_users[Role.OPERATOR_STAFF])
    client.post(form_url(campaign, world.school), posted(submit=False))
    answer = SurveyResponse.objects.get()
    assert answer.state == "draft" and answer.uplinks.count() == 0
    edit = client.get(reverse("connectivity:surveyresponse-edit", kwargs={"pk": answer.pk})).content.decode()
    assert "Save as draft" in edit and "Submit the answer" in edit
    client.post(form_url(campaign, world.school), posted(uplinks=[DSL]))
    answer.refresh_from_db()
    assert answer.state == "submitted"
    edit = client.get(reverse("connectivity:surveyresponse-edit", kwargs={"pk": answer.pk})).content.decode()
    assert "Save the correction" in edit and "Save as draft" not in edit
    assert 'value="Lattelecom"' in edit
    # The saved uplink and two empty rows: without JavaScript, each save offers two more.
    assert 'name="uplinks-TOTAL_FORMS" value="3"' in edit


def test_errors_show_at_their_field_and_nothing_is_written(campaign, world, role_users):
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    before = (SurveyResponse.objects.count(), Uplink.objects.count(), AuditEvent.objects.count())
    bad = {**DSL, "download_mbps": "250000", "contract_start": "2025-01-01", "contract_end": "2024-01-01"}
    response = client.post(form_url(campaign, world.school), posted(uplinks=[DSL, bad], total=2, classrooms_wifi="30"))
    html = response.content.decode()
    assert response.status_code == 400
    assert (SurveyResponse.objects.count(), Uplink.objects.count(), AuditEvent.objects.count()) == before
    errors = response.context["form"].errors
    assert errors == {"classrooms_wifi": ["More classrooms with Wi-Fi (30) than classrooms (20)."]}
    rows = response.context["formset"].forms
    assert rows[0].errors == {}
    assert rows[1].errors == {
        "download_mbps": ["At most 100000 Mbit/s: a higher figure is a typing or unit error."],
        "contract_end": ["The contract ends (2024-01-01) before it starts (2025-01-01)."],
    }
    assert "Uplink 2: Contracted download (Mbit/s): At most 100000 Mbit/s" in html
    # What was typed stays in the form.
    assert 'value="250000"' in html


def test_submitting_without_an_uplink_is_refused_at_the_uplinks(campaign, world, role_users):
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    response = client.post(form_url(campaign, world.school), posted())
    assert response.status_code == 400
    assert "Uplinks: A submitted answer needs at least one uplink." in response.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_a_half_filled_uplink_row_names_what_is_missing(campaign, world, role_users):
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    response = client.post(form_url(campaign, world.school), posted(uplinks=[{"provider": "Tet"}]))
    assert response.status_code == 400
    assert response.context["formset"].forms[0].errors == {
        "technology": ["This field is required."],
        "download_mbps": ["This field is required."],
        "upload_mbps": ["This field is required."],
    }
    assert SurveyResponse.objects.count() == 0


def test_a_removed_uplink_row_is_dropped(campaign, world, role_users):
    answer = SurveyResponseFactory(campaign=campaign, school=world.school)
    kept, dropped = UplinkFactory(response=answer, provider="Kept"), UplinkFactory(response=answer, provider="Gone")
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    data = posted(
        uplinks=[
            {"technology": "dsl", "provider": "Kept", "download_mbps": "100", "upload_mbps": "20"},
            {"technology": "dsl", "provider": "Gone", "download_mbps": "100", "upload_mbps": "20", "DELETE": "on"},
        ]
    )
    assert client.post(form_url(campaign, world.school), data).status_code == 302
    assert list(answer.uplinks.values_list("pk", "provider")) == [(kept.pk, "Kept")]
    assert not Uplink.objects.filter(pk=dropped.pk).exists()


def test_the_prefill_note_and_value(campaign, world, role_users):
    install_access_point(school=world.school)
    install_access_point(school=world.school)
    html = client_for(role_users[Role.SCHOOL_COORDINATOR]).get(form_url(campaign, world.school)).content.decode()
    assert "2 access points were installed through the programme." in html
    assert 'name="access_points" value="2"' in html


def test_a_school_with_several_sites_answers_per_site(campaign, world, role_users):
    hall, annex = SiteFactory(school=world.school, name="Hall"), SiteFactory(school=world.school, name="Annex")
    install_access_point(school=world.school, site=annex)
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    school_page = reverse(
        "connectivity:surveyresponse-answer", kwargs={"campaign_pk": campaign.pk, "school_pk": world.school.pk}
    )
    page = client.get(school_page)
    assert page.status_code == 200
    assert [place.site for place in page.context["places"]] == [annex, hall]
    assert page.content.decode().count("Not answered") == 2
    assert form_url(campaign, world.school, annex) in page.content.decode()
    form = client.get(form_url(campaign, world.school, annex)).content.decode()
    assert "1 access point was installed through the programme." in form
    client.post(form_url(campaign, world.school, annex), posted(uplinks=[DSL]))
    answer = SurveyResponse.objects.get()
    assert answer.site == annex
    page = client.get(school_page).content.decode()
    assert page.count("Not answered") == 1 and "Submitted" in page


def test_a_closed_campaign_shows_the_answer_instead_of_the_form(campaign, world, role_users):
    answer = SurveyResponseFactory(campaign=campaign, school=world.school)
    Campaign.objects.filter(pk=campaign.pk).update(state=Campaign.State.CLOSED)
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    detail = reverse("connectivity:surveyresponse-detail", kwargs={"pk": answer.pk})
    assert client.get(form_url(campaign, world.school))["Location"] == detail
    assert client.post(form_url(campaign, world.school), posted(uplinks=[DSL], classrooms="99"))["Location"] == detail
    answer.refresh_from_db()
    assert answer.classrooms == 20
    assert "Correct the answer" not in client.get(detail).content.decode()


# Every role on every page.

PAGE_STATUSES = {
    # role: (todo, school page, form, detail, list, export)
    Role.ADMINISTRATOR: (200, 302, 200, 200, 200, 200),
    Role.PROGRAMME_OWNER: (200, 302, 200, 200, 200, 200),
    Role.OPERATOR_STAFF: (200, 302, 200, 200, 200, 200),
    Role.SCHOOL_COORDINATOR: (200, 302, 200, 200, 200, 200),
    Role.FUNDING_ADMINISTRATOR: (200, 200, 403, 200, 200, 200),
    Role.AUDITOR: (200, 200, 403, 200, 200, 200),
    Role.SUPPLIER: (200, 404, 404, 404, 404, 404),
    Role.TEACHER: (200, 404, 404, 404, 404, 404),
    Role.DATA_PROTECTION_OFFICER: (200, 404, 404, 404, 404, 404),
}


@pytest.mark.parametrize("role", list(Role))
def test_pages_per_role(role, campaign, world, role_users):
    answer = SurveyResponseFactory(campaign=campaign, school=world.school, problems_text="INSIDE text")
    UplinkFactory(response=answer, provider="INSIDE provider")
    outside = open_campaign(world.other_school, authority=world.other_authority, code="OUTSIDE-2026")
    other = SurveyResponseFactory(campaign=outside, school=world.other_school)
    client = client_for(role_users[role])
    kwargs = {"campaign_pk": campaign.pk, "school_pk": world.school.pk}
    urls = [
        reverse("connectivity:surveyresponse-todo"),
        reverse("connectivity:surveyresponse-answer", kwargs=kwargs),
        form_url(campaign, world.school),
        reverse("connectivity:surveyresponse-detail", kwargs={"pk": answer.pk}),
        reverse("connectivity:surveyresponse-list", kwargs={"campaign_pk": campaign.pk}),
        reverse("connectivity:surveyresponse-export", kwargs={"campaign_pk": campaign.pk}),
    ]
    assert tuple(client.get(url).status_code for url in urls) == PAGE_STATUSES[role]
    # Out of scope: not found, for everyone but the administrator.
    outside_urls = [
        reverse("connectivity:surveyresponse-detail", kwargs={"pk": other.pk}),
        reverse("connectivity:surveyresponse-list", kwargs={"campaign_pk": outside.pk}),
        form_url(outside, world.other_school),
    ]
    expected = [200, 200, 200] if role == Role.ADMINISTRATOR else [404, 404, 404]
    assert [client.get(url).status_code for url in outside_urls] == expected
    todo = client.get(urls[0]).content.decode()
    assert ("INSIDE school" in todo) == (role not in NO_ACCESS_ROLES)
    assert ("OUTSIDE school" in todo) == (role == Role.ADMINISTRATOR)
    assert ("1 of 1 answer submitted" in todo) == (role not in NO_ACCESS_ROLES)


def test_the_list_and_its_export_give_one_row_per_answer_and_uplink(campaign, world, role_users):
    hall = SiteFactory(school=world.school, name="Hall")
    answer = SurveyResponseFactory(
        campaign=campaign, school=world.school, problems=["outages", "filtering"], problems_text="=cmd()"
    )
    UplinkFactory(response=answer, technology="fibre", provider="Tet", download_mbps=Decimal("500"))
    UplinkFactory(response=answer, technology="mobile", provider="LMT", download_mbps=Decimal("40"), monthly_cost=None)
    SurveyResponseFactory(campaign=campaign, school=world.school, site=hall, state="draft", submitted_at=None)
    client = client_for(role_users[Role.AUDITOR])
    page = client.get(reverse("connectivity:surveyresponse-list", kwargs={"campaign_pk": campaign.pk}))
    assert page.context["total"] == 2
    assert "2 answers you may see" in page.content.decode()
    assert (
        client.get(
            reverse("connectivity:surveyresponse-list", kwargs={"campaign_pk": campaign.pk}), {"state": "draft"}
        ).context["total"]
        == 1
    )

    url = reverse("connectivity:surveyresponse-export", kwargs={"campaign_pk": campaign.pk})
    response = client.get(url)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0][:6] == ["campaign", "school_number", "school_name", "operator", "site", "state"]
    body = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    assert [
        (row["site"], row["state"], row["uplink"], row["technology"], row["download_mbps"], row["monthly_cost"])
        for row in body
    ] == [
        ("", "submitted", "1", "fibre", "500.00", "45.00"),
        ("", "submitted", "2", "mobile", "40.00", ""),
        ("Hall", "draft", "", "", "", ""),
    ]
    assert body[0]["problems"] == "outages filtering"
    assert body[0]["problems_text"] == "'=cmd()"  # a formula is shown, never run

    xlsx = client.get(url, {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 4
    assert values[1][values[0].index("provider")] == "Tet"


def test_the_todo_lists_only_campaigns_that_accept_answers(campaign, world, role_users):
    today = datetime.date.today()
    open_campaign(world.school, authority=world.authority, code="LATER", starts_on=today + datetime.timedelta(days=3))
    closed = open_campaign(world.school, authority=world.authority, code="SHUT", name={"en": "Shut survey"})
    Campaign.objects.filter(pk=closed.pk).update(state=Campaign.State.CLOSED)
    page = client_for(role_users[Role.SCHOOL_COORDINATOR]).get(reverse("connectivity:surveyresponse-todo"))
    assert [row["pair"].campaign for row in page.context["rows"]] == [campaign]
